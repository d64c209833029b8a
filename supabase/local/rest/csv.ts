/**
 * CSV payloads (RFC 4180) for `Content-Type: text/csv` inserts: a header line naming the
 * columns, then rows. PostgREST reads the unquoted text `NULL` as SQL null.
 */
import { apiRequestError } from './errors.ts';

function records(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	let i = 0;
	let wasQuoted = false;
	const endField = () => {
		row.push(!wasQuoted && field === 'NULL' ? '\u0000NULL' : field);
		field = '';
		wasQuoted = false;
	};
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"') {
				if (text[i + 1] === '"') {
					field += '"';
					i += 2;
					continue;
				}
				quoted = false;
				i++;
				continue;
			}
			field += c;
			i++;
			continue;
		}
		if (c === '"') {
			quoted = true;
			wasQuoted = true;
			i++;
		} else if (c === ',') {
			endField();
			i++;
		} else if (c === '\n' || c === '\r') {
			endField();
			rows.push(row);
			row = [];
			i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
		} else {
			field += c;
			i++;
		}
	}
	if (quoted) throw apiRequestError.invalidBody('Error in $: unterminated quoted field');
	if (field !== '' || row.length) {
		endField();
		rows.push(row);
	}
	return rows;
}

export function parse(text: string): Record<string, unknown>[] {
	const [header, ...rows] = records(text);
	if (!header) return [];
	return rows.map((r) => {
		if (r.length !== header.length) throw apiRequestError.invalidBody('All lines must have same number of fields');
		return Object.fromEntries(header.map((h, i) => [h, r[i] === '\u0000NULL' ? null : r[i]]));
	});
}
