/**
 * Presence for one topic, as Phoenix.Presence shapes it: a state
 * `{ key: { metas: [{ phx_ref, ...payload }] } }` and diffs `{ joins, leaves }` in the same
 * shape. Each subscriber (one channel on one socket) holds at most one meta under its
 * presence key; several sockets may share a key.
 */
import { randomBytes } from 'node:crypto';

export type Meta = { phx_ref: string; phx_ref_prev?: string } & Record<string, unknown>;
export type PresenceState = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
	joins: PresenceState;
	leaves: PresenceState;
}

const newRef = () => randomBytes(9).toString('base64url');

export class PresenceTracker<Owner> {
	/** key → (owner → meta) */
	private byKey = new Map<string, Map<Owner, Meta>>();
	/** owner → its key and the JSON of its last tracked payload (to skip no-op updates) */
	private owners = new Map<Owner, { key: string; json: string }>();

	get size(): number {
		return this.owners.size;
	}

	state(): PresenceState {
		const out: PresenceState = {};
		for (const [key, metas] of this.byKey) out[key] = { metas: [...metas.values()] };
		return out;
	}

	/** Tracks or updates `owner` under `key`; returns the diff to announce, or null if nothing changed. */
	track(owner: Owner, key: string, payload: Record<string, unknown>): PresenceDiff | null {
		const json = JSON.stringify(payload);
		const current = this.owners.get(owner);
		if (current && current.key === key && current.json === json) return null;
		const leaves: PresenceState = {};
		let prevRef: string | undefined;
		if (current) {
			const old = this.remove(owner);
			if (old) {
				leaves[current.key] = { metas: [old] };
				prevRef = old.phx_ref;
			}
		}
		const meta: Meta = { ...payload, phx_ref: newRef() };
		if (prevRef && current?.key === key) meta.phx_ref_prev = prevRef;
		let metas = this.byKey.get(key);
		if (!metas) this.byKey.set(key, (metas = new Map()));
		metas.set(owner, meta);
		this.owners.set(owner, { key, json });
		return { joins: { [key]: { metas: [meta] } }, leaves };
	}

	/** Removes `owner`'s presence; returns the diff to announce, or null if it had none. */
	untrack(owner: Owner): PresenceDiff | null {
		const current = this.owners.get(owner);
		if (!current) return null;
		const old = this.remove(owner);
		return old ? { joins: {}, leaves: { [current.key]: { metas: [old] } } } : null;
	}

	private remove(owner: Owner): Meta | null {
		const current = this.owners.get(owner);
		if (!current) return null;
		this.owners.delete(owner);
		const metas = this.byKey.get(current.key);
		const meta = metas?.get(owner) ?? null;
		metas?.delete(owner);
		if (metas && metas.size === 0) this.byKey.delete(current.key);
		return meta;
	}
}
