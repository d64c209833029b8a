import { describe, expect, it } from 'vitest';
import { splitStatements } from './migrate.ts';

describe('splitStatements (how a migration is recorded)', () => {
	it('splits on semicolons between statements', () => {
		expect(splitStatements('create table a (id int);\ncreate table b (id int);')).toEqual([
			'create table a (id int);',
			'create table b (id int);'
		]);
	});

	it('keeps semicolons inside strings, quoted names, comments and dollar-quoted bodies', () => {
		const sql = [
			"insert into t values ('a;b', 'it''s; fine');",
			'create table "odd;name" (id int);',
			'-- a comment; with a semicolon',
			'/* block; comment */ select 1;',
			'create function f() returns int language plpgsql as $body$ begin return 1; end; $body$;',
			'do $$ begin perform 1; end $$;'
		].join('\n');
		const parts = splitStatements(sql);
		expect(parts).toHaveLength(5);
		expect(parts[0]).toBe("insert into t values ('a;b', 'it''s; fine');");
		expect(parts[3]).toContain('begin return 1; end;');
		expect(parts[4]).toBe('do $$ begin perform 1; end $$;');
	});

	it('keeps a last statement without a semicolon and drops empty ones', () => {
		expect(splitStatements(';;select 1;\n\nselect 2')).toEqual(['select 1;', 'select 2']);
	});
});
