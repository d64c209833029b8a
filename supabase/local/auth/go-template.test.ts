import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseGoTemplate, TemplateExecError, TemplateParseError } from './go-template.ts';

const text = (source: string, data: unknown = {}) => parseGoTemplate(source, { name: 't', html: false }).render(data);
const html = (source: string, data: unknown = {}) => parseGoTemplate(source, { name: 't', html: true }).render(data);
const parseError = (source: string, isHtml = false) => {
	try {
		parseGoTemplate(source, { name: 'mail.html', html: isHtml });
	} catch (error) {
		expect(error).toBeInstanceOf(TemplateParseError);
		return (error as TemplateParseError).message;
	}
	throw new Error('parsed');
};

describe('Go templates: text/template semantics', () => {
	it('prints fields, nested fields, dot and the root', () => {
		const data = { Email: 'a@b.test', Data: { language: 'en', name: { first: 'Ben' } } };
		expect(text('{{ .Email }}|{{.Data.language}}|{{ .Data.name.first }}', data)).toBe('a@b.test|en|Ben');
		expect(text('{{ with .Data }}{{ .language }} {{ $.Email }}{{ end }}', data)).toBe('en a@b.test');
		expect(text('{{ . }}', 'plain')).toBe('plain');
	});

	it('prints nothing for a missing field or a field of nothing', () => {
		expect(text('[{{ .Missing }}][{{ .Data.language }}][{{ .A.b.c }}]', { Data: null })).toBe('[][][]');
	});

	it('trims whitespace around {{- and -}} and drops comments', () => {
		expect(text('a  \n {{- .X -}} \n  b', { X: 1 })).toBe('a1b');
		expect(text('a {{/* a comment */}} b')).toBe('a  b');
		expect(text('a \n{{- /* trimmed */ -}}\n b')).toBe('ab');
		expect(text('{{-3}}')).toBe('-3');
	});

	it('chooses branches with if / else if / else and with / else', () => {
		const t = '{{ if eq .Data.language "en" }}EN{{ else if eq .Data.language "de" }}DE{{ else }}NL{{ end }}';
		expect(text(t, { Data: { language: 'en' } })).toBe('EN');
		expect(text(t, { Data: { language: 'de' } })).toBe('DE');
		expect(text(t, { Data: {} })).toBe('NL');
		expect(text(t, {})).toBe('NL');
		expect(text('{{ with .Name }}Hi {{ . }}{{ else }}Hi{{ end }}', { Name: '' })).toBe('Hi');
		expect(text('{{ with .Name }}Hi {{ . }}{{ else with .Alt }}Yo {{ . }}{{ end }}', { Alt: 'x' })).toBe('Yo x');
	});

	it('applies Go truth, and / or / not and comparisons', () => {
		expect(text('{{ if .A }}y{{ else }}n{{ end }}', { A: [] })).toBe('n');
		expect(text('{{ if .A }}y{{ else }}n{{ end }}', { A: { k: 1 } })).toBe('y');
		expect(text('{{ and .A .B }}|{{ or .A .B }}|{{ not .A }}', { A: 'x', B: '' })).toBe('|x|false');
		expect(text('{{ if and (eq .A "x") (ne .B "y") }}ok{{ end }}', { A: 'x', B: 'z' })).toBe('ok');
		expect(text('{{ eq .A "x" "y" }} {{ eq .A 1 }} {{ ne .A 1 }}', { A: 'y' })).toBe('true false true');
		expect(text('{{ lt .N 3 }} {{ ge .N 3 }} {{ len .S }} {{ index .M "k" }}', { N: 2, S: 'abc', M: { k: 'v' } })).toBe('true false 3 v');
		expect(text('{{ .A | print "x" }} {{ print 1 2 "a" }}', { A: 'y' })).toBe('xy 1 2a');
	});

	it('prints literals and non-string values as Go does', () => {
		expect(text('{{ "a\\tb" }} {{ `raw` }} {{ 42 }} {{ true }} {{ .L }} {{ .M }}', { L: ['a', 1], M: { b: 2, a: null } })).toBe(
			'a\tb raw 42 true [a 1] map[a:<nil> b:2]'
		);
	});

	it('raises Go-like errors at run time for comparisons Go refuses', () => {
		expect(() => text('{{ lt .A 1 }}', { A: 'x' })).toThrow(TemplateExecError);
		expect(() => text('{{ index .A 3 }}', { A: [1] })).toThrow(/out of range/);
	});
});

