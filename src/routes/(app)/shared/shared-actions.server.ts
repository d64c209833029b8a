/**
 * What the couple writes on the shared view: a note and a "we discussed this" mark per
 * collision, their cycle, their agreements. Every action re-checks the person and the
 * round (a layout load does not guard actions); row-level security checks again.
 */
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import * as v from 'valibot';
import { formValues } from '#lib/forms.ts';
import { signInPath } from '#lib/redirect.ts';

const situationId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,40}$/));
const uuid = v.pipe(v.string(), v.uuid());
const noteSchema = v.object({ situation: situationId, body: v.pipe(v.string(), v.maxLength(4000)) });
const discussedSchema = v.object({ situation: situationId, discussed: v.picklist(['1', '0']) });
const cycleField = v.pipe(v.string(), v.trim(), v.maxLength(300));
const cycleSchema = v.object({
	a_when: cycleField, a_you: cycleField, a_feel: cycleField, a_then: cycleField,
	b_when: cycleField, b_you: cycleField, b_feel: cycleField, b_then: cycleField
});
const agreementBody = v.object({ body: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(500)) });
const agreementId = v.object({ id: uuid });
const agreementToggle = v.object({ id: uuid, done: v.picklist(['1', '0']) });
const agreementMove = v.object({ id: uuid, direction: v.picklist(['up', 'down']) });

type Event = RequestEvent<{ roundId: string }>;

/** The round, when the person is signed in and it is a revealed round of their couple. */
async function discussableRound({ locals, url, params }: Event) {
	const user = await locals.getUser();
	if (!user) redirect(303, signInPath(url));
	if (!v.is(uuid, params.roundId)) return null;
	const { data, error } = await locals.supabase.from('rounds').select('id, couple_id').eq('id', params.roundId).not('revealed_at', 'is', null).maybeSingle();
	if (error) throw error;
	return data;
}

async function parsed<S extends v.GenericSchema>(event: Event, schema: S, names: readonly string[]) {
	const result = v.safeParse(schema, formValues(await event.request.formData(), names));
	return result.success ? result.output : null;
}

const notFound = () => fail(404, { message: 'not_found' as const });
const invalid = (action: string) => fail(400, { action, message: 'invalid' as const });
const failed = (action: string) => fail(400, { action, message: 'failed' as const });

