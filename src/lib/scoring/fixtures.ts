/**
 * Three demo couples' answers, keyed by prompt id (instrument `samenspel-2026.1`), with
 * each partner's guesses of the other's answers. The seed and the end-to-end tests
 * reuse them, so the figures they show can be checked against `scoreCouple`.
 *
 * - `pursueWithdraw` (Anna and Ben of seed.sql): A clearly moves toward, B clearly steps
 *   back; A feels she gives more than she gets, B feels over-asked.
 * - `twoPursuers`: both reach out hard under strain, both fear being left.
 * - `balanced`: neither leans far either way; giving and receiving feel even.
 */
import type { CoupleAnswers } from './types.ts';

/** The instrument version these answers were written for. */
export const FIXTURE_INSTRUMENT_VERSION = 'samenspel-2026.1';

export type DemoCoupleKey = 'pursueWithdraw' | 'twoPursuers' | 'balanced';

export const demoCouples: Readonly<Record<DemoCoupleKey, CoupleAnswers>> = {
	pursueWithdraw: {
		a: {
			answers: {
				'pur.after-conflict': 7, 'wdr.after-conflict': 1, 'wdr.more-together': 2, 'pur.more-together': 6,
				'pur.partner-away': 7, 'wdr.partner-away': 2, 'wdr.unappreciated': 3, 'pur.unappreciated': 6,
				'pur.outside-stress': 5, 'wdr.outside-stress': 2, 'wdr.vulnerable': 1, 'pur.vulnerable': 6,
				'pur.decision': 5, 'wdr.decision': 2, 'wdr.after-closeness': 1, 'pur.after-closeness': 6,
				'pur.wait-calmly': 2, 'wdr.stay-with-it': 6,
				'abf.leave': 6, 'enf.lose-self': 2, 'abf.enough': 6, 'enf.pinned-down': 1, 'abf.small-rejection': 7,
				'enf.door-ajar': 2, 'abf.trust-stays': 3, 'enf.doubt-safer': 2, 'abf.distance': 6, 'enf.close-and-free': 6,
				'giv.time-attention': 6, 'rec.attention': 3, 'seen.notices': 3, 'ask.more': 2, 'giv.please': 6,
				'rec.matter': 3, 'seen.valued': 3, 'ask.missing': 2, 'giv.think-ahead': 7, 'rec.count-on': 4,
				'seen.unnoticed': 5, 'ask.weight': 3, 'giv.leave-to-partner': 2, 'rec.miss-warmth': 6, 'seen.thanks': 4,
				'ask.content': 4, 'giv.make-room': 6, 'rec.effort': 3,
				'flip.stop-reaching': 3, 'flip.both-urges': 4, 'flip.swap': 3,
				'who.you-reach': 6, 'who.partner-reaches': 2, 'who.fairness': 2
			},
			predictions: {
				'pur.after-conflict': 2, 'wdr.after-conflict': 7, 'wdr.more-together': 7, 'pur.more-together': 1,
				'pur.partner-away': 2, 'wdr.partner-away': 6, 'wdr.unappreciated': 5, 'pur.unappreciated': 2,
				'pur.outside-stress': 2, 'wdr.outside-stress': 7, 'wdr.vulnerable': 6, 'pur.vulnerable': 2,
				'pur.decision': 1, 'wdr.decision': 6, 'wdr.after-closeness': 6, 'pur.after-closeness': 2,
				'pur.wait-calmly': 7, 'wdr.stay-with-it': 1,
				'giv.time-attention': 3, 'giv.please': 3, 'giv.think-ahead': 2, 'giv.leave-to-partner': 6, 'giv.make-room': 3,
				'rec.attention': 6, 'rec.matter': 6, 'rec.count-on': 6, 'rec.miss-warmth': 2, 'rec.effort': 6
			}
		},
		b: {
			answers: {
				'pur.after-conflict': 2, 'wdr.after-conflict': 7, 'wdr.more-together': 6, 'pur.more-together': 2,
				'pur.partner-away': 3, 'wdr.partner-away': 5, 'wdr.unappreciated': 6, 'pur.unappreciated': 3,
				'pur.outside-stress': 2, 'wdr.outside-stress': 6, 'wdr.vulnerable': 6, 'pur.vulnerable': 3,
				'pur.decision': 2, 'wdr.decision': 6, 'wdr.after-closeness': 5, 'pur.after-closeness': 3,
				'pur.wait-calmly': 6, 'wdr.stay-with-it': 2,
				'abf.leave': 3, 'enf.lose-self': 6, 'abf.enough': 3, 'enf.pinned-down': 6, 'abf.small-rejection': 4,
				'enf.door-ajar': 5, 'abf.trust-stays': 5, 'enf.doubt-safer': 5, 'abf.distance': 3, 'enf.close-and-free': 3,
				'giv.time-attention': 5, 'rec.attention': 5, 'seen.notices': 3, 'ask.more': 6, 'giv.please': 4,
				'rec.matter': 5, 'seen.valued': 3, 'ask.missing': 6, 'giv.think-ahead': 4, 'rec.count-on': 6,
				'seen.unnoticed': 5, 'ask.weight': 6, 'giv.leave-to-partner': 4, 'rec.miss-warmth': 3, 'seen.thanks': 3,
				'ask.content': 2, 'giv.make-room': 4, 'rec.effort': 5,
				'flip.stop-reaching': 3, 'flip.both-urges': 5, 'flip.swap': 4,
				'who.you-reach': 3, 'who.partner-reaches': 5, 'who.fairness': 4
			},
			predictions: {
				'pur.after-conflict': 7, 'wdr.after-conflict': 2, 'wdr.more-together': 2, 'pur.more-together': 7,
				'pur.partner-away': 6, 'wdr.partner-away': 2, 'wdr.unappreciated': 2, 'pur.unappreciated': 7,
				'pur.outside-stress': 6, 'wdr.outside-stress': 2, 'wdr.vulnerable': 2, 'pur.vulnerable': 6,
				'pur.decision': 6, 'wdr.decision': 1, 'wdr.after-closeness': 2, 'pur.after-closeness': 6,
				'pur.wait-calmly': 1, 'wdr.stay-with-it': 6,
				'giv.time-attention': 6, 'giv.please': 5, 'giv.think-ahead': 6, 'giv.leave-to-partner': 2, 'giv.make-room': 6,
				'rec.attention': 5, 'rec.matter': 6, 'rec.count-on': 5, 'rec.miss-warmth': 3, 'rec.effort': 5
			}
		}
	},
	twoPursuers: {
		a: {
			answers: {
				'pur.after-conflict': 7, 'wdr.after-conflict': 2, 'wdr.more-together': 1, 'pur.more-together': 6,
				'pur.partner-away': 6, 'wdr.partner-away': 2, 'wdr.unappreciated': 2, 'pur.unappreciated': 7,
				'pur.outside-stress': 6, 'wdr.outside-stress': 3, 'wdr.vulnerable': 2, 'pur.vulnerable': 6,
				'pur.decision': 6, 'wdr.decision': 1, 'wdr.after-closeness': 2, 'pur.after-closeness': 5,
				'pur.wait-calmly': 2, 'wdr.stay-with-it': 6,
				'abf.leave': 5, 'enf.lose-self': 2, 'abf.enough': 6, 'enf.pinned-down': 2, 'abf.small-rejection': 6,
				'enf.door-ajar': 1, 'abf.trust-stays': 3, 'enf.doubt-safer': 2, 'abf.distance': 6, 'enf.close-and-free': 6,
				'giv.time-attention': 6, 'rec.attention': 4, 'seen.notices': 4, 'ask.more': 4, 'giv.please': 5,
				'rec.matter': 4, 'seen.valued': 3, 'ask.missing': 5, 'giv.think-ahead': 6, 'rec.count-on': 5,
				'seen.unnoticed': 5, 'ask.weight': 4, 'giv.leave-to-partner': 2, 'rec.miss-warmth': 5, 'seen.thanks': 4,
				'ask.content': 3, 'giv.make-room': 6, 'rec.effort': 4,
				'flip.stop-reaching': 4, 'flip.both-urges': 3, 'flip.swap': 2,
				'who.you-reach': 5, 'who.partner-reaches': 3, 'who.fairness': 3
			},
			predictions: {
				'pur.after-conflict': 6, 'wdr.after-conflict': 3, 'wdr.more-together': 2, 'pur.more-together': 5,
				'pur.partner-away': 4, 'wdr.partner-away': 3, 'wdr.unappreciated': 3, 'pur.unappreciated': 5,
				'pur.outside-stress': 5, 'wdr.outside-stress': 3, 'wdr.vulnerable': 3, 'pur.vulnerable': 5,
				'pur.decision': 6, 'wdr.decision': 2, 'wdr.after-closeness': 3, 'pur.after-closeness': 5,
				'pur.wait-calmly': 3, 'wdr.stay-with-it': 5,
				'giv.time-attention': 4, 'giv.please': 4, 'giv.think-ahead': 4, 'giv.leave-to-partner': 4, 'giv.make-room': 4,
				'rec.attention': 5, 'rec.matter': 5, 'rec.count-on': 5, 'rec.miss-warmth': 3, 'rec.effort': 5
			}
		},
		b: {
			answers: {
				'pur.after-conflict': 6, 'wdr.after-conflict': 2, 'wdr.more-together': 2, 'pur.more-together': 7,
				'pur.partner-away': 6, 'wdr.partner-away': 1, 'wdr.unappreciated': 3, 'pur.unappreciated': 6,
				'pur.outside-stress': 5, 'wdr.outside-stress': 2, 'wdr.vulnerable': 2, 'pur.vulnerable': 7,
				'pur.decision': 7, 'wdr.decision': 2, 'wdr.after-closeness': 1, 'pur.after-closeness': 6,
				'pur.wait-calmly': 1, 'wdr.stay-with-it': 7,
				'abf.leave': 6, 'enf.lose-self': 3, 'abf.enough': 5, 'enf.pinned-down': 2, 'abf.small-rejection': 6,
				'enf.door-ajar': 2, 'abf.trust-stays': 3, 'enf.doubt-safer': 1, 'abf.distance': 5, 'enf.close-and-free': 5,
				'giv.time-attention': 6, 'rec.attention': 3, 'seen.notices': 3, 'ask.more': 5, 'giv.please': 6,
				'rec.matter': 4, 'seen.valued': 4, 'ask.missing': 5, 'giv.think-ahead': 5, 'rec.count-on': 4,
				'seen.unnoticed': 4, 'ask.weight': 5, 'giv.leave-to-partner': 3, 'rec.miss-warmth': 5, 'seen.thanks': 3,
				'ask.content': 3, 'giv.make-room': 6, 'rec.effort': 4,
				'flip.stop-reaching': 3, 'flip.both-urges': 2, 'flip.swap': 3,
				'who.you-reach': 6, 'who.partner-reaches': 2, 'who.fairness': 3
			},
			predictions: {
				'pur.after-conflict': 5, 'wdr.after-conflict': 4, 'wdr.more-together': 4, 'pur.more-together': 4,
				'pur.partner-away': 5, 'wdr.partner-away': 3, 'wdr.unappreciated': 4, 'pur.unappreciated': 6,
				'pur.outside-stress': 4, 'wdr.outside-stress': 4, 'wdr.vulnerable': 3, 'pur.vulnerable': 5,
				'pur.decision': 6, 'wdr.decision': 3, 'wdr.after-closeness': 3, 'pur.after-closeness': 4,
				'pur.wait-calmly': 3, 'wdr.stay-with-it': 5,
				'giv.time-attention': 5, 'giv.please': 4, 'giv.think-ahead': 5, 'giv.leave-to-partner': 3, 'giv.make-room': 5,
				'rec.attention': 4, 'rec.matter': 5, 'rec.count-on': 5, 'rec.miss-warmth': 4, 'rec.effort': 4
			}
		}
	},
	balanced: {
		a: {
			answers: {
				'pur.after-conflict': 5, 'wdr.after-conflict': 4, 'wdr.more-together': 3, 'pur.more-together': 4,
				'pur.partner-away': 3, 'wdr.partner-away': 3, 'wdr.unappreciated': 4, 'pur.unappreciated': 5,
				'pur.outside-stress': 5, 'wdr.outside-stress': 4, 'wdr.vulnerable': 3, 'pur.vulnerable': 4,
				'pur.decision': 4, 'wdr.decision': 3, 'wdr.after-closeness': 4, 'pur.after-closeness': 4,
				'pur.wait-calmly': 4, 'wdr.stay-with-it': 5,
				'abf.leave': 2, 'enf.lose-self': 3, 'abf.enough': 3, 'enf.pinned-down': 2, 'abf.small-rejection': 3,
				'enf.door-ajar': 2, 'abf.trust-stays': 6, 'enf.doubt-safer': 2, 'abf.distance': 2, 'enf.close-and-free': 6,
				'giv.time-attention': 5, 'rec.attention': 5, 'seen.notices': 6, 'ask.more': 2, 'giv.please': 5,
				'rec.matter': 6, 'seen.valued': 6, 'ask.missing': 2, 'giv.think-ahead': 5, 'rec.count-on': 6,
				'seen.unnoticed': 2, 'ask.weight': 3, 'giv.leave-to-partner': 3, 'rec.miss-warmth': 2, 'seen.thanks': 6,
				'ask.content': 6, 'giv.make-room': 5, 'rec.effort': 5,
				'flip.stop-reaching': 3, 'flip.both-urges': 4, 'flip.swap': 4,
				'who.you-reach': 3, 'who.partner-reaches': 3, 'who.fairness': 4
			},
			predictions: {
				'pur.after-conflict': 4, 'wdr.after-conflict': 4, 'wdr.more-together': 3, 'pur.more-together': 5,
				'pur.partner-away': 4, 'wdr.partner-away': 3, 'wdr.unappreciated': 3, 'pur.unappreciated': 4,
				'pur.outside-stress': 4, 'wdr.outside-stress': 5, 'wdr.vulnerable': 3, 'pur.vulnerable': 5,
				'pur.decision': 4, 'wdr.decision': 4, 'wdr.after-closeness': 3, 'pur.after-closeness': 4,
				'pur.wait-calmly': 4, 'wdr.stay-with-it': 5,
				'giv.time-attention': 5, 'giv.please': 5, 'giv.think-ahead': 4, 'giv.leave-to-partner': 3, 'giv.make-room': 5,
				'rec.attention': 5, 'rec.matter': 5, 'rec.count-on': 6, 'rec.miss-warmth': 3, 'rec.effort': 5
			}
		},
		b: {
			answers: {
				'pur.after-conflict': 4, 'wdr.after-conflict': 4, 'wdr.more-together': 3, 'pur.more-together': 5,
				'pur.partner-away': 4, 'wdr.partner-away': 3, 'wdr.unappreciated': 4, 'pur.unappreciated': 4,
				'pur.outside-stress': 4, 'wdr.outside-stress': 5, 'wdr.vulnerable': 4, 'pur.vulnerable': 5,
				'pur.decision': 4, 'wdr.decision': 4, 'wdr.after-closeness': 3, 'pur.after-closeness': 4,
				'pur.wait-calmly': 4, 'wdr.stay-with-it': 5,
				'abf.leave': 2, 'enf.lose-self': 3, 'abf.enough': 2, 'enf.pinned-down': 3, 'abf.small-rejection': 3,
				'enf.door-ajar': 2, 'abf.trust-stays': 6, 'enf.doubt-safer': 2, 'abf.distance': 3, 'enf.close-and-free': 5,
				'giv.time-attention': 5, 'rec.attention': 5, 'seen.notices': 5, 'ask.more': 3, 'giv.please': 4,
				'rec.matter': 5, 'seen.valued': 5, 'ask.missing': 2, 'giv.think-ahead': 5, 'rec.count-on': 6,
				'seen.unnoticed': 3, 'ask.weight': 2, 'giv.leave-to-partner': 3, 'rec.miss-warmth': 2, 'seen.thanks': 5,
				'ask.content': 6, 'giv.make-room': 5, 'rec.effort': 5,
				'flip.stop-reaching': 4, 'flip.both-urges': 3, 'flip.swap': 4,
				'who.you-reach': 3, 'who.partner-reaches': 2, 'who.fairness': 4
			},
			predictions: {
				'pur.after-conflict': 5, 'wdr.after-conflict': 3, 'wdr.more-together': 3, 'pur.more-together': 4,
				'pur.partner-away': 3, 'wdr.partner-away': 3, 'wdr.unappreciated': 4, 'pur.unappreciated': 5,
				'pur.outside-stress': 5, 'wdr.outside-stress': 4, 'wdr.vulnerable': 3, 'pur.vulnerable': 4,
				'pur.decision': 4, 'wdr.decision': 3, 'wdr.after-closeness': 4, 'pur.after-closeness': 5,
				'pur.wait-calmly': 3, 'wdr.stay-with-it': 5,
				'giv.time-attention': 5, 'giv.please': 5, 'giv.think-ahead': 5, 'giv.leave-to-partner': 3, 'giv.make-room': 4,
				'rec.attention': 5, 'rec.matter': 6, 'rec.count-on': 6, 'rec.miss-warmth': 2, 'rec.effort': 5
			}
		}
	}
};
