import type { ScaleInfo } from './types.ts';

/** The nine scales, with what a high score on each means, in plain words. */
export const scales: readonly ScaleInfo[] = [
	{
		key: 'PUR',
		name: { nl: 'Naar de ander toe', en: 'Moving toward' },
		description: {
			nl: 'Als het spannend wordt, zoek je contact: praten, geruststelling, weten waar je staat.',
			en: 'When things get tense, you reach for contact: talking, reassurance, knowing where you stand.'
		},
		minPrompts: 7
	},
	{
		key: 'WDR',
		name: { nl: 'Afstand nemen', en: 'Moving away' },
		description: {
			nl: 'Als het spannend wordt, zoek je ruimte: stil worden, even weg, afleiding in werk of bezigheden.',
			en: 'When things get tense, you look for room: going quiet, stepping out, finding distraction in work or activity.'
		},
		minPrompts: 7
	},
	{
		key: 'ABF',
		name: { nl: 'Angst om verlaten te worden', en: 'Fear of being left' },
		description: {
			nl: 'Je bent bang dat je partner weggaat, of dat je niet genoeg bent.',
			en: 'You worry that your partner will leave, or that you are not enough.'
		},
		minPrompts: 4
	},
	{
		key: 'ENF',
		name: { nl: 'Angst om opgeslokt te worden', en: 'Fear of being swallowed' },
		description: {
			nl: 'Je bent bang om jezelf of je vrijheid kwijt te raken als het te dichtbij komt.',
			en: 'You worry about losing yourself or your freedom when things get very close.'
		},
		minPrompts: 4
	},
	{
		key: 'GIV',
		name: { nl: 'Wat je geeft', en: 'What you give' },
		description: {
			nl: 'De tijd, aandacht en zorg die je in jullie relatie steekt.',
			en: 'The time, attention and care you put into your relationship.'
		},
		minPrompts: 4
	},
	{
		key: 'REC',
		name: { nl: 'Wat je ontvangt', en: 'What you receive' },
		description: {
			nl: 'Wat je van je partner krijgt aan aandacht, steun en warmte.',
			en: 'What you get from your partner in attention, support and warmth.'
		},
		minPrompts: 4
	},
	{
		key: 'SEEN',
		name: { nl: 'Je inzet komt aan', en: 'Your giving lands' },
		description: {
			nl: 'Wat je doet, wordt opgemerkt en gewaardeerd.',
			en: 'What you do is noticed and valued.'
		},
		minPrompts: 3
	},
	{
		key: 'ASK',
		name: { nl: 'Nooit genoeg', en: 'Never enough' },
		description: {
			nl: 'Je voelt je overvraagd: wat je ook doet, er blijft iets te wensen over.',
			en: 'You feel asked too much of: whatever you do, something is still wanted.'
		},
		minPrompts: 3
	},
	{
		key: 'FLIP',
		name: { nl: 'Rollen die omdraaien', en: 'Roles that flip' },
		description: {
			nl: 'Je herkent beide kanten in jezelf; soms wisselen jullie van rol.',
			en: 'You recognise both sides in yourself; sometimes the two of you swap roles.'
		},
		minPrompts: 3
	}
];
