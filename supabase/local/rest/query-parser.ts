/**
 * The machinery under the query-parameter grammar (`query-params.ts`): a backtracking
 * parser over one string, Parsec-style. A failure remembers where it happened and what
 * was expected there; `run` turns the one that got furthest into PostgREST's PGRST100
 * with Parsec's wording.
 */
import { apiRequestError, type PgrstError } from './errors.ts';
import type { Field, JsonArrow, JsonOp } from './query-params.ts';

export class Fail {
	pos: number;
	expected: string[];
	/** Where the character shown as unexpected is, when not at `pos` (Parsec's `string`). */
	at?: number;
	constructor(pos: number, expected: string[], at?: number) {
		this.pos = pos;
		this.expected = expected;
		this.at = at;
	}
}

export const IDENT_CHAR = /[\p{L}\p{N}_ $]/u;

export class Parser {
	readonly s: string;
	pos = 0;
	constructor(s: string) {
		this.s = s;
	}
	get eof() {
		return this.pos >= this.s.length;
	}
	peek(n = 0) {
		return this.s[this.pos + n];
	}
	startsWith(t: string) {
		return this.s.startsWith(t, this.pos);
	}
	fail(...expected: string[]): never {
		throw new Fail(this.pos, expected);
	}
	expect(t: string, label = `"${t}"`) {
		if (!this.startsWith(t)) this.fail(label);
		this.pos += t.length;
	}
	/** Tries `fn`; on failure restores the position and returns undefined. */
	attempt<T>(fn: () => T): T | undefined {
		const at = this.pos;
		try {
			return fn();
		} catch (error) {
			if (!(error instanceof Fail)) throw error;
			this.pos = at;
			return undefined;
		}
	}
	ws() {
		while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
	}
	quoted(): string {
		this.expect('"');
		let out = '';
		for (;;) {
			const c = this.peek();
			if (c === undefined) this.fail('"\\""');
			if (c === '"') break;
			if (c === '\\') {
				this.pos++;
				if (this.eof) this.fail('any character');
			}
			out += this.s[this.pos++];
		}
		this.pos++;
		return out;
	}
	identifier(): string {
		const start = this.pos;
		while (!this.eof && IDENT_CHAR.test(this.s[this.pos])) this.pos++;
		if (this.pos === start) this.fail('field name (* or [a..z0..9_$])');
		return this.s.slice(start, this.pos).trim();
	}
	/** identifiers joined by "-" (a dash not followed by ">"). */
	dashed(part: () => string): string {
		const parts = [part()];
		while (this.peek() === '-' && this.peek(1) !== '>') {
			this.pos++;
			parts.push(part());
		}
		return parts.join('-');
	}
	fieldName(): string {
		if (this.peek() === '"') return this.quoted();
		return this.dashed(() => this.identifier());
	}
	jsonPath(): JsonOp[] {
		const ops: JsonOp[] = [];
		for (;;) {
			let arrow: JsonArrow;
			if (this.startsWith('->>')) arrow = '->>';
			else if (this.startsWith('->')) arrow = '->';
			else return ops;
			this.pos += arrow.length;
			// After an arrow an operand must follow (PostgREST: `try pJIdx <|> try pJKey`): an
			// index, else a key; when neither fits, the failure that got further is reported.
			const start = this.pos;
			const idx = /^-?\d+/.exec(this.s.slice(this.pos));
			const after = idx ? this.pos + idx[0].length : -1;
			if (idx && (after >= this.s.length || ['->', '::', '.', ','].some((t) => this.s.startsWith(t, after)))) {
				this.pos = after;
				ops.push({ arrow, key: idx[0], index: true });
				continue;
			}
			let indexFail: Fail;
			if (idx) indexFail = new Fail(after, ['digit', '"->"', '"::"', '"."', '","', 'end of input']);
			else if (this.peek() === '-') indexFail = new Fail(start + 1, ['digit']);
			else indexFail = new Fail(start, ['"-"', 'digit']);
			let key: string;
			try {
				key = this.jsonKey();
			} catch (error) {
				if (!(error instanceof Fail)) throw error;
				if (error.pos > indexFail.pos) throw error;
				if (error.pos < indexFail.pos) throw indexFail;
				throw new Fail(error.pos, [...indexFail.expected, ...error.expected]);
			}
			ops.push({ arrow, key, index: false });
		}
	}
	jsonKey(): string {
		if (this.peek() === '"') return this.quoted();
		return this.dashed(() => {
			const start = this.pos;
			while (!this.eof && !'(-:.,>)'.includes(this.s[this.pos])) this.pos++;
			if (this.pos === start) this.fail('any non reserved character different from: .,>()');
			return this.s.slice(start, this.pos).trim();
		});
	}
	field(): Field {
		this.ws();
		const name = this.fieldName();
		const json = this.jsonPath();
		this.ws();
		return { name, json };
	}
	castType(): string {
		const start = this.pos;
		while (!this.eof && IDENT_CHAR.test(this.s[this.pos])) this.pos++;
		if (this.pos === start) this.fail('letter', 'digit');
		return this.s.slice(start, this.pos).trim();
	}
	end(...tokens: string[]) {
		if (this.eof || tokens.some((t) => this.startsWith(t))) return;
		this.fail(...tokens.map((t) => `"${t}"`), 'end of input');
	}
}
/**
 * Runs a parser over the whole input, translating a failure into PGRST100. PostgREST's
 * select and logic tree parsers do not demand the end of the input: what a complete
 * logic tree leaves is ignored, and so is what follows an unmatched `)` or a last embed's
 * closing one in a select (`select=a,b(c))`, `select=a,b(c)'`); `ignoreRest` says when.
 */
export function run<T>(label: string, input: string, fn: (p: Parser) => T, ignoreRest?: (out: T, p: Parser) => boolean): T {
	const p = new Parser(input);
	try {
		const out = fn(p);
		if (!p.eof && !ignoreRest?.(out, p)) p.fail('end of input');
		return out;
	} catch (error) {
		if (!(error instanceof Fail)) throw error;
		throw parseError(label, input, error);
	}
}

/** Haskell's `show` of a Char (quote `'`) or of a one-character String (quote `"`). */
function haskellShow(code: number, quote: string): string {
	const ch = String.fromCodePoint(code);
	if (ch === quote || ch === '\\') return `${quote}\\${ch}${quote}`;
	if (code < 32 || code > 126) return `${quote}\\${code}${quote}`;
	return `${quote}${ch}${quote}`;
}

function parseError(label: string, input: string, fail: Fail): PgrstError {
	const ch = input.codePointAt(fail.at ?? fail.pos);
	const expected = [...new Set(fail.expected)];
	// Parsec's `eof` fails through `notFollowedBy`, which shows the character as a Haskell
	// Char ('t'); other parsers show it as a one-character String ("t").
	const unexpected = ch === undefined ? 'unexpected end of input' : `unexpected ${haskellShow(ch, expected.includes('end of input') ? "'" : '"')}`;
	const expecting = expected.length
		? ` expecting ${expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}` : expected[0]}`
		: '';
	return apiRequestError.queryParam(`"${label}" (line 1, column ${fail.pos + 1})`, `${unexpected}${expecting}`);
}
