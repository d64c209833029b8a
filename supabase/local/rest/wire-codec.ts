/**
 * The bytes of PostgreSQL's frontend/backend protocol (version 3) that the wire client
 * speaks: framing, the startup message, a pipeline of extended-protocol statements with one
 * Sync, and the fields of an ErrorResponse.
 */
import type { WireStatement } from './wire.ts';

/** Builds framed messages (a type byte, then the length) into one buffer. */
export class Writer {
	private parts: Buffer[] = [];
	message(type: string, body: Buffer) {
		const header = Buffer.alloc(5);
		header.write(type, 0, 'latin1');
		header.writeInt32BE(body.length + 4, 1);
		this.parts.push(header, body);
	}
	take(): Buffer {
		const out = Buffer.concat(this.parts);
		this.parts = [];
		return out;
	}
}

export const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
export const int32 = (n: number) => {
	const b = Buffer.alloc(4);
	b.writeInt32BE(n);
	return b;
};

/** The StartupMessage: protocol 3.0 and the connection's parameters. */
export function startupMessage(parameters: Record<string, string>): Buffer {
	const params = Buffer.concat([int32(196608), ...Object.entries(parameters).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
	return Buffer.concat([int32(params.length + 4), params]);
}

/**
 * Parse (where needed), Bind, Describe and Execute for each statement, then one Sync, written
 * into a single buffer: sizes are counted first, so a request costs one allocation here
 * rather than a few dozen small ones.
 */
export function encodePipeline(statements: WireStatement[], names: { name: string; parse: boolean }[]): Buffer {
	const values: (string | null)[][] = [];
	let size = 5; // Sync
	statements.forEach((st, i) => {
		const { name, parse } = names[i];
		const nameBytes = Buffer.byteLength(name);
		if (parse) size += 5 + nameBytes + 1 + Buffer.byteLength(st.text) + 1 + 2;
		const texts = st.params.map((v) => (v === null ? null : String(v)));
		values.push(texts);
		size += 5 + 1 + nameBytes + 1 + 2 + 2 + 2;
		for (const t of texts) size += 4 + (t === null ? 0 : Buffer.byteLength(t));
		size += 5 + 2; // Describe portal ''
		size += 5 + 1 + 4; // Execute portal '', no row limit
	});
	const out = Buffer.allocUnsafe(size);
	let at = 0;
	const head = (type: number, length: number) => {
		out[at] = type;
		out.writeInt32BE(length, at + 1);
		at += 5;
	};
	const cstring = (s: string) => {
		at += out.write(s, at, 'utf8');
		out[at++] = 0;
	};
	statements.forEach((st, i) => {
		const { name, parse } = names[i];
		if (parse) {
			const start = at;
			head(0x50, 0); // P
			cstring(name);
			cstring(st.text);
			at = out.writeInt16BE(0, at);
			out.writeInt32BE(at - start - 1, start + 1);
		}
		const start = at;
		head(0x42, 0); // B
		out[at++] = 0; // portal ''
		cstring(name);
		at = out.writeInt16BE(0, at);
		at = out.writeInt16BE(values[i].length, at);
		for (const t of values[i]) {
			if (t === null) at = out.writeInt32BE(-1, at);
			else {
				const length = out.write(t, at + 4, 'utf8');
				out.writeInt32BE(length, at);
				at += 4 + length;
			}
		}
		at = out.writeInt16BE(0, at);
		out.writeInt32BE(at - start - 1, start + 1);
		head(0x44, 6); // D
		out[at++] = 0x50; // 'P'ortal
		out[at++] = 0;
		head(0x45, 9); // E
		out[at++] = 0;
		at = out.writeInt32BE(0, at);
	});
	head(0x53, 4); // S
	return out;
}

export function parseFields(body: Buffer): Record<string, string> {
	const fields: Record<string, string> = {};
	let at = 0;
	while (at < body.length && body[at] !== 0) {
		const key = String.fromCharCode(body[at]);
		const end = body.indexOf(0, at + 1);
		fields[key] = body.toString('utf8', at + 1, end);
		at = end + 1;
	}
	return fields;
}
