import type { PatternItem } from './types.ts';

/**
 * "Who does what, as each sees it": both partners describe the couple as a whole. The
 * first two are the two directions of the reach-and-retreat pattern that couple
 * researchers measure; the third asks who gets the better deal in give and take. Each
 * partner answers from their own side, so "you reach" in one partner's answers is
 * "partner reaches" in the other's; scoring lines them up.
 */
export const patternItems: readonly PatternItem[] = [
	{
		kind: 'pattern',
		id: 'who.you-reach',
		pattern: 'you-reach',
		text: {
			nl: 'Hoe vaak gebeurt dit: jij zoekt contact of wilt praten, en je partner trekt zich terug?',
			en: 'How often does this happen: you reach out or want to talk, and your partner pulls back?'
		},
		response: 'frequency',
		seconds: 12
	},
	{
		kind: 'pattern',
		id: 'who.partner-reaches',
		pattern: 'partner-reaches',
		text: {
			nl: 'Hoe vaak gebeurt dit: je partner zoekt contact of wil praten, en jij trekt je terug?',
			en: 'How often does this happen: your partner reaches out or wants to talk, and you pull back?'
		},
		response: 'frequency',
		seconds: 12
	},
	{
		kind: 'pattern',
		id: 'who.fairness',
		pattern: 'fairness',
		text: {
			nl: 'Alles bij elkaar genomen: wie van jullie krijgt het meest terug voor wat jullie elkaar geven?',
			en: 'All in all, in what you give each other, which of you gets the better deal?'
		},
		response: 'fairness',
		seconds: 12
	}
];
