/**
 * Passwords: bcrypt at GoTrue's cost (10) with `$2a$` hashes, hashed and verified on the
 * libuv thread pool by `@node-rs/bcrypt`'s async functions, so a sign-in never blocks the
 * event loop (and with it every other request, Realtime included). Strength rules as
 * GoTrue's `checkPasswordStrength`.
 *
 * Two more things keep cheap requests fast while sign-ins saturate the CPU: hashes run
 * at most (CPUs − 1) at once, and fewer than the pool's threads (so a core stays free for
 * the event loop and PostgreSQL, and a pool thread for file and DNS work), and on Linux
 * the pool's threads run at a lower priority (nice 10) than the event loop, so a waking
 * event loop is scheduled ahead of them. On two cores that trades half the peak sign-in
 * rate for cheap requests staying fast (see bench/auth.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { hash, verify } from '@node-rs/bcrypt';
import { badRequest, weakPassword } from './errors.ts';

const POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const MAX_CONCURRENT = Math.max(1, Math.min(POOL_SIZE - 1, os.availableParallelism() - 1));
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
	if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
	running++;
	try {
		return await work();
	} finally {
		running--;
		waiting.shift()?.();
		lowerPoolPriority();
	}
}

let lowered = false;
/** Renices libuv's pool threads (they exist once the first hash ran); Linux only, best effort. */
function lowerPoolPriority(): void {
	if (lowered) return;
	lowered = true;
	if (process.platform !== 'linux') return;
	try {
		for (const tid of readdirSync('/proc/self/task')) {
			if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'libuv-worker') os.setPriority(Number(tid), 10);
		}
	} catch {
		// Not permitted here: priorities stay as they are.
	}
}

export const BCRYPT_COST = 10;
/** bcrypt reads at most 72 bytes; GoTrue refuses longer passwords. */
export const MAX_PASSWORD_LENGTH = 72;

export function hashPassword(password: string): Promise<string> {
	return limited(() => hash(password, { cost: BCRYPT_COST, version: '2a' }));
}

/** False for a wrong password, an empty or unreadable hash. */
export async function verifyPassword(password: string, encoded: string | null): Promise<boolean> {
	if (!encoded) return false;
	try {
		return await limited(() => verify(password, encoded));
	} catch {
		return false;
	}
}

/** The character sets `[auth] password_requirements` stands for, as the CLI passes them. */
export function requiredCharacterSets(requirement: string): string[] {
	const lower = 'abcdefghijklmnopqrstuvwxyz';
	const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
	const digits = '0123456789';
	const symbols = "!@#$%^&*()_+-=[]{};'\\:\"|<>?,./`~";
	switch (requirement) {
		case 'letters_digits':
			return [lower + upper, digits];
		case 'lower_upper_letters_digits':
			return [lower, upper, digits];
		case 'lower_upper_letters_digits_symbols':
			return [lower, upper, digits, symbols];
		default:
			return [];
	}
}

/** Throws GoTrue's errors for a too long (400) or weak (422 `weak_password`) password. */
export function checkPasswordStrength(password: string, minLength: number, requiredSets: string[]): void {
	if (Buffer.byteLength(password) > MAX_PASSWORD_LENGTH) {
		throw badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
	}
	const reasons: string[] = [];
	const messages: string[] = [];
	// Go measures strings in bytes.
	if (Buffer.byteLength(password) < minLength) {
		reasons.push('length');
		messages.push(`Password should be at least ${minLength} characters.`);
	}
	for (const set of requiredSets) {
		if (![...password].some((c) => set.includes(c))) {
			reasons.push('characters');
			messages.push(`Password should contain at least one character of each: ${requiredSets.join(', ')}.`);
			break;
		}
	}
	if (reasons.length) throw weakPassword(messages.join(' '), reasons);
}