describe('Go templates: parse errors name the line and column', () => {
	it.each([
		['{{ if .A }}x', /mail\.html:1:1: unexpected EOF/],
		['a\nb {{ end }}', /mail\.html:2:3: unexpected \{\{end\}\}/],
		['{{ .A ', /unclosed action/],
		['x\n  {{ frobnicate .A }}', /mail\.html:2:6: function "frobnicate" not defined/],
		['{{ range .A }}{{ end }}', /range.*not supported/],
		['{{ "open }}', /unterminated quoted string/],
		['{{/* no end }}', /unclosed comment/],
		['{{ not }}', /wrong number of args for not/],
		['{{ .A .B }}', /can't give argument to non-function/],
		['{{ if .A }}a{{ else }}b{{ else }}c{{ end }}', /expected end; found \{\{else\}\}/],
		['{{ $x }}', /undefined variable "\$x"/]
	])('%j', (source, message) => {
		expect(parseError(source)).toMatch(message);
	});
});

describe('Go templates: html/template escaping for bodies', () => {
	const evil = `<script>alert("x")</script> & 'q' + 1`;

	it('escapes values in text and attributes, not the template itself', () => {
		expect(html('<p class="x">{{ .V }}</p>', { V: evil })).toBe(
			'<p class="x">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39; &#43; 1</p>'
		);
		expect(html(`<img alt='{{ .V }}'>`, { V: `"'` })).toBe(`<img alt='&#34;&#39;'>`);
	});

	it('normalises URLs in href, escapes query values and refuses unsafe schemes', () => {
		const url = 'http://127.0.0.1:54321/auth/v1/verify?token=abc&type=recovery&redirect_to=http://localhost:5173';
		expect(html('<a href="{{ .U }}">go</a>', { U: url })).toBe(
			'<a href="http://127.0.0.1:54321/auth/v1/verify?token=abc&amp;type=recovery&amp;redirect_to=http://localhost:5173">go</a>'
		);
		expect(html('<a href="{{ .U }}">x</a>', { U: 'javascript:alert(1)' })).toBe('<a href="#ZgotmplZ">x</a>');
		expect(html('<a href="{{ .U }}">x</a>', { U: 'http://x/a b' })).toBe('<a href="http://x/a%20b">x</a>');
		expect(html('<a href="https://x/?e={{ .E }}">x</a>', { E: 'a+b@c d&e' })).toBe('<a href="https://x/?e=a%2Bb%40c%20d%26e">x</a>');
	});

	it('leaves the subject unescaped (a plain-text header)', () => {
		expect(text('{{ .V }}', { V: 'Ben & Anna <3' })).toBe('Ben & Anna <3');
	});

	it('refuses actions where Go would use its CSS or JavaScript escapers', () => {
		expect(parseError('<a onclick="{{ .X }}">', true)).toMatch(/mail\.html:1:13: cannot print a value inside a style/);
		expect(parseError('<style>p { color: {{ .C }} }</style>', true)).toMatch(/inside <style>/);
		expect(parseError('<a {{ .X }}>', true)).toMatch(/inside a tag/);
		expect(parseError('<p class={{ .X }}>', true)).toMatch(/unquoted/);
		expect(html('<a {{ if .X }}class="on"{{ end }} href="{{ .U }}">x</a>', { X: true, U: 'https://x' })).toBe('<a class="on" href="https://x">x</a>');
	});

	it('refuses branches that leave the HTML in different contexts', () => {
		expect(parseError('{{ if .A }}<a href="{{ else }}<b>{{ end }}', true)).toMatch(/branches end in different HTML contexts/);
	});

	it('never throws on random data for a fixed template, and never lets markup through', () => {
		const template = parseGoTemplate(
			`<h1>{{ if eq .Data.language "en" }}Hi{{ else }}Hoi{{ end }} {{ .Data.display_name }}</h1>
			<p title="{{ .Email }}">{{- with .Data.note }}{{ . }}{{ end -}}</p>
			<a href="{{ .ConfirmationURL }}">{{ .Token }}</a> {{ len .Email }} {{ and .Data .Email }}`,
			{ name: 'fixed', html: true }
		);
		const json = fc.jsonValue();
		fc.assert(
			fc.property(
				fc.record({ Email: fc.string(), Token: fc.string(), ConfirmationURL: fc.oneof(fc.webUrl(), fc.string()), Data: fc.oneof(json, fc.dictionary(fc.constantFrom('language', 'display_name', 'note'), json)) }),
				(data) => {
					const out = template.render(data);
					// Only the template's own tags survive: every "<" starts one of them.
					const tags = out.match(/<[^>]*>?/g) ?? [];
					expect(tags.every((t) => /^<\/?(h1|p|a)\b/.test(t))).toBe(true);
					expect(out.match(/<(h1|p|a)\b/g)).toHaveLength(3);
				}
			),
			{ numRuns: 200 }
		);
	});
});
