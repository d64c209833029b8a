/**
 * The part of Go's `html/template` that mail templates need: which HTML context an
 * action prints into (text, a quoted attribute, or a URL attribute and which part of the
 * URL), and the escapers Go picks for each. Written from the package's documented
 * behaviour; contexts Go escapes with its CSS or JavaScript escapers (`<script>`,
 * `<style>`, `style=` and `on…=` attributes), unquoted attributes and actions inside a
 * tag itself are refused at parse time instead of being escaped wrongly.
 */

export type UrlPart = 'start' | 'path' | 'query';

export type HtmlContext =
	| { state: 'text' }
	| { state: 'tag' }
	| { state: 'attr-name'; name: string }
	| { state: 'after-attr-name'; name: string }
	| { state: 'before-value'; name: string }
	| { state: 'value'; quote: '"' | "'"; kind: 'attr' | 'url' | 'other'; urlPart: UrlPart }
	| { state: 'unquoted'; name: string }
	| { state: 'raw'; element: string }
	| { state: 'comment' };

export const TEXT: HtmlContext = { state: 'text' };

/** How an attribute's value is escaped, after Go's `attrType`. */
function attrKind(name: string): 'attr' | 'url' | 'other' {
	let n = name.toLowerCase();
	if (n.startsWith('data-')) n = n.slice(5);
	else if (n.includes(':')) n = n.slice(n.indexOf(':') + 1);
	if (n.startsWith('on') || n === 'style' || n === 'srcset') return 'other';
	const urls = ['href', 'src', 'action', 'cite', 'background', 'codebase', 'data', 'formaction', 'icon', 'longdesc', 'manifest', 'poster', 'profile', 'usemap'];
	if (urls.includes(n) || n.includes('src') || n.includes('uri') || n.includes('url')) return 'url';
	return 'attr';
}

const SPACE = /[ \t\n\f\r]/;
const RAW_ELEMENTS = new Set(['script', 'style']);

/** The context after `text`, starting from `context`. */
export function advance(context: HtmlContext, text: string): HtmlContext {
	let c = context;
	let i = 0;
	while (i < text.length) {
		const ch = text[i];
		switch (c.state) {
			case 'text': {
				const lt = text.indexOf('<', i);
				if (lt < 0) return c;
				if (text.startsWith('<!--', lt)) {
					c = { state: 'comment' };
					i = lt + 4;
					break;
				}
				const tag = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(text.slice(lt));
				if (!tag) {
					i = lt + 1;
					break;
				}
				i = lt + tag[0].length;
				const name = tag[1].toLowerCase();
				// A start tag of <script> or <style> leads into raw text once the tag closes.
				const close = tag[0][1] === '/' ? -1 : text.indexOf('>', i);
				if (RAW_ELEMENTS.has(name) && close >= 0 && !/["']/.test(text.slice(i, close))) {
					c = { state: 'raw', element: name };
					i = close + 1;
				} else {
					c = { state: 'tag' };
				}
				break;
			}
			case 'comment': {
				const end = text.indexOf('-->', i);
				if (end < 0) return c;
				c = TEXT;
				i = end + 3;
				break;
			}
			case 'raw': {
				const end = text.toLowerCase().indexOf(`</${c.element}`, i);
				if (end < 0) return c;
				i = end + 2 + c.element.length;
				c = { state: 'tag' };
				break;
			}
			case 'tag':
				if (ch === '>') c = TEXT;
				else if (!SPACE.test(ch) && ch !== '/') c = { state: 'attr-name', name: ch };
				i++;
				break;
			case 'attr-name':
				if (ch === '=') c = { state: 'before-value', name: c.name };
				else if (ch === '>') c = TEXT;
				else if (SPACE.test(ch)) c = { state: 'after-attr-name', name: c.name };
				else c = { state: 'attr-name', name: c.name + ch };
				i++;
				break;
			case 'after-attr-name':
				if (ch === '=') c = { state: 'before-value', name: c.name };
				else if (ch === '>') c = TEXT;
				else if (!SPACE.test(ch)) c = { state: 'attr-name', name: ch };
				i++;
				break;
			case 'before-value':
				if (ch === '"' || ch === "'") c = { state: 'value', quote: ch, kind: attrKind(c.name), urlPart: 'start' };
				else if (ch === '>') c = TEXT;
				else if (!SPACE.test(ch)) c = { state: 'unquoted', name: c.name };
				i++;
				break;
			case 'unquoted':
				if (ch === '>') c = TEXT;
				else if (SPACE.test(ch)) c = { state: 'tag' };
				i++;
				break;
			case 'value': {
				const end = text.indexOf(c.quote, i);
				const chunk = end < 0 ? text.slice(i) : text.slice(i, end);
				if (c.kind === 'url' && chunk) {
					const urlPart: UrlPart = /[?#]/.test(chunk) ? 'query' : c.urlPart === 'start' ? 'path' : c.urlPart;
					c = { ...c, urlPart };
				}
				if (end < 0) return c;
				c = { state: 'tag' };
				i = end + 1;
				break;
			}
		}
	}
	return c;
}

/** Where an action may print; otherwise a sentence saying why not. */
export function escaperFor(context: HtmlContext): ((value: string) => string) | string {
	switch (context.state) {
		case 'text':
			return htmlEscape;
		case 'value':
			if (context.kind === 'attr') return htmlEscape;
			if (context.kind === 'other') return 'inside a style, srcset or event handler attribute (Go escapes those as CSS or JavaScript)';
			if (context.urlPart === 'start') return (v) => htmlEscape(urlNormalize(urlFilter(v)));
			if (context.urlPart === 'path') return (v) => htmlEscape(urlNormalize(v));
			return (v) => htmlEscape(urlEscape(v));
		case 'raw':
			return `inside <${context.element}>`;
		case 'comment':
			return 'inside an HTML comment';
		case 'unquoted':
		case 'before-value':
			return 'in an unquoted attribute value (quote it)';
		default:
			return 'inside a tag, outside an attribute value';
	}
}

const HTML_ESCAPES: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', '&': '&amp;', "'": '&#39;', '+': '&#43;', '<': '&lt;', '>': '&gt;' };

/** Go's `htmlEscaper` (text and quoted attribute values). */
export function htmlEscape(value: string): string {
	return value.replace(/[\0"&'+<>]/g, (c) => HTML_ESCAPES[c]);
}

/** Go's `urlFilter`: a URL with a scheme other than http, https or mailto becomes `#ZgotmplZ`. */
export function urlFilter(value: string): string {
	const colon = value.indexOf(':');
	if (colon >= 0 && !value.slice(0, colon).includes('/')) {
		const scheme = value.slice(0, colon).toLowerCase();
		if (scheme !== 'http' && scheme !== 'https' && scheme !== 'mailto') return '#ZgotmplZ';
	}
	return value;
}

const URL_KEEP_NORMALIZED = /[A-Za-z0-9\-._~!#$&*+,/:;=?@[\]%]/;
const URL_KEEP_ESCAPED = /[A-Za-z0-9\-._~]/;

function percentEncode(value: string, keep: RegExp): string {
	let out = '';
	for (const ch of value) {
		if (ch.length === 1 && keep.test(ch)) {
			out += ch;
			continue;
		}
		for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
	}
	return out;
}

/** Go's `urlNormalizer`: percent-encodes what may not appear in a URL, keeps the rest. */
export function urlNormalize(value: string): string {
	return percentEncode(value, URL_KEEP_NORMALIZED);
}

/** Go's `urlEscaper`, for values in a URL's query or fragment. */
export function urlEscape(value: string): string {
	return percentEncode(value, URL_KEEP_ESCAPED);
}
