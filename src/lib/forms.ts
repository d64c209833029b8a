/**
 * Form input, parsed with a schema. Actions answer invalid input with the submitted
 * values (so the form refills) and one error key per field.
 */
import * as v from 'valibot';
import { errorKeys, type ErrorKey } from './validation/schemas.ts';

/** The named fields of a form as strings (a missing field is an empty string; files are ignored). */
export function formValues<const K extends string>(formData: FormData, names: readonly K[]): Record<K, string> {
	const values = {} as Record<K, string>;
	for (const name of names) {
		const value = formData.get(name);
		values[name] = typeof value === 'string' ? value : '';
	}
	return values;
}

export type FieldErrors = Record<string, ErrorKey>;

export type Parsed<T> = { ok: true; output: T } | { ok: false; errors: FieldErrors };

const isErrorKey = (message: string): message is ErrorKey => (errorKeys as readonly string[]).includes(message);

/** Parses `input`; on failure, the first issue of each field as an error key. */
export function parseForm<S extends v.GenericSchema>(schema: S, input: unknown): Parsed<v.InferOutput<S>> {
	const result = v.safeParse(schema, input);
	if (result.success) return { ok: true, output: result.output };
	const errors: FieldErrors = {};
	for (const issue of result.issues) {
		const field = v.getDotPath(issue) ?? 'form';
		if (!(field in errors)) errors[field] = isErrorKey(issue.message) ? issue.message : 'invalid_value';
	}
	return { ok: false, errors };
}
