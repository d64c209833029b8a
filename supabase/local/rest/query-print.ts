/**
 * The inverse of the query-parameter grammar (`query-params.ts`): a parsed tree printed
 * back as PostgREST syntax, so `parse(print(ast))` gives the same tree (the property the
 * grammar's tests check).
 */
import type { Field, JoinType, LogicTree, OpExpr, Operation, OrderTerm, SelectItem } from './query-params.ts';

const PLAIN_NAME = /^[\p{L}\p{N}_$]+(?:-[\p{L}\p{N}_$]+)*$/u;
const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function printName(name: string): string {
	return PLAIN_NAME.test(name) ? name : quote(name);
}

// Segments between dashes are trimmed by the parser: a plain one neither starts nor ends with space.
const PLAIN_JSON_KEY = /^[^(\-:.,>)"\s](?:[^(\-:.,>)]*[^(\-:.,>)\s])?(?:-[^(\-:.,>)\s](?:[^(\-:.,>)]*[^(\-:.,>)\s])?)*$/u;

export function printField(field: Field, star = false): string {
	let out = star && field.name === '*' && !field.json.length ? '*' : printName(field.name);
	for (const op of field.json) {
		out += op.arrow + (op.index ? op.key : PLAIN_JSON_KEY.test(op.key) && op.key === op.key.trim() && !/^-?\d+$/.test(op.key) ? op.key : quote(op.key));
	}
	return out;
}

function printEmbedParams(item: { hint?: string; join?: JoinType }): string {
	return (item.hint !== undefined ? `!${printName(item.hint)}` : '') + (item.join ? `!${item.join}` : '');
}

export function printSelect(items: SelectItem[]): string {
	return items
		.map((item) => {
			if (item.kind === 'spread') return `...${printName(item.name)}${printEmbedParams(item)}(${printSelect(item.children)})`;
			if (item.kind === 'relation')
				return `${item.alias !== undefined ? `${printName(item.alias)}:` : ''}${printName(item.name)}${printEmbedParams(item)}(${printSelect(item.children)})`;
			const alias = item.alias !== undefined ? `${printName(item.alias)}:` : '';
			if (item.aggregate === 'count' && item.field.name === '*' && !item.field.json.length)
				return `${alias}count()${item.aggregateCast ? `::${item.aggregateCast}` : ''}`;
			return (
				alias +
				printField(item.field, !alias && !item.cast && !item.aggregate) +
				(item.cast ? `::${item.cast}` : '') +
				(item.aggregate ? `.${item.aggregate}()` : '') +
				(item.aggregateCast ? `::${item.aggregateCast}` : '')
			);
		})
		.join(',');
}

const LIST_PLAIN = /^[^\s",()\\][^",()\\]*$/;
const LOGIC_PLAIN = /^[^\s",(){}\\][^",(){}\\]*$/;

function printOperation(op: Operation, inLogic: boolean): string {
	const val = (v: string) => (!inLogic ? v : LOGIC_PLAIN.test(v) && v === v.trimEnd() ? v : quote(v));
	switch (op.kind) {
		case 'in':
			return `in.(${op.values.map((v) => (LIST_PLAIN.test(v) && v === v.trimEnd() ? v : quote(v))).join(',')})`;
		case 'is':
			return `is.${op.value}`;
		case 'isdistinct':
			return `isdistinct.${val(op.value)}`;
		case 'fts':
			return `${op.op}${op.language !== undefined ? `(${op.language})` : ''}.${val(op.value)}`;
		case 'simple':
			return `${op.op}.${val(op.value)}`;
		case 'quant':
			return `${op.op}${op.quantifier ? `(${op.quantifier})` : ''}.${val(op.value)}`;
	}
}

export function printOpExpr(expr: OpExpr, inLogic = false): string {
	return (expr.not ? 'not.' : '') + printOperation(expr.operation, inLogic);
}

export function printLogicTree(tree: LogicTree): string {
	if (tree.kind === 'filter') return `${printField(tree.filter.field)}.${printOpExpr(tree.filter.expr, true)}`;
	return `${tree.not ? 'not.' : ''}${tree.op}(${tree.children.map(printLogicTree).join(',')})`;
}

export function printOrder(terms: OrderTerm[]): string {
	return terms
		.map(
			(t) =>
				(t.relation !== undefined ? `${printName(t.relation)}(${printField(t.field)})` : printField(t.field)) +
				(t.direction ? `.${t.direction}` : '') +
				(t.nulls ? `.nulls${t.nulls}` : '')
		)
		.join(',');
}
