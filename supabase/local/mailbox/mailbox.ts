/**
 * The local mailbox: every email Auth sends is kept here (in memory, newest first, bounded)
 * and served on its own port, as the CLI's Mailpit is on 54324: a small page to read them
 * and a JSON API in Mailpit's shape (`/api/v1/messages`, `/api/v1/message/:id`).
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';

export interface Email {
	ID: string;
	From: { Name: string; Address: string };
	To: { Name: string; Address: string }[];
	Subject: string;
	Text: string;
	HTML: string;
	Created: string;
	/** The first link in the mail (confirmation, recovery, magic link), for convenience. */
	Link: string | null;
}

export interface OutgoingEmail {
	to: string;
	subject: string;
	text: string;
	html: string;
}

const LIMIT = 1000;
const FROM = { Name: 'Supabase (local)', Address: 'admin@email.com' };

const escapeHtml = (s: string) =>
	s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export class Mailbox {
	readonly messages: Email[] = [];
	private server: Server | null = null;
	url = '';

	send(mail: OutgoingEmail): Email {
		const link = /https?:\/\/[^\s"'<>]+/.exec(mail.text)?.[0] ?? /href="([^"]+)"/.exec(mail.html)?.[1] ?? null;
		const email: Email = {
			ID: randomUUID(),
			From: FROM,
			To: [{ Name: '', Address: mail.to }],
			Subject: mail.subject,
			Text: mail.text,
			HTML: mail.html,
			Created: new Date().toISOString(),
			Link: link ? link.replace(/&amp;/g, '&') : null
		};
		this.messages.unshift(email);
		if (this.messages.length > LIMIT) this.messages.length = LIMIT;
		return email;
	}

	/** Messages to one address, newest first. */
	to(address: string): Email[] {
		const wanted = address.toLowerCase();
		return this.messages.filter((m) => m.To.some((t) => t.Address.toLowerCase() === wanted));
	}

	async listen(port: number, host = '127.0.0.1'): Promise<string> {
		this.server = createServer((req, res) => {
			const url = new URL(req.url ?? '/', 'http://mailbox');
			const json = (status: number, body: unknown) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(body));
			};
			if (req.method === 'DELETE' && url.pathname === '/api/v1/messages') {
				this.messages.length = 0;
				return json(200, 'ok');
			}
			if (url.pathname === '/api/v1/messages') {
				const query = url.searchParams.get('query')?.toLowerCase();
				const list = query
					? this.messages.filter((m) => m.To.some((t) => t.Address.toLowerCase().includes(query.replace(/^to:/, ''))))
					: this.messages;
				return json(200, {
					total: this.messages.length,
					count: list.length,
					messages: list.map(({ Text, HTML, ...summary }) => ({ ...summary, Snippet: Text.slice(0, 120) }))
				});
			}
			const one = /^\/api\/v1\/message\/([\w-]+)$/.exec(url.pathname);
			if (one) {
				const mail = this.messages.find((m) => m.ID === one[1]);
				return mail ? json(200, mail) : json(404, { error: 'message not found' });
			}
			const view = /^\/view\/([\w-]+)$/.exec(url.pathname);
			if (view) {
				const mail = this.messages.find((m) => m.ID === view[1]);
				if (!mail) return json(404, { error: 'message not found' });
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "script-src 'none'" });
				return res.end(mail.HTML || `<pre>${escapeHtml(mail.Text)}</pre>`);
			}
			if (url.pathname === '/' || url.pathname === '/index.html') {
				const rows = this.messages
					.map(
						(m) =>
							`<tr><td>${escapeHtml(m.Created)}</td><td>${escapeHtml(m.To.map((t) => t.Address).join(', '))}</td><td><a href="/view/${m.ID}">${escapeHtml(m.Subject)}</a></td></tr>`
					)
					.join('');
				res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
				return res.end(
					`<!doctype html><html lang="en"><meta charset="utf-8"><title>Local mailbox</title>` +
						`<style>body{font:15px system-ui;margin:2rem}td,th{padding:.3rem .8rem;text-align:left;border-bottom:1px solid #ddd}</style>` +
						`<h1>Local mailbox</h1><p>${this.messages.length} message(s). JSON: <a href="/api/v1/messages">/api/v1/messages</a></p>` +
						`<table><tr><th>Received</th><th>To</th><th>Subject</th></tr>${rows}</table></html>`
				);
			}
			json(404, { error: 'not found' });
		});
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(port, host, () => resolve());
		});
		const address = this.server.address();
		const actual = typeof address === 'object' && address ? address.port : port;
		this.url = `http://${host}:${actual}`;
		return this.url;
	}

	async close(): Promise<void> {
		if (!this.server) return;
		const server = this.server;
		this.server = null;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
}
