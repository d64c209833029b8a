/**
 * A small Go template engine, enough for GoTrue's mail templates: the subset of
 * `text/template` that such templates use, and, for bodies, `html/template`'s contextual
 * escaping (see go-template-html.ts). Written from Go's documentation, not its source.
 *
 * Supported: `{{ . }}`, fields `{{ .A.b }}` (on objects, as on Go maps), `$` and `$.A`,
 * string ("…", `…`), number, `true`/`false`/`nil` literals, parenthesised pipelines,
 * `|` pipes, `{{- -}}` trimming, comments between `{{/*` and `* /}}`, `if` / `else if` / `else with` /
 * `else` / `end`, `with`, and the functions `and or not eq ne lt le gt ge len index print`.
 * Anything else (`range`, variables declared with `:=`, `define`, `template`, other
 * functions) is a parse error with line and column, as it would be in Go for an unknown
 * function.
 *
 * Where it is deliberately gentler than Go: a missing field or a field of nothing prints
 * nothing (html/template's output for a missing map key) instead of failing on a nil
 * value, and `eq`/`ne` on values of different kinds are false/true instead of an error,
 * so user-controlled metadata can never keep a mail from being sent.
 */
import { execute } from './go-template-exec.ts';
import { parseTemplate } from './go-template-parse.ts';

export { TemplateExecError } from './go-template-exec.ts';
export { TemplateParseError } from './go-template-parse.ts';

export interface GoTemplate {
	/** Renders with `data` as dot; throws TemplateExecError for errors Go raises at run time. */
	render(data: unknown): string;
}

/**
 * Parses a template. `html: true` escapes printed values by their HTML context, as
 * `html/template` does (bodies); `html: false` prints them as they are (subjects).
 */
export function parseGoTemplate(source: string, options: { name: string; html: boolean }): GoTemplate {
	const nodes = parseTemplate(options.name, source, options.html);
	return { render: (data) => execute(nodes, data) };
}
