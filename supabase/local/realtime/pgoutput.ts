/**
 * Reading PostgreSQL's logical replication stream (`pgoutput`, protocol version 1) and
 * turning column values from their text form into the JSON values Supabase Realtime
 * sends (as `to_jsonb` would render them: numbers, booleans, objects, arrays, ISO times).
 */

export interface RelationColumn {
	name: string;
	typeOid: number;
	/** Part of the replica identity (all columns when REPLICA IDENTITY FULL). */
	identity: boolean;
}

export interface Relation {
	id: number;
	schema: string;
	table: string;
	columns: RelationColumn[];
}

/** A tuple's values in text form; `undefined` marks an unchanged TOASTed value. */
export type Tuple = (string | null | undefined)[];

export type PgOutputMessage =
	| { tag: 'begin'; commitTime: Date }
	| { tag: 'commit'; endLsn: bigint }
	| { tag: 'relation'; relation: Relation }
	| { tag: 'insert'; relationId: number; tuple: Tuple }
	| { tag: 'update'; relationId: number; old: Tuple | null; tuple: Tuple }
	| { tag: 'delete'; relationId: number; old: Tuple | null }
	| { tag: 'other' };

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

class Reader {
	private buf: Buffer;
	offset: number;
	constructor(buf: Buffer, offset = 0) {
		this.buf = buf;
		this.offset = offset;
	}
	u8() {
		return this.buf[this.offset++];
	}
	u16() {
		const v = this.buf.readUInt16BE(this.offset);
		this.offset += 2;
		return v;
	}
	u32() {
		const v = this.buf.readUInt32BE(this.offset);
		this.offset += 4;
		return v;
	}
	i32() {
		const v = this.buf.readInt32BE(this.offset);
		this.offset += 4;
		return v;
	}
	u64() {
		const v = this.buf.readBigUInt64BE(this.offset);
		this.offset += 8;
		return v;
	}
	i64() {
		const v = this.buf.readBigInt64BE(this.offset);
		this.offset += 8;
		return v;
	}
	cstring() {
		const end = this.buf.indexOf(0, this.offset);
		const s = this.buf.toString('utf8', this.offset, end);
		this.offset = end + 1;
		return s;
	}
	text(length: number) {
		const s = this.buf.toString('utf8', this.offset, this.offset + length);
		this.offset += length;
		return s;
	}
}

function readTuple(r: Reader): Tuple {
	const count = r.u16();
	const values: Tuple = new Array(count);
	for (let i = 0; i < count; i++) {
		const kind = r.u8();
		if (kind === 0x6e /* n */) values[i] = null;
		else if (kind === 0x75 /* u */) values[i] = undefined;
		else values[i] = r.text(r.u32()); // t (text); b (binary) is not requested
	}
	return values;
}

/** Parses one pgoutput message (the payload of an XLogData frame). */
export function parsePgOutput(data: Buffer): PgOutputMessage {
	const r = new Reader(data, 1);
	switch (data[0]) {
		case 0x42 /* B */: {
			r.u64(); // final LSN
			const micros = r.i64();
			return { tag: 'begin', commitTime: new Date(PG_EPOCH_MS + Number(micros / 1000n)) };
		}
		case 0x43 /* C */: {
			r.u8();
			r.u64(); // commit LSN
			return { tag: 'commit', endLsn: r.u64() };
		}
		case 0x52 /* R */: {
			const id = r.u32();
			const schema = r.cstring() || 'pg_catalog';
			const table = r.cstring();
			r.u8(); // replica identity setting
			const count = r.u16();
			const columns: RelationColumn[] = [];
			for (let i = 0; i < count; i++) {
				const flags = r.u8();
				const name = r.cstring();
				const typeOid = r.u32();
				r.i32(); // type modifier
				columns.push({ name, typeOid, identity: (flags & 1) === 1 });
			}
			return { tag: 'relation', relation: { id, schema, table, columns } };
		}
		case 0x49 /* I */: {
			const relationId = r.u32();
			r.u8(); // N
			return { tag: 'insert', relationId, tuple: readTuple(r) };
		}
		case 0x55 /* U */: {
			const relationId = r.u32();
			let kind = r.u8();
			let old: Tuple | null = null;
			if (kind === 0x4b /* K */ || kind === 0x4f /* O */) {
				old = readTuple(r);
				kind = r.u8(); // N
			}
			return { tag: 'update', relationId, old, tuple: readTuple(r) };
		}
		case 0x44 /* D */: {
			const relationId = r.u32();
			r.u8(); // K or O
			return { tag: 'delete', relationId, old: readTuple(r) };
		}
		default:
			return { tag: 'other' };
	}
}

/** Splits a PostgreSQL array literal (`{a,"b c",NULL,{1,2}}`) into nested string arrays. */
export function parseArrayLiteral(text: string): unknown[] | null {
	let i = 0;
	// Arrays with explicit bounds look like `[1:2]={…}`.
	if (text[0] === '[') {
		const eq = text.indexOf('=');
		if (eq < 0) return null;
		i = eq + 1;
	}
	const parse = (): unknown[] | null => {
		if (text[i] !== '{') return null;
		i++;
		const out: unknown[] = [];
		if (text[i] === '}') {
			i++;
			return out;
		}
		while (i < text.length) {
			if (text[i] === '{') {
				const inner = parse();
				if (inner === null) return null;
				out.push(inner);
			} else if (text[i] === '"') {
				i++;
				let s = '';
				while (i < text.length && text[i] !== '"') {
					if (text[i] === '\\') i++;
					s += text[i++];
				}
				i++;
				out.push(s);
			} else {
				let s = '';
				while (i < text.length && text[i] !== ',' && text[i] !== '}') s += text[i++];
				out.push(s === 'NULL' ? null : s.trim());
			}
			if (text[i] === ',') i++;
			else if (text[i] === '}') {
				i++;
				return out;
			} else return null;
		}
		return null;
	};
	return parse();
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'money_numeric']);

/** Converts a value in PostgreSQL's text form to the JSON value `to_jsonb` would give. */
export function toJsonValue(typname: string, text: string | null): unknown {
	if (text === null) return null;
	if (typname.startsWith('_')) {
		const element = typname.slice(1);
		const parsed = parseArrayLiteral(text);
		if (!parsed) return text;
		const convert = (items: unknown[]): unknown[] =>
			items.map((item) => (Array.isArray(item) ? convert(item) : toJsonValue(element, item as string | null)));
		return convert(parsed);
	}
	if (NUMERIC.has(typname)) {
		const n = Number(text);
		return Number.isFinite(n) ? n : text;
	}
	switch (typname) {
		case 'bool':
			return text === 't' || text === 'true';
		case 'json':
		case 'jsonb':
			try {
				return JSON.parse(text);
			} catch {
				return text;
			}
		case 'timestamptz':
			return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
		case 'timestamp':
			return text.replace(' ', 'T');
		case 'bytea':
			// Supabase passes wal2json's hex digits on, without the `\x` prefix.
			return text.startsWith('\\x') ? text.slice(2) : text;
		default:
			return text;
	}
}
