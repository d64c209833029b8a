/**
 * The password part of a connection's startup: answers to the server's Authentication
 * requests for cleartext, MD5 and SCRAM-SHA-256 (RFC 5802/7677, without channel binding),
 * checking the server's signature at the end of SCRAM.
 */
import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { cstr, int32, Writer } from './wire-codec.ts';

const pbkdf2Async = promisify(pbkdf2);

/** The server asked for something this client cannot do, or SCRAM did not check out. */
export class WireAuthError extends Error {}

export class PasswordAuth {
	private user: string;
	private password: string;
	private scram: { nonce: string; clientFirstBare: string; serverSignature?: Buffer } | null = null;

	constructor(user: string, password: string) {
		this.user = user;
		this.password = password;
	}

	/** The answer to one Authentication message's body, or null when none is due. */
	async reply(body: Buffer): Promise<Buffer | null> {
		const kind = body.readInt32BE(0);
		const w = new Writer();
		if (kind === 0) return null; // AuthenticationOk
		if (kind === 3) {
			w.message('p', cstr(this.password));
		} else if (kind === 5) {
			const salt = body.subarray(4, 8);
			const inner = createHash('md5').update(this.password + this.user).digest('hex');
			w.message('p', cstr('md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')));
		} else if (kind === 10) {
			const nonce = randomBytes(18).toString('base64');
			const clientFirstBare = `n=,r=${nonce}`;
			this.scram = { nonce, clientFirstBare };
			const data = Buffer.from(`n,,${clientFirstBare}`);
			w.message('p', Buffer.concat([cstr('SCRAM-SHA-256'), int32(data.length), data]));
		} else if (kind === 11 && this.scram) {
			const scram = this.scram;
			const serverFirst = body.subarray(4).toString();
			const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
			if (!attrs.r?.startsWith(scram.nonce)) throw new WireAuthError('SCRAM: server nonce mismatch');
			const salted = await pbkdf2Async(this.password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
			const clientKey = createHmac('sha256', salted).update('Client Key').digest();
			const storedKey = createHash('sha256').update(clientKey).digest();
			const finalWithoutProof = `c=biws,r=${attrs.r}`;
			const authMessage = `${scram.clientFirstBare},${serverFirst},${finalWithoutProof}`;
			const signature = createHmac('sha256', storedKey).update(authMessage).digest();
			const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
			const serverKey = createHmac('sha256', salted).update('Server Key').digest();
			scram.serverSignature = createHmac('sha256', serverKey).update(authMessage).digest();
			w.message('p', Buffer.from(`${finalWithoutProof},p=${proof.toString('base64')}`));
		} else if (kind === 12 && this.scram) {
			const v = body.subarray(4).toString().replace(/^v=/, '');
			if (!this.scram.serverSignature || Buffer.from(v, 'base64').compare(this.scram.serverSignature) !== 0) throw new WireAuthError('SCRAM: server signature mismatch');
			return null;
		} else {
			throw new WireAuthError(`unsupported authentication method ${kind}`);
		}
		return w.take();
	}
}
