/** Helpers for the end-to-end tests: accessibility scans, screenshots, the mailbox. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const screenshotDir = path.resolve(import.meta.dirname, '../../test-results/screenshots');
mkdirSync(screenshotDir, { recursive: true });

/** Scans the page with axe-core (WCAG 2.2 A/AA rules): no serious or critical violations. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
	const bad = results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	expect(bad, `accessibility violations on ${label}`).toEqual([]);
}

/** Full-page screenshots at phone (390 px) and desktop (1280 px) width. */
export async function capture(page: Page, name: string): Promise<void> {
	const original = page.viewportSize() ?? { width: 1280, height: 800 };
	for (const [width, height] of [
		[390, 844],
		[1280, 800]
	]) {
		await page.setViewportSize({ width, height });
		await page.screenshot({ path: path.join(screenshotDir, `${name}-${width}.png`), fullPage: true });
	}
	await page.setViewportSize(original);
}

/** Every page visited is scanned and photographed. */
export async function visit(page: Page, name: string): Promise<void> {
	await page.waitForLoadState('networkidle');
	await expectAccessible(page, name);
	await capture(page, name);
}

let counter = 0;
export function uniqueEmail(prefix: string): string {
	counter += 1;
	return `${prefix}-${Date.now().toString(36)}-${counter}@example.test`;
}

interface MailSummary {
	ID: string;
	To: { Address: string }[];
	Subject: string;
	Link: string | null;
}

/** The newest mail to `address` in the runtime's mailbox (waits for it to arrive). */
export async function latestMail(address: string): Promise<MailSummary> {
	const url = `http://127.0.0.1:${process.env.E2E_MAILBOX_PORT}/api/v1/messages`;
	for (let attempt = 0; attempt < 50; attempt += 1) {
		const { messages } = (await (await fetch(url)).json()) as { messages: MailSummary[] };
		const mail = messages.find((m) => m.To.some((t) => t.Address.toLowerCase() === address.toLowerCase()));
		if (mail) return mail;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`no mail to ${address}`);
}
