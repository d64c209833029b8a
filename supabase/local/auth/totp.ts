/**
 * TOTP as GoTrue's MFA uses it (RFC 6238 through the `pquerna/otp` Go package): a 20-byte
 * random secret in unpadded base32, SHA-1, 6 digits, 30-second steps, a code accepted one
 * step either side of now; the `otpauth://` URI that authenticator apps read, and its QR
 * code as SVG markup (supabase-js turns it into a data URI).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { renderSVG } from 'uqr';
import { goEncodeValues } from './mail.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const PERIOD_SECONDS = 30;
const DIGITS = 6;

export function base32Encode(bytes: Uint8Array): string {
	let out = '';
	let value = 0;
	let bits = 0;
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

/** Decodes base32 as pquerna/otp does: spaces dropped, case ignored, padding optional. */
export function base32Decode(text: string): Buffer | null {
	const clean = text.replace(/\s+/g, '').toUpperCase().replace(/=+$/, '');
	const bytes: number[] = [];
	let value = 0;
	let bits = 0;
	for (const char of clean) {
		const index = BASE32.indexOf(char);
		if (index < 0) return null;
		value = ((value << 5) | index) & 0xffff;
		bits += 5;
		if (bits >= 8) {
			bytes.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(bytes);
}

/** A new secret: 20 random bytes, base32 without padding (32 characters). */
export function newTotpSecret(): string {
	return base32Encode(randomBytes(20));
}

/** The code for `secret` at `timeMs` (HOTP of the 30-second counter). */
export function totpCode(secret: string, timeMs: number): string {
	const key = base32Decode(secret);
	if (!key) throw new Error('TOTP secret is not base32');
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 1000 / PERIOD_SECONDS)));
	const digest = createHmac('sha1', key).update(counter).digest();
	const offset = digest[digest.length - 1] & 0x0f;
	const binary = digest.readUInt32BE(offset) & 0x7fffffff;
	return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** `totp.ValidateCustom` with GoTrue's options: 6 digits, the current step ± 1. */
export function validateTotp(code: string, secret: string, nowMs = Date.now()): boolean {
	if (code.length !== DIGITS) return false;
	let valid = false;
	for (const skew of [-1, 0, 1]) {
		const expected = Buffer.from(totpCode(secret, nowMs + skew * PERIOD_SECONDS * 1000));
		const given = Buffer.from(code);
		if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
	}
	return valid;
}

/** Go's `url.PathEscape`-style escaping of a URL path (`url.URL.String`): `:` and `@` stay. */
function escapePath(path: string): string {
	return Array.from(Buffer.from(path, 'utf8'))
		.map((byte) => {
			const char = String.fromCharCode(byte);
			return /[A-Za-z0-9\-._~$&+,/:;=@]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
		})
		.join('');
}

/**
 * The key URI pquerna/otp's `totp.Generate` makes: `otpauth://totp/<issuer>:<account>` and
 * the parameters as Go's `url.Values` encodes them (sorted by name).
 */
export function otpauthUri(issuer: string, accountName: string, secret: string): string {
	const query = goEncodeValues({ algorithm: 'SHA1', digits: String(DIGITS), issuer, period: String(PERIOD_SECONDS), secret });
	return `otpauth://totp${escapePath(`/${issuer}:${accountName}`)}?${query}`;
}

/**
 * The URI as a QR code in SVG markup: error correction level H and 3-pixel modules as
 * GoTrue draws it, with a width and height so an `<img>` shows it at its own size.
 */
export function qrCodeSvg(uri: string): string {
	const svg = renderSVG(uri, { ecc: 'H', pixelSize: 3, border: 0 });
	return svg.replace(/^<svg ([^>]*)viewBox="0 0 (\d+) (\d+)"/, '<svg $1width="$2" height="$3" viewBox="0 0 $2 $3"');
}
