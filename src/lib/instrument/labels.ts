import type { Localized, ResponseFormat } from './types.ts';

/**
 * The seven labelled answer choices per format; index 0 belongs to answer 1. The
 * fairness item is stored as 1–7 like every answer and read as −3…+3 (answer − 4):
 * negative "my partner gets more", 0 "even", positive "I get more".
 */
export const responseLabels: Readonly<Record<ResponseFormat, readonly Localized[]>> = {
	agreement: [
		{ nl: 'Helemaal niet mee eens', en: 'Strongly disagree' },
		{ nl: 'Niet mee eens', en: 'Disagree' },
		{ nl: 'Een beetje niet mee eens', en: 'Somewhat disagree' },
		{ nl: 'Neutraal', en: 'Neither agree nor disagree' },
		{ nl: 'Een beetje mee eens', en: 'Somewhat agree' },
		{ nl: 'Mee eens', en: 'Agree' },
		{ nl: 'Helemaal mee eens', en: 'Strongly agree' }
	],
	frequency: [
		{ nl: 'Nooit', en: 'Never' },
		{ nl: 'Bijna nooit', en: 'Almost never' },
		{ nl: 'Zelden', en: 'Rarely' },
		{ nl: 'Soms', en: 'Sometimes' },
		{ nl: 'Vaak', en: 'Often' },
		{ nl: 'Heel vaak', en: 'Very often' },
		{ nl: 'Bijna altijd', en: 'Almost always' }
	],
	fairness: [
		{ nl: 'Mijn partner, veel meer', en: 'My partner, by far' },
		{ nl: 'Mijn partner, duidelijk meer', en: 'My partner, clearly' },
		{ nl: 'Mijn partner, iets meer', en: 'My partner, a little' },
		{ nl: 'Gelijk', en: 'Even' },
		{ nl: 'Ik, iets meer', en: 'Me, a little' },
		{ nl: 'Ik, duidelijk meer', en: 'Me, clearly' },
		{ nl: 'Ik, veel meer', en: 'Me, by far' }
	]
};

/** Texts around the answering screens that belong to the instrument's wording. */
export const passTexts = {
	mainIntro: {
		nl: 'Lees elke uitspraak en kies hoe goed die bij je past. Denk aan hoe het meestal gaat, niet aan één keer. Er zijn geen goede of foute antwoorden.',
		en: 'Read each statement and choose how well it fits you. Think of how it usually goes, not of one time. There are no right or wrong answers.'
	},
	predictionIntro: {
		nl: 'Je partner las dezelfde uitspraken. Hoe denk je dat je partner ze beantwoordde? Dit is een gok, en dat mag.',
		en: 'Your partner read the same statements. How do you think they answered? This is a guess, and that is fine.'
	},
	predictionQuestion: {
		nl: 'Wat denk je dat je partner hier antwoordde?',
		en: 'What do you think your partner answered here?'
	},
	reflectionIntro: {
		nl: 'Deze vragen zijn alleen voor jou. Wat je schrijft, ziet niemand anders, tenzij je zelf besluit het te delen.',
		en: 'These questions are for you alone. Nobody else sees what you write, unless you decide to share it.'
	}
} as const satisfies Record<string, Localized>;
