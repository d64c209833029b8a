/**
 * The parsing half of go-template.ts: the template source lexed into text and actions,
 * then parsed into a tree of nodes, with Go's parse errors (line and column) and, for
 * HTML bodies, each printed value's escaper chosen by its HTML context.
 */
import { advance, escaperFor, TEXT, type HtmlContext } from './go-template-html.ts';

export class TemplateParseError extends Error {
	readonly line: number;
	readonly column: number;
	constructor(name: string, source: string, offset: number, message: string) {
		const before = source.slice(0, offset).split('\n');
		const line = before.length;
		const column = before[before.length - 1].length + 1;
		super(`template: ${name}:${line}:${column}: ${message}`);
		this.line = line;
		this.column = column;
	}
}

export type Operand =
	| { kind: 'dot'; path: string[] }
	| { kind: 'field'; path: string[] }
	| { kind: 'var'; path: string[] }
	| { kind: 'lit'; value: unknown }
	| { kind: 'fn'; name: string; at: number }
	| { kind: 'pipe'; pipe: Pipeline; path: string[] };
export interface Command {
	args: Operand[];
}
export interface Pipeline {
	commands: Command[];
}
export type Node =
	| { kind: 'text'; text: string }
	| { kind: 'print'; pipe: Pipeline; escape: ((s: string) => string) | null }
	| { kind: 'if' | 'with'; pipe: Pipeline; then: Node[]; otherwise: Node[] | null };

// ---------------------------------------------------------------- lexing

type Token =
	| { t: 'field'; path: string[]; at: number }
	| { t: 'dot'; path: string[]; at: number }
	| { t: 'var'; name: string; path: string[]; at: number }
	| { t: 'ident'; name: string; at: number }
	| { t: 'string' | 'number'; value: unknown; at: number }
	| { t: '(' | ')' | '|'; at: number; path?: string[] };

type Item = { kind: 'text'; text: string; at: number } | { kind: 'action'; tokens: Token[]; at: number; end: number };

const SPACE = /[ \t\r\n]/;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/y;

function lex(name: string, source: string): Item[] {
	const fail = (at: number, message: string): never => {
		throw new TemplateParseError(name, source, at, message);
	};
	const items: Item[] = [];
	let pos = 0;
	let trimNext = false;
	const pushText = (text: string, at: number) => {
		if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
		trimNext = false;
		if (text) items.push({ kind: 'text', text, at });
	};
	while (pos < source.length) {
		const open = source.indexOf('{{', pos);
		if (open < 0) {
			pushText(source.slice(pos), pos);
			break;
		}
		let text = source.slice(pos, open);
		let i = open + 2;
		// "{{- " trims the whitespace before it; the dash needs a space after it.
		if (source[i] === '-' && SPACE.test(source[i + 1] ?? '')) {
			text = text.replace(/[ \t\r\n]+$/, '');
			i += 2;
		}
		pushText(text, pos);
		if (source.startsWith('/*', i)) {
			const close = source.indexOf('*/', i + 2);
			if (close < 0) fail(open, 'unclosed comment');
			let j = close + 2;
			if (SPACE.test(source[j] ?? '') && source.startsWith('-}}', j + 1)) {
				trimNext = true;
				j += 4;
			} else if (source.startsWith('}}', j)) {
				j += 2;
			} else {
				fail(close, 'comment ends before closing delimiter');
			}
			pos = j;
			continue;
		}
		const tokens: Token[] = [];
		const fieldChain = (): string[] => {
			const path: string[] = [];
			while (source[i] === '.') {
				IDENT.lastIndex = i + 1;
				const id = IDENT.exec(source);
				if (!id) {
					if (path.length) fail(i, 'unexpected . after term');
					i++;
					break;
				}
				path.push(id[0]);
				i += 1 + id[0].length;
			}
			return path;
		};
		for (;;) {
			if (i >= source.length) fail(open, 'unclosed action');
			const ch = source[i];
			if (SPACE.test(ch)) {
				while (SPACE.test(source[i] ?? '')) i++;
				if (source.startsWith('-}}', i)) {
					trimNext = true;
					i += 3;
					break;
				}
				continue;
			}
			if (source.startsWith('}}', i)) {
				i += 2;
				break;
			}
			const at = i;
			if (ch === '"') {
				let j = i + 1;
				while (j < source.length && source[j] !== '"') {
					if (source[j] === '\n') fail(at, 'unterminated quoted string');
					j += source[j] === '\\' ? 2 : 1;
				}
				if (j >= source.length) fail(at, 'unterminated quoted string');
				let value: unknown;
				try {
					value = JSON.parse(source.slice(i, j + 1));
				} catch {
					fail(at, `invalid syntax in quoted string ${source.slice(i, j + 1)}`);
				}
				tokens.push({ t: 'string', value, at });
				i = j + 1;
			} else if (ch === '`') {
				const j = source.indexOf('`', i + 1);
				if (j < 0) fail(at, 'unterminated raw quoted string');
				tokens.push({ t: 'string', value: source.slice(i + 1, j), at });
				i = j + 1;
			} else if (ch === '(' || ch === ')' || ch === '|') {
				tokens.push({ t: ch, at });
				i++;
			} else if (ch === '.' && !/\d/.test(source[i + 1] ?? '')) {
				const path = fieldChain();
				tokens.push(path.length ? { t: 'field', path, at } : { t: 'dot', path, at });
			} else if (ch === '$') {
				i++;
				IDENT.lastIndex = i;
				const id = IDENT.exec(source);
				if (id) i += id[0].length;
				tokens.push({ t: 'var', name: id ? id[0] : '', path: fieldChain(), at });
			} else if (/[A-Za-z_]/.test(ch)) {
				IDENT.lastIndex = i;
				const id = IDENT.exec(source)![0];
				i += id.length;
				tokens.push({ t: 'ident', name: id, at });
			} else {
				NUMBER.lastIndex = i;
				const num = NUMBER.exec(source);
				if (!num) fail(at, `unexpected ${JSON.stringify(ch)} in command`);
				const value = Number(num![0].replace(/_/g, ''));
				if (!Number.isFinite(value)) fail(at, `bad number syntax: ${JSON.stringify(num![0])}`);
				tokens.push({ t: 'number', value, at });
				i += num![0].length;
			}
			// A closing parenthesis may be followed by a field chain: (pipeline).Field
			const last = tokens[tokens.length - 1];
			if (last.t === ')' && source[i] === '.' && /[A-Za-z_]/.test(source[i + 1] ?? '')) last.path = fieldChain();
		}
		items.push({ kind: 'action', tokens, at: open, end: i });
		pos = i;

	}
	return items;
}

