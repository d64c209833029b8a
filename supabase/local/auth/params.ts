/**
 * Request bodies as GoTrue reads them: the whole body, capped (413 beyond the limit),
 * decoded like Go's `encoding/json` into a struct: unknown fields ignored, keys matched
 * exactly or else case-insensitively, `null` leaves a field at its zero value, and a
 * syntax or type error becomes `bad_json` with Go's wording.
 */
import type { IncomingMessage } from 'node:http';
import { AuthError, badRequest } from './errors.ts';

/** Go field types the params structs use. */
export type FieldType = 'string' | 'bool' | 'map' | 'pointer-string';

export interface ParamsSchema {
	/** Go type name used in error messages, e.g. `SignupParams`. */
	name: string;
	fields: Record<string, FieldType>;
}

export type Params = Record<string, unknown>;

/** Reads the body, refusing more than `limit` bytes the way GoTrue does (413). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
	const tooLarge = () => new AuthError(413, 'request_entity_too_large', `Request body too large (max ${limit} bytes)`);
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) throw tooLarge();
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buffer = chunk as Buffer;
		size += buffer.length;
		if (size > limit) throw tooLarge();
		chunks.push(buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

const GO_TYPE: Record<FieldType, string> = {
	string: 'string',
	bool: 'bool',
	map: 'map[string]interface {}',
	'pointer-string': 'string'
};

function jsonKind(value: unknown): string {
	if (Array.isArray(value)) return 'array';
	if (value === null) return 'null';
	if (typeof value === 'object') return 'object';
	if (typeof value === 'boolean') return 'bool';
	return typeof value; // string, number
}

function fits(type: FieldType, value: unknown): boolean {
	if (value === null) return true;
	switch (type) {
		case 'string':
		case 'pointer-string':
			return typeof value === 'string';
		case 'bool':
			return typeof value === 'boolean';
		case 'map':
			return typeof value === 'object' && !Array.isArray(value);
	}
}

/**
 * Decodes `body` into the fields of `schema`. Absent and `null` fields are left out of
 * the result (Go's zero value); callers apply their own defaults.
 */
export function decodeParams(body: string, schema: ParamsSchema): Params {
	const syntax = goSyntaxError(body);
	if (syntax) throw badRequest('bad_json', `Could not parse request body as JSON: ${syntax}`);
	const value: unknown = JSON.parse(body);
	const out: Params = {};
	if (value === null) return out;
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${schema.name}`);
	}
	const names = Object.keys(schema.fields);
	let firstError: string | null = null;
	for (const [key, fieldValue] of Object.entries(value as Record<string, unknown>)) {
		const name = names.includes(key) ? key : names.find((n) => n.toLowerCase() === key.toLowerCase());
		if (!name) continue;
		const type = schema.fields[name];
		if (!fits(type, fieldValue)) {
			firstError ??= `json: cannot unmarshal ${jsonKind(fieldValue)} into Go struct field ${schema.name}.${name} of type ${GO_TYPE[type]}`;
			continue;
		}
		if (fieldValue === null) {
			delete out[name];
			continue;
		}
		out[name] = fieldValue;
	}
	if (firstError) throw badRequest('bad_json', `Could not parse request body as JSON: ${firstError}`);
	return out;
}

export const str = (params: Params, key: string): string => (typeof params[key] === 'string' ? (params[key] as string) : '');
export const bool = (params: Params, key: string): boolean => params[key] === true;
export const map = (params: Params, key: string): Record<string, unknown> | null =>
	params[key] && typeof params[key] === 'object' ? (params[key] as Record<string, unknown>) : null;
/** A `*string` field: null when absent or null, the string otherwise. */
export const ptr = (params: Params, key: string): string | null => (typeof params[key] === 'string' ? (params[key] as string) : null);

/** Go's quoting of a character in JSON syntax errors (`strconv.Quote` with single quotes). */
function quoteChar(c: string): string {
	if (c === "'") return `'\\''`;
	if (c === '"') return `'"'`;
	const escapes: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };
	if (escapes[c]) return `'${escapes[c]}'`;
	const code = c.charCodeAt(0);
	if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
	return `'${c}'`;
}

/**
 * Validates JSON the way Go's scanner does and returns its error message, or null when
 * the text is valid JSON. Only the messages matter here; the value is parsed by JSON.parse.
 */