export const sharedActions = {
	note: async (event: Event) => {
		const round = await discussableRound(event);
		if (!round) return notFound();
		const input = await parsed(event, noteSchema, ['situation', 'body']);
		if (!input) return invalid('note');
		const db = event.locals.supabase;
		const { data: updated, error } = await db.from('collision_notes').update({ body: input.body }).eq('round_id', round.id).eq('situation_id', input.situation).select('situation_id');
		if (error) return failed('note');
		if (updated.length === 0) {
			const { error: insertError } = await db.from('collision_notes').insert({ round_id: round.id, situation_id: input.situation, body: input.body });
			// Both partners saving the first note at once: the other insert won, so update it.
			if (insertError?.code === '23505') {
				const retry = await db.from('collision_notes').update({ body: input.body }).eq('round_id', round.id).eq('situation_id', input.situation);
				if (retry.error) return failed('note');
			} else if (insertError) return failed('note');
		}
		return { action: 'note', situation: input.situation, saved: true };
	},
	discussed: async (event: Event) => {
		const round = await discussableRound(event);
		if (!round) return notFound();
		const input = await parsed(event, discussedSchema, ['situation', 'discussed']);
		if (!input) return invalid('discussed');
		const discussed_at = input.discussed === '1' ? new Date().toISOString() : null;
		const db = event.locals.supabase;
		const { data: updated, error } = await db.from('collision_notes').update({ discussed_at }).eq('round_id', round.id).eq('situation_id', input.situation).select('situation_id');
		if (error) return failed('discussed');
		if (updated.length === 0) {
			const { error: insertError } = await db.from('collision_notes').insert({ round_id: round.id, situation_id: input.situation, discussed_at });
			if (insertError) return failed('discussed');
		}
		return { action: 'discussed', situation: input.situation, saved: true };
	},
	cycle: async (event: Event) => {
		const round = await discussableRound(event);
		if (!round) return notFound();
		const input = await parsed(event, cycleSchema, Object.keys(cycleSchema.entries));
		if (!input) return invalid('cycle');
		const steps = {
			a: { when: input.a_when, you: input.a_you, feel: input.a_feel, then: input.a_then },
			b: { when: input.b_when, you: input.b_you, feel: input.b_feel, then: input.b_then }
		};
		const db = event.locals.supabase;
		const { data: updated, error } = await db.from('cycles').update({ steps }).eq('round_id', round.id).select('round_id');
		if (error) return failed('cycle');
		if (updated.length === 0) {
			const { error: insertError } = await db.from('cycles').insert({ round_id: round.id, steps });
			if (insertError) return failed('cycle');
		}
		return { action: 'cycle', saved: true };
	},
	addAgreement: async (event: Event) => {
		const round = await discussableRound(event);
		if (!round) return notFound();
		const input = await parsed(event, agreementBody, ['body']);
		if (!input) return invalid('addAgreement');
		const db = event.locals.supabase;
		const { data: last } = await db.from('agreements').select('position').eq('couple_id', round.couple_id).order('position', { ascending: false }).limit(1);
		const position = (last?.[0]?.position ?? 0) + 1;
		const { error } = await db.from('agreements').insert({ couple_id: round.couple_id, body: input.body, position });
		if (error) return failed('addAgreement');
		return { action: 'addAgreement', saved: true };
	},
	toggleAgreement: async (event: Event) => {
		const round = await discussableRound(event);
		if (!round) return notFound();
		const input = await parsed(event, agreementToggle, ['id', 'done']);
		if (!input) return invalid('toggleAgreement');
		const { error } = await event.locals.supabase.from('agreements').update({ done: input.done === '1' }).eq('id', input.id).eq('couple_id', round.couple_id);
		if (error) return failed('toggleAgreement');
		return { action: 'toggleAgreement', saved: true };
	},
	moveAgreement: async (event: Event) => {
		const round = await discussableRound(event);
		if (!round) return notFound();
		const input = await parsed(event, agreementMove, ['id', 'direction']);
		if (!input) return invalid('moveAgreement');
		const db = event.locals.supabase;
		const { data: list, error } = await db.from('agreements').select('id, position').eq('couple_id', round.couple_id).order('position').order('created_at');
		if (error) return failed('moveAgreement');
		const index = list.findIndex((a) => a.id === input.id);
		const swapWith = input.direction === 'up' ? index - 1 : index + 1;
		if (index < 0 || swapWith < 0 || swapWith >= list.length) return { action: 'moveAgreement', saved: true };
		// Renumber the whole list in its new order, so equal positions can never get stuck.
		const order = list.map((a) => a.id);
		[order[index], order[swapWith]] = [order[swapWith], order[index]];
		const changes = order.map((id, i) => ({ id, position: i + 1 })).filter((c) => list.find((a) => a.id === c.id)!.position !== c.position);
		for (const change of changes) {
			const { error: moveError } = await db.from('agreements').update({ position: change.position }).eq('id', change.id);
			if (moveError) return failed('moveAgreement');
		}
		return { action: 'moveAgreement', saved: true };
	},
	removeAgreement: async (event: Event) => {
		const round = await discussableRound(event);
		if (!round) return notFound();
		const input = await parsed(event, agreementId, ['id']);
		if (!input) return invalid('removeAgreement');
		const { error } = await event.locals.supabase.from('agreements').delete().eq('id', input.id).eq('couple_id', round.couple_id);
		if (error) return failed('removeAgreement');
		return { action: 'removeAgreement', saved: true };
	}
};