// ---------------------------------------------------------------- parsing

const FUNCTIONS = new Set(['and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'len', 'index', 'print']);
const UNSUPPORTED = new Set(['range', 'define', 'template', 'block', 'break', 'continue']);

class Parser {
	private index = 0;
	private context: HtmlContext = TEXT;
	private readonly name: string;
	private readonly source: string;
	private readonly items: Item[];
	private readonly html: boolean;
	constructor(name: string, source: string, items: Item[], html: boolean) {
		this.name = name;
		this.source = source;
		this.items = items;
		this.html = html;
	}

	fail(at: number, message: string): never {
		throw new TemplateParseError(this.name, this.source, at, message);
	}

	/** Nodes up to an `else` or `end` (returned as the stop) or the end of the template. */
	list(): { nodes: Node[]; stop: { word: 'else' | 'end'; item: Item & { kind: 'action' } } | null } {
		const nodes: Node[] = [];
		while (this.index < this.items.length) {
			const item = this.items[this.index++];
			if (item.kind === 'text') {
				nodes.push({ kind: 'text', text: item.text });
				if (this.html) this.context = advance(this.context, item.text);
				continue;
			}
			if (item.tokens.length === 0) this.fail(item.at, 'missing value for command');
			const first = item.tokens[0];
			const word = first.t === 'ident' ? first.name : '';
			if (word === 'end' || word === 'else') {
				if (word === 'end' && item.tokens.length > 1) this.fail(item.tokens[1].at, 'unexpected token in end');
				return { nodes, stop: { word, item } };
			}
			if (word === 'if' || word === 'with') {
				nodes.push(this.branch(word, item, 1));
				continue;
			}
			if (UNSUPPORTED.has(word)) this.fail(first.at, `{{${word}}} is not supported by this runtime's mail templates`);
			const pipe = this.pipeline(item.tokens, 0, item.tokens.length, item.at);
			let escape: ((s: string) => string) | null = null;
			if (this.html) {
				const escaper = escaperFor(this.context);
				if (typeof escaper === 'string') this.fail(item.at, `cannot print a value ${escaper}`);
				escape = escaper;
			}
			nodes.push({ kind: 'print', pipe, escape });
		}
		return { nodes, stop: null };
	}

	/** `if` / `with` from its opening action; `else if` and `else with` nest a branch that shares the `end`. */
	branch(word: 'if' | 'with', item: Item & { kind: 'action' }, from: number): Node {
		if (from >= item.tokens.length) this.fail(item.at, `missing value for ${word}`);
		const pipe = this.pipeline(item.tokens, from, item.tokens.length, item.at);
		const entry = this.context;
		const then = this.list();
		if (!then.stop) this.fail(item.at, `unexpected EOF: {{${word}}} has no {{end}}`);
		const afterThen = this.context;
		let otherwise: Node[] | null = null;
		if (then.stop.word === 'else') {
			this.context = entry;
			const elseTokens = then.stop.item.tokens;
			const chained = elseTokens[1]?.t === 'ident' ? elseTokens[1].name : '';
			if (chained === 'if' || chained === 'with') {
				otherwise = [this.branch(chained, then.stop.item, 2)];
			} else {
				if (elseTokens.length > 1) this.fail(elseTokens[1].at, 'unexpected token in else');
				const rest = this.list();
				if (!rest.stop) this.fail(item.at, `unexpected EOF: {{${word}}} has no {{end}}`);
				if (rest.stop.word === 'else') this.fail(rest.stop.item.at, 'expected end; found {{else}}');
				otherwise = rest.nodes;
			}
		}
		if (this.html && JSON.stringify(afterThen) !== JSON.stringify(otherwise ? this.context : entry)) {
			this.fail(item.at, `{{${word}}} branches end in different HTML contexts`);
		}
		this.context = afterThen;
		return { kind: word, pipe, then: then.nodes, otherwise };
	}

	pipeline(tokens: Token[], from: number, to: number, at: number): Pipeline {
		const commands: Command[] = [];
		let args: Operand[] = [];
		for (let i = from; i < to; i++) {
			const tok = tokens[i];
			if (tok.t === '|') {
				if (!args.length) this.fail(tok.at, 'missing command before |');
				commands.push({ args });
				args = [];
				continue;
			}
			if (tok.t === '(') {
				let depth = 1;
				let j = i + 1;
				for (; j < to && depth; j++) {
					if (tokens[j].t === '(') depth++;
					else if (tokens[j].t === ')') depth--;
				}
				if (depth) this.fail(tok.at, 'unclosed left paren');
				const close = tokens[j - 1];
				if (j - 1 === i + 1) this.fail(tok.at, 'missing value in parentheses');
				args.push({ kind: 'pipe', pipe: this.pipeline(tokens, i + 1, j - 1, tok.at), path: close.t === ')' ? (close.path ?? []) : [] });
				i = j - 1;
				continue;
			}
			args.push(this.operand(tok));
		}
		if (!args.length) this.fail(at, commands.length ? 'missing command after |' : 'missing value for command');
		commands.push({ args });
		for (const [n, command] of commands.entries()) {
			const [head, ...rest] = command.args;
			if (head.kind !== 'fn' && (rest.length || n > 0)) {
				this.fail(at, `can't give argument to non-function`);
			}
			for (const arg of rest) if (arg.kind === 'fn') this.fail(arg.at, `function "${arg.name}" must be the first word of a command`);
			if (head.kind === 'fn') this.checkArity(head, rest.length + (n > 0 ? 1 : 0));
		}
		return { commands };
	}

	operand(tok: Token): Operand {
		switch (tok.t) {
			case 'field':
				return { kind: 'field', path: tok.path };
			case 'dot':
				return { kind: 'dot', path: [] };
			case 'var':
				if (tok.name) this.fail(tok.at, `undefined variable "$${tok.name}"`);
				return { kind: 'var', path: tok.path };
			case 'string':
			case 'number':
				return { kind: 'lit', value: tok.value };
			case 'ident':
				if (tok.name === 'true' || tok.name === 'false') return { kind: 'lit', value: tok.name === 'true' };
				if (tok.name === 'nil') return { kind: 'lit', value: null };
				if (!FUNCTIONS.has(tok.name)) this.fail(tok.at, `function "${tok.name}" not defined`);
				return { kind: 'fn', name: tok.name, at: tok.at };
			default:
				return this.fail(tok.at, `unexpected "${tok.t}" in operand`);
		}
	}

	checkArity(fn: { name: string; at: number }, count: number): void {
		const exact: Record<string, number> = { not: 1, len: 1, lt: 2, le: 2, gt: 2, ge: 2, ne: 2 };
		const min: Record<string, number> = { and: 1, or: 1, eq: 2, index: 1, print: 0 };
		if (fn.name in exact && count !== exact[fn.name]) this.fail(fn.at, `wrong number of args for ${fn.name}: want ${exact[fn.name]} got ${count}`);
		if (fn.name in min && count < min[fn.name]) this.fail(fn.at, `wrong number of args for ${fn.name}: want at least ${min[fn.name]} got ${count}`);
	}
}

/** Parses a template into its nodes; `html` chooses an escaper for each printed value. */
export function parseTemplate(name: string, source: string, html: boolean): Node[] {
	const parser = new Parser(name, source, lex(name, source), html);
	const { nodes, stop } = parser.list();
	if (stop) parser.fail(stop.item.at, `unexpected {{${stop.word}}}`);
	return nodes;
}
