import { describe, expect, it } from 'vitest';
import { parseFilter } from './change-filters.ts';
import { parseArrayLiteral, toJsonValue } from './pgoutput.ts';
import { decodeBinary, decodeText, encodeBroadcast, ProtocolError, type Encoded, type Vsn } from './protocol.ts';
import { ChannelRegistry, type Subscriber } from './registry.ts';

function subscriber(vsn: Vsn): Subscriber & { frames: Encoded[] } {
	const frames: Encoded[] = [];
	return { vsn, joinTopic: 'realtime:t', broadcastRead: true, presenceListening: () => true, deliver: (f) => frames.push(f), frames };
}

describe('channel registry', () => {
	it('drops a topic hub once its last subscriber leaves, so memory follows the sockets', () => {
		const registry = new ChannelRegistry();
		const subs = Array.from({ length: 100 }, (_, i) => ({ sub: subscriber(i % 2 ? '1.0.0' : '2.0.0'), topic: `t${i % 10}` }));
		for (const { sub, topic } of subs) {
			const hub = registry.join(topic, false, sub);
			hub.track(sub, 'k', { i: 1 });
		}
		expect(registry.size).toBe(10);
		for (const { sub, topic } of subs) registry.get(topic, false)!.leave(sub);
		expect(registry.size).toBe(0);
	});

	it('encodes a broadcast once per serializer for any number of subscribers', () => {
		const registry = new ChannelRegistry();
		const subs = [subscriber('1.0.0'), subscriber('1.0.0'), subscriber('2.0.0'), subscriber('2.0.0')];
		for (const s of subs) registry.join('t', false, s);
		registry.get('t', false)!.broadcast({ kind: 'user', event: 'e', encoding: 'json', data: Buffer.from('{"a":1}'), meta: null }, subs[0]);
		expect(subs[0].frames).toEqual([]);
		expect(subs[1].frames[0]).toBe(subs[1].frames[0]);
		expect(subs[2].frames[0]).toBe(subs[3].frames[0]);
		expect(JSON.parse(subs[1].frames[0]!.data.toString())).toEqual({
			join_ref: null,
			ref: null,
			topic: 'realtime:t',
			event: 'broadcast',
			payload: { event: 'e', payload: { a: 1 }, type: 'broadcast' }
		});
		expect(subs[2].frames[0]!.binary).toBe(true);
	});
});

describe('protocol', () => {
	it('decodes v1 objects and v2 arrays, and refuses other shapes', () => {
		expect(decodeText('1.0.0', '{"topic":"a","event":"b","payload":{},"ref":"1","join_ref":"2"}')).toEqual({
			topic: 'a',
			event: 'b',
			payload: {},
			ref: '1',
			joinRef: '2'
		});
		expect(decodeText('2.0.0', '["2","1","a","b",{}]')).toEqual({ topic: 'a', event: 'b', payload: {}, ref: '1', joinRef: '2' });
		expect(() => decodeText('2.0.0', '{"topic":"a"}')).toThrow(ProtocolError);
		expect(() => decodeText('1.0.0', 'nope')).toThrow(ProtocolError);
		expect(() => decodeBinary(Buffer.from([3, 9, 9, 9]))).toThrow(ProtocolError);
		expect(() => decodeBinary(Buffer.from([7]))).toThrow(ProtocolError);
	});

	it('round-trips a user broadcast between the push (kind 3) and broadcast (kind 4) frames', () => {
		const push = Buffer.concat([Buffer.from([3, 1, 1, 3, 2, 0, 0]), Buffer.from('12top'), Buffer.from('ev'), Buffer.from([1, 2, 3])]);
		const decoded = decodeBinary(push);
		expect(decoded.kind).toBe('user_broadcast');
		if (decoded.kind !== 'user_broadcast') return;
		expect(decoded.push).toMatchObject({ joinRef: '1', ref: '2', topic: 'top', userEvent: 'ev', encoding: 'binary' });
		const out = encodeBroadcast('2.0.0', 'top', { kind: 'user', event: 'ev', encoding: 'binary', data: decoded.push.data, meta: null });
		expect([...out!.data]).toEqual([4, 3, 2, 0, 0, ...Buffer.from('top'), ...Buffer.from('ev'), 1, 2, 3]);
		expect(encodeBroadcast('1.0.0', 'top', { kind: 'user', event: 'ev', encoding: 'binary', data: decoded.push.data, meta: null })).toBeNull();
	});
});

describe('postgres_changes values and filters', () => {
	it('renders values as to_jsonb would', () => {
		expect(toJsonValue('int8', '42')).toBe(42);
		expect(toJsonValue('bool', 'f')).toBe(false);
		expect(toJsonValue('jsonb', '{"a": [1]}')).toEqual({ a: [1] });
		expect(toJsonValue('timestamptz', '2024-05-01 12:00:00.5+00')).toBe('2024-05-01T12:00:00.5+00:00');
		expect(toJsonValue('_text', '{a,"b c",NULL,"q\\"x"}')).toEqual(['a', 'b c', null, 'q"x']);
		expect(toJsonValue('_int4', '{{1,2},{3,4}}')).toEqual([
			[1, 2],
			[3, 4]
		]);
		expect(parseArrayLiteral('{}')).toEqual([]);
	});

	it('parses filters with quoted values and in-lists', () => {
		expect(parseFilter('id=eq.5,name=in.(a,"b,c")')).toEqual([
			{ column: 'id', op: 'eq', negate: false, value: '5', raw: '5' },
			{ column: 'name', op: 'in', negate: false, value: ['a', 'b,c'], raw: '{a,"b,c"}' }
		]);
		expect(parseFilter('kind=not.ilike.a%')).toMatchObject([{ op: 'ilike', negate: true, value: 'a%' }]);
		// Supabase's reasons: the unknown operator and its value, an `in` without parentheses, empty segments.
		expect(() => parseFilter('id=foo.5')).toThrow('["foo", "5"]');
		expect(() => parseFilter('id=in.1,2')).toThrow('`in` filter value must be wrapped by parentheses');
		expect(() => parseFilter('id=eq.1,,x=eq.2')).toThrow('filter must not contain empty segments');
		expect(() => parseFilter('done=is.maybe')).toThrow('invalid value for is filter');
	});
});
