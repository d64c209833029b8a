/**
 * The couple's private channel `couple:<id>`: progress and reveal events broadcast by the
 * database (realtime.send in triggers), and presence ("online now"). One instance per
 * page, created in an effect and destroyed in its cleanup.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';

export interface PartnerProgress {
	userId: string;
	roundId: string;
	answered: number;
	predicted: number;
	total: number;
	startedAt: string | null;
	submittedAt: string | null;
}

export interface CoupleChannelOptions {
	/** Called when the round was revealed (both submitted). */
	onRevealed?(roundId: string): void;
	/** Called on every progress event, after the state is updated. */
	onProgress?(progress: PartnerProgress): void;
	/** Called each time the channel is joined (again): a chance to catch up on what was missed meanwhile. */
	onJoined?(): void;
	/** Where this person is: 'answering', 'waiting', 'results' … shown to the partner. */
	place?: string;
}

export class CoupleChannel {
	/** Progress per user id, newest event wins. */
	progress = $state<Record<string, PartnerProgress>>({});
	/** User ids with this channel open right now. */
	online = $state<string[]>([]);
	/** 'connecting' until joined; 'live' while joined; 'offline' after an error or close. */
	connection = $state<'connecting' | 'live' | 'offline'>('connecting');

	#channel: RealtimeChannel;
	#supabase: SupabaseClient;

	constructor(supabase: SupabaseClient, coupleId: string, userId: string, options: CoupleChannelOptions = {}) {
		this.#supabase = supabase;
		this.#channel = supabase.channel(`couple:${coupleId}`, {
			config: { private: true, presence: { key: userId } }
		});
		this.#channel
			.on('broadcast', { event: 'progress' }, ({ payload }) => {
				const p = payload as PartnerProgress;
				if (!p?.userId) return;
				this.progress = { ...this.progress, [p.userId]: p };
				options.onProgress?.(p);
			})
			.on('broadcast', { event: 'revealed' }, ({ payload }) => {
				const roundId = (payload as { roundId?: string })?.roundId;
				if (roundId) options.onRevealed?.(roundId);
			})
			.on('presence', { event: 'sync' }, () => {
				this.online = Object.keys(this.#channel.presenceState());
			})
			.subscribe(async (status) => {
				if (status === 'SUBSCRIBED') {
					this.connection = 'live';
					options.onJoined?.();
					await this.#channel.track({ place: options.place ?? 'app', since: Date.now() });
				} else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
					this.connection = 'offline';
				}
			});
	}

	/**
	 * Adds progress read from the database (after a (re)join, to catch up on events sent
	 * while the channel was away). An event already heard is kept unless the read one
	 * shows a submit the event did not.
	 */
	remember(progress: PartnerProgress): void {
		const heard = this.progress[progress.userId];
		if (heard && heard.roundId === progress.roundId && (heard.submittedAt || !progress.submittedAt)) return;
		this.progress = { ...this.progress, [progress.userId]: progress };
	}

	isOnline(userId: string): boolean {
		return this.online.includes(userId);
	}

	destroy(): void {
		void this.#supabase.removeChannel(this.#channel);
	}
}
