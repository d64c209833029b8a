/**
 * The executing half of go-template.ts: a parsed template run with its data as dot,
 * with Go's truth, comparisons, built-in functions and `fmt.Sprint` formatting.
 */
import type { Command, Node, Operand, Pipeline } from './go-template-parse.ts';

export class TemplateExecError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(value: unknown, path: string[]): unknown {
	let current = value;
	for (const key of path) {
		current = isObject(current) && Object.hasOwn(current, key) ? current[key] : undefined;
	}
	return current;
}

/** Go's truth: false, 0, nil and empty strings, arrays and maps are false. */
export function truth(value: unknown): boolean {
	if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
	if (typeof value === 'number' && Number.isNaN(value)) return true;
	if (Array.isArray(value)) return value.length > 0;
	if (isObject(value)) return Object.keys(value).length > 0;
	return true;
}

type Kind = 'bool' | 'number' | 'string' | 'nil' | 'other';
const kindOf = (v: unknown): Kind =>
	v === null || v === undefined ? 'nil' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : 'other';

function equal(a: unknown, b: unknown): boolean {
	const ka = kindOf(a);
	if (ka !== kindOf(b)) return false;
	return ka === 'nil' || a === b;
}

function order(name: string, a: unknown, b: unknown): number {
	const ka = kindOf(a);
	if ((ka !== 'number' && ka !== 'string') || ka !== kindOf(b)) throw new TemplateExecError(`error calling ${name}: incompatible types for comparison`);
	return (a as number | string) < (b as number | string) ? -1 : a === b ? 0 : 1;
}

/** Go's `fmt.Sprint` of one value, for the kinds JSON metadata can hold. */
export function format(value: unknown, nested = false): string {
	if (value === undefined) return nested ? '<nil>' : '';
	if (value === null) return nested ? '<nil>' : '';
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) return `[${value.map((v) => format(v, true)).join(' ')}]`;
	if (isObject(value)) {
		const keys = Object.keys(value).sort();
		return `map[${keys.map((k) => `${k}:${format(value[k], true)}`).join(' ')}]`;
	}
	return String(value);
}

class Execution {
	private readonly root: unknown;
	constructor(root: unknown) {
		this.root = root;
	}

	nodes(list: Node[], dot: unknown, out: string[]): void {
		for (const node of list) {
			if (node.kind === 'text') {
				out.push(node.text);
			} else if (node.kind === 'print') {
				const text = format(this.pipeline(node.pipe, dot));
				out.push(node.escape ? node.escape(text) : text);
			} else {
				const value = this.pipeline(node.pipe, dot);
				if (truth(value)) this.nodes(node.then, node.kind === 'with' ? value : dot, out);
				else if (node.otherwise) this.nodes(node.otherwise, dot, out);
			}
		}
	}

	pipeline(pipe: Pipeline, dot: unknown): unknown {
		let value: unknown = undefined;
		for (const [n, command] of pipe.commands.entries()) {
			value = this.command(command, dot, n > 0 ? [value] : []);
		}
		return value;
	}

	command(command: Command, dot: unknown, piped: unknown[]): unknown {
		const [head, ...rest] = command.args;
		if (head.kind !== 'fn') return this.operand(head, dot);
		const args = rest.map((arg) => () => this.operand(arg, dot));
		for (const value of piped) args.push(() => value);
		return call(head.name, args);
	}

	operand(op: Operand, dot: unknown): unknown {
		switch (op.kind) {
			case 'dot':
				return dot;
			case 'field':
				return field(dot, op.path);
			case 'var':
				return field(this.root, op.path);
			case 'lit':
				return op.value;
			case 'pipe':
				return field(this.pipeline(op.pipe, dot), op.path);
			case 'fn':
				return call(op.name, []);
		}
	}
}

/** The built-in functions; arguments are thunks so `and` and `or` can stop early, as in Go. */
function call(name: string, args: (() => unknown)[]): unknown {
	switch (name) {
		case 'and': {
			let value: unknown;
			for (const arg of args) if (!truth((value = arg()))) return value;
			return value;
		}
		case 'or': {
			let value: unknown;
			for (const arg of args) if (truth((value = arg()))) return value;
			return value;
		}
		case 'not':
			return !truth(args[0]());
		case 'eq': {
			const first = args[0]();
			return args.slice(1).some((arg) => equal(first, arg()));
		}
		case 'ne':
			return !equal(args[0](), args[1]());
		case 'lt':
			return order(name, args[0](), args[1]()) < 0;
		case 'le':
			return order(name, args[0](), args[1]()) <= 0;
		case 'gt':
			return order(name, args[0](), args[1]()) > 0;
		case 'ge':
			return order(name, args[0](), args[1]()) >= 0;
		case 'len': {
			const value = args[0]();
			if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
			if (Array.isArray(value)) return value.length;
			if (isObject(value)) return Object.keys(value).length;
			throw new TemplateExecError(`error calling len: len of ${kindOf(value)}`);
		}
		case 'index': {
			let value = args[0]();
			for (const arg of args.slice(1)) {
				const key = arg();
				if (Array.isArray(value) && typeof key === 'number') {
					if (!Number.isInteger(key) || key < 0 || key >= value.length) throw new TemplateExecError(`error calling index: index out of range: ${key}`);
					value = value[key];
				} else if (isObject(value) && typeof key === 'string') {
					value = Object.hasOwn(value, key) ? value[key] : undefined;
				} else if (value === null || value === undefined) {
					throw new TemplateExecError('error calling index: index of untyped nil');
				} else {
					throw new TemplateExecError(`error calling index: cannot index ${kindOf(value)} with ${kindOf(key)}`);
				}
			}
			return value;
		}
		case 'print': {
			// fmt.Sprint: a space between operands when neither is a string.
			const values = args.map((arg) => arg());
			return values.reduce<string>((out, v, i) => out + (i > 0 && typeof v !== 'string' && typeof values[i - 1] !== 'string' ? ' ' : '') + format(v, true), '');
		}
		default:
			throw new TemplateExecError(`function "${name}" not defined`);
	}
}

/** Renders parsed nodes with `data` as dot (and `$`). */
export function execute(nodes: Node[], data: unknown): string {
	const out: string[] = [];
	new Execution(data).nodes(nodes, data, out);
	return out.join('');
}
