/**
 * TOTP as GoTrue's MFA uses it (RFC 6238 through the `pquerna/otp` Go package): a 20-byte
 * random secret in unpadded base32, SHA-1, 6 digits, 30-second steps, a code accepted one
 * step either side of now; the `otpauth://` URI that authenticator apps read, and its QR
 * code as SVG markup (supabase-js turns it into a data URI).
 */
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';
import { goEncodeValues } from './mail.ts';

const PERIOD_SECONDS = 30;
const DIGITS = 6;

/** A new secret: 20 random bytes in base32 (32 characters, so no padding). */
export function newTotpSecret(): string {
	return new Secret({ size: 20 }).base32;
}

const totpOf = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS });

/** The code for `secret` at `timeMs`. */
export function totpCode(secret: string, timeMs: number): string {
	return totpOf(secret).generate({ timestamp: timeMs });
}

/** `totp.ValidateCustom` with GoTrue's options: 6 digits, the current step ± 1. */
export function validateTotp(code: string, secret: string, nowMs = Date.now()): boolean {
	if (code.length !== DIGITS) return false;
	return totpOf(secret).validate({ token: code, timestamp: nowMs, window: 1 }) !== null;
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
