/**
 * Test people: real accounts made through Auth's sign-up, each with a signed-in
 * supabase-js client, and a helper to link two of them as a couple.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { LocalSupabase } from '../../supabase/local/index.ts';
import { client, uniqueEmail } from './runtime.ts';

export interface Person {
	id: string;
	email: string;
	name: string;
	db: SupabaseClient;
	accessToken: string;
}

export const PASSWORD = 'a-long-test-password-1';

export async function signUp(runtime: LocalSupabase, name: string): Promise<Person> {
	const db = client(runtime);
	const email = uniqueEmail(name.toLowerCase());
	const { data, error } = await db.auth.signUp({ email, password: PASSWORD, options: { data: { display_name: name, language: 'nl' } } });
	if (error || !data.session || !data.user) throw new Error(`sign-up of ${name} failed: ${error?.message ?? 'no session'}`);
	return { id: data.user.id, email, name, db, accessToken: data.session.access_token };
}

/** A creates a couple and invites B, who accepts. Returns the couple id. */
export async function linkCouple(a: Person, b: Person): Promise<string> {
	const { data: coupleId, error } = await a.db.rpc('create_couple');
	if (error) throw new Error(`create_couple: ${error.message}`);
	const { data: invite, error: inviteError } = await a.db.rpc('issue_couple_invite', { couple_id: coupleId });
	if (inviteError) throw new Error(`issue_couple_invite: ${inviteError.message}`);
	const token = (Array.isArray(invite) ? invite[0] : invite).token as string;
	const { error: acceptError } = await b.db.rpc('accept_couple_invite', { token });
	if (acceptError) throw new Error(`accept_couple_invite: ${acceptError.message}`);
	return coupleId as string;
}
