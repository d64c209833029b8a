/**
 * The couple space as the signed-in person sees it: their couple (if any), both
 * members with their names, the open invite and their notices. Everything is read with
 * the person's own client, so row-level security decides what comes back.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { renderSVG } from 'uqr';
import type { Database } from '#lib/supabase/database.types.ts';

type Client = SupabaseClient<Database>;

export interface CoupleMember {
	userId: string;
	displayName: string;
	joinedAt: string;
	isMe: boolean;
}

export interface CoupleSpace {
	coupleId: string;
	members: CoupleMember[];
	openInvite: { expiresAt: string } | null;
}

export async function loadCoupleSpace(supabase: Client, userId: string): Promise<CoupleSpace | null> {
	const { data: mine, error } = await supabase
		.from('couple_members')
		.select('couple_id')
		.eq('user_id', userId)
		.eq('role', 'partner')
		.maybeSingle();
	if (error) throw error;
	if (!mine) return null;

	const [members, invites] = await Promise.all([
		supabase.from('couple_members').select('user_id, joined_at').eq('couple_id', mine.couple_id).order('joined_at'),
		supabase
			.from('couple_invites')
			.select('expires_at')
			.eq('couple_id', mine.couple_id)
			.is('accepted_at', null)
			.is('declined_at', null)
			.is('revoked_at', null)
			.gt('expires_at', new Date().toISOString())
			.order('created_at', { ascending: false })
			.limit(1)
	]);
	if (members.error) throw members.error;
	if (invites.error) throw invites.error;

	const ids = members.data.map((row) => row.user_id);
	const { data: profiles, error: profileError } = await supabase.from('profiles').select('id, display_name').in('id', ids);
	if (profileError) throw profileError;
	const names = new Map(profiles.map((p) => [p.id, p.display_name]));

	return {
		coupleId: mine.couple_id,
		members: members.data.map((row) => ({
			userId: row.user_id,
			displayName: names.get(row.user_id) ?? '',
			joinedAt: row.joined_at,
			isMe: row.user_id === userId
		})),
		openInvite: invites.data[0] ? { expiresAt: invites.data[0].expires_at } : null
	};
}

export interface IssuedInvite {
	url: string;
	expiresAt: string;
	/** The link as a QR code (SVG markup made by uqr from the link alone). */
	qrSvg: string;
}

/** Issues a fresh invite link (revoking any open one) and draws its QR code. */
export async function issueInvite(supabase: Client, coupleId: string, origin: string): Promise<IssuedInvite | { error: { message: string } }> {
	const { data, error } = await supabase.rpc('issue_couple_invite', { couple_id: coupleId });
	if (error) return { error };
	const row = data[0];
	if (!row) return { error: { message: 'unknown' } };
	const url = `${origin}/invite/${row.token}`;
	return { url, expiresAt: row.expires_at, qrSvg: renderSVG(url, { border: 2, ecc: 'M' }) };
}

export async function loadNotices(supabase: Client) {
	const { data, error } = await supabase.from('notices').select('id, kind, actor_name, created_at').order('created_at', { ascending: false });
	if (error) throw error;
	return data;
}