export function goSyntaxError(text: string): string | null {
	let i = 0;
	const n = text.length;
	const END = 'unexpected end of JSON input';
	class Stop extends Error {}
	const fail = (message: string): never => {
		throw new Stop(message);
	};
	const ws = () => {
		while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
	};
	const peek = () => (i < n ? text[i] : fail(END));
	const isDigit = (c: string) => c >= '0' && c <= '9';

	const literal = (word: string) => {
		for (let k = 0; k < word.length; k++) {
			const c = peek();
			if (c !== word[k]) fail(`invalid character ${quoteChar(c)} in literal ${word} (expecting ${quoteChar(word[k])})`);
			i++;
		}
	};
	const string = () => {
		i++; // opening quote
		for (;;) {
			const c = peek();
			if (c === '"') {
				i++;
				return;
			}
			if (c === '\\') {
				i++;
				const e = peek();
				if ('"\\/bfnrt'.includes(e)) {
					i++;
				} else if (e === 'u') {
					i++;
					for (let k = 0; k < 4; k++) {
						const h = peek();
						if (!/[0-9a-fA-F]/.test(h)) fail(`invalid character ${quoteChar(h)} in \\u hexadecimal character escape`);
						i++;
					}
				} else {
					fail(`invalid character ${quoteChar(e)} in string escape code`);
				}
				continue;
			}
			if (c < ' ') fail(`invalid character ${quoteChar(c)} in string literal`);
			i++;
		}
	};
	const number = () => {
		if (text[i] === '-') {
			i++;
			const c = peek();
			if (!isDigit(c)) fail(`invalid character ${quoteChar(c)} in numeric literal`);
		}
		if (text[i] === '0') i++;
		else while (i < n && isDigit(text[i])) i++;
		if (i < n && text[i] === '.') {
			i++;
			const c = peek();
			if (!isDigit(c)) fail(`invalid character ${quoteChar(c)} after decimal point in numeric literal`);
			while (i < n && isDigit(text[i])) i++;
		}
		if (i < n && (text[i] === 'e' || text[i] === 'E')) {
			i++;
			if (peek() === '+' || peek() === '-') i++;
			const c = peek();
			if (!isDigit(c)) fail(`invalid character ${quoteChar(c)} in exponent of numeric literal`);
			while (i < n && isDigit(text[i])) i++;
		}
	};
	// An explicit stack instead of recursion, so deep nesting cannot exhaust the call stack.
	type State = 'value' | 'arrayValueOrEnd' | 'objectKeyOrEnd' | 'objectKey' | 'colon' | 'afterValue';
	const stack: ('{' | '[')[] = [];
	let state: State = 'value';
	try {
		for (;;) {
			ws();
			if (state === 'afterValue') {
				const top = stack[stack.length - 1];
				if (!top) {
					if (i < n) fail(`invalid character ${quoteChar(text[i])} after top-level value`);
					return null;
				}
				const c = peek();
				if (c === ',') {
					i++;
					state = top === '{' ? 'objectKey' : 'value';
				} else if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
					i++;
					stack.pop();
				} else {
					fail(`invalid character ${quoteChar(c)} ${top === '{' ? 'after object key:value pair' : 'after array element'}`);
				}
				continue;
			}
			const c = peek();
			if (state === 'objectKeyOrEnd' && c === '}') {
				i++;
				stack.pop();
				state = 'afterValue';
				continue;
			}
			if (state === 'objectKeyOrEnd' || state === 'objectKey') {
				if (c !== '"') fail(`invalid character ${quoteChar(c)} looking for beginning of object key string`);
				string();
				state = 'colon';
				continue;
			}
			if (state === 'colon') {
				if (c !== ':') fail(`invalid character ${quoteChar(c)} after object key`);
				i++;
				state = 'value';
				continue;
			}
			if (state === 'arrayValueOrEnd' && c === ']') {
				i++;
				stack.pop();
				state = 'afterValue';
				continue;
			}
			if (c === '{' || c === '[') {
				if (stack.length >= 10000) fail('exceeded max depth');
				stack.push(c);
				i++;
				state = c === '{' ? 'objectKeyOrEnd' : 'arrayValueOrEnd';
				continue;
			}
			if (c === '"') string();
			else if (c === '-' || isDigit(c)) number();
			else if (c === 't') literal('true');
			else if (c === 'f') literal('false');
			else if (c === 'n') literal('null');
			else fail(`invalid character ${quoteChar(c)} looking for beginning of value`);
			state = 'afterValue';
		}
	} catch (error) {
		if (error instanceof Stop) return error.message;
		throw error;
	}
}

/** Go marshals a map with its keys sorted, at every level. */
export function sortedKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortedKeys);
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
	}
	return value;
}
