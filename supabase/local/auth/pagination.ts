/**
 * Offset pagination of the admin lists (GoTrue's `pagination.go`): `page` and `per_page`
 * parsed as Go's `ParseUint`, and the `Link` (next, last) and `X-Total-Count` headers.
 */
import { badRequest } from './errors.ts';
import type { AuthRequest } from './state.ts';

export interface Page {
	page: number;
	perPage: number;
}

/** `paginate`: page 1 and 50 a page unless given; a page below 1 is the first, an empty page size 20. */
export function parsePage(query: URLSearchParams): Page {
	const parseUint = (name: string, fallback: number) => {
		const raw = query.get(name) ?? '';
		if (raw === '') return fallback;
		if (!/^\d+$/.test(raw) || Number(raw) > Number.MAX_SAFE_INTEGER) {
			throw badRequest('validation_failed', `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
		}
		return Number(raw);
	};
	const page = parseUint('page', 1);
	const perPage = parseUint('per_page', 50);
	return { page: page < 1 ? 1 : page, perPage: perPage < 1 ? 20 : perPage };
}

/** `addPaginationHeaders`, with links at GoTrue's own path (as behind the gateway) and the query keys sorted, as Go encodes them. */
export function paginationHeaders(r: AuthRequest, path: string, { page, perPage }: Page, total: number): Record<string, string> {
	const totalPages = Math.ceil(total / perPage);
	const link = (n: number) => {
		const values = new URLSearchParams(r.url.search);
		values.set('page', String(n));
		const sorted = [...new Set(values.keys())].sort();
		const text = sorted.flatMap((k) => values.getAll(k).map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
		return `<${path}?${text}>`;
	};
	let header = '';
	if (totalPages > page) header += `${link(page + 1)}; rel="next", `;
	header += `${link(totalPages)}; rel="last"`;
	r.res.setHeader('access-control-expose-headers', 'Content-Type, Date, Location, X-Total-Count, Link, X-Supabase-Api-Version');
	return { link: header, 'x-total-count': String(total) };
}
