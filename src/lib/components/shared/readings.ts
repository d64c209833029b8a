/**
 * The readings of the shared view: short plain-language paragraphs beside the figures.
 * Written in our own words from the seeds' ideas (the dance of reaching and retreating,
 * the same fear under both moves, giving that does not land, roles that flip, doubt as
 * protection). They describe a way of moving, never a person, and never blame.
 * `{a}`, `{b}`, `{name}` … are filled in by `fill()`.
 */
import type { Locale, Localized } from '#lib/instrument/types.ts';

export function fill(text: Localized, locale: Locale, values: Record<string, string | number>): string {
	return text[locale].replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** What a way of moving protects. */
export const stanceReadings: Readonly<Record<'pursue' | 'withdraw' | 'mixed', Localized>> = {
	pursue: {
		nl: 'Als het spannend wordt, zoekt {name} de ander op. Contact maken beschermt de band: weten dat het goed zit, geeft rust.',
		en: 'When things get tense, {name} reaches for the other. Making contact protects the bond: knowing you are okay brings calm.'
	},
	withdraw: {
		nl: 'Als het spannend wordt, neemt {name} eerst wat afstand. Ruimte nemen beschermt: het houdt de vrede, voorkomt dat het te veel wordt en geeft tijd om te ordenen.',
		en: 'When things get tense, {name} first takes some distance. Taking room protects: it keeps the peace, stops things from becoming too much and gives time to sort things out.'
	},
	mixed: {
		nl: '{name} beweegt beide kanten op: soms naar de ander toe, soms weg. Misschien draaien de rollen om, afhankelijk van wie er net zoekt.',
		en: '{name} moves both ways: sometimes toward the other, sometimes away. Perhaps the roles flip, depending on who is reaching at the time.'
	}
};

/** Which fear may sit under the move (the higher of the two fear scales, when it is clearly present). */
export const fearReadings: Readonly<Record<'ABF' | 'ENF' | 'low', Localized>> = {
	ABF: {
		nl: 'Onder die beweging kan de angst zitten om los te raken: niet genoeg te zijn, of dat de ander verder weg drijft.',
		en: 'Under that move there may be a fear of coming apart: of not being enough, or of the other drifting away.'
	},
	ENF: {
		nl: 'Onder die beweging kan de angst zitten om jezelf kwijt te raken: je vrijheid, je eigen ruimte. Twijfel kan dan werken als bescherming.',
		en: 'Under that move there may be a fear of losing yourself: your freedom, your own room. Doubt can then work as a shield.'
	},
	low: {
		nl: 'Geen van beide angsten scoort hoog; de beweging komt misschien meer uit gewoonte dan uit angst.',
		en: 'Neither fear scores high; the move may come more from habit than from fear.'
	}
};

export const notADiagnosis: Localized = {
	nl: 'Dit beschrijft een manier van bewegen, niet wie {name} is.',
	en: 'This describes a way of moving, not who {name} is.'
};

export const danceGapReading: Localized = {
	nl: 'Hoe verder de twee punten uit elkaar liggen, hoe sterker jullie onder spanning elk een andere kant op bewegen. Vaak zit onder beide bewegingen hetzelfde verlangen: dat het goed is tussen jullie.',
	en: 'The further apart the two dots, the more strongly you move in different directions under strain. Often the same longing sits under both moves: that things are good between you.'
};

export const collisionReading: Localized = {
	nl: 'Hoe harder de een trekt, hoe meer ruimte de ander kan willen, en andersom: zo houden jullie elkaars beweging in stand, zonder dat iemand dat wil.',
	en: 'The harder one pulls, the more room the other may want, and the other way round: that way you keep each other’s move going, without either of you wanting to.'
};

export const sameWayReading: Localized = {
	nl: 'In deze situaties bewegen jullie niet tegen elkaar in: hier schuurt het minder, of jullie zoeken allebei dezelfde kant op.',
	en: 'In these situations you do not move against each other: it rubs less here, or you both go the same way.'
};

export const giveTakeReading: Localized = {
	nl: 'Als de een voelt dat er meer weggaat dan aankomt, en de ander voelt dat het nooit genoeg is, dan zijn dat twee kanten van dezelfde scheefgroei: het geven landt niet waar het bedoeld is. Tekortkomen en te veel gevraagd worden horen dan bij elkaar.',
	en: 'When one feels more goes out than arrives, and the other feels it is never enough, those are two sides of one imbalance: the giving does not land where it is meant. Feeling shortchanged and feeling over-asked then belong together.'
};

export const giveTakeEven: Localized = {
	nl: 'Wat jullie geven komt grotendeels aan. Dat is iets om zuinig op te zijn.',
	en: 'What you give mostly arrives. That is something to look after.'
};

export const perceptionReadings: Readonly<Record<'close' | 'some' | 'far', Localized>> = {
	close: {
		nl: 'Jullie lezen elkaars bewegingen goed. Kijk vooral naar de paar uitspraken waar de gok ernaast zat.',
		en: 'You read each other’s moves well. Look mostly at the few statements where the guess was off.'
	},
	some: {
		nl: 'Jullie lezen elkaar deels goed. Waar de gok ernaast zat, valt iets te ontdekken: wat zag je niet, of liet de ander niet zien?',
		en: 'You partly read each other well. Where a guess was off there is something to discover: what did you not see, or what did the other not show?'
	},
	far: {
		nl: 'Jullie beelden van elkaar liggen nog ver uit elkaar. Dat is geen verwijt: het is een uitnodiging om het elkaar te vragen.',
		en: 'Your pictures of each other are still far apart. That is no reproach: it is an invitation to ask each other.'
	}
};

/** The verbs the cycle prefill uses, per move. */
export const cycleMoves: Readonly<Record<'toward' | 'away', { first: Localized; more: Localized }>> = {
	toward: {
		first: { nl: 'je opzoek en wil praten', en: 'reach out and want to talk' },
		more: { nl: 'trek ik nog harder aan je', en: 'I reach out even harder' }
	},
	away: {
		first: { nl: 'even ruimte neem en stil word', en: 'take some room and go quiet' },
		more: { nl: 'trek ik me nog verder terug', en: 'I pull back even further' }
	}
};

export const cycleYou: Readonly<Record<'toward' | 'away', Localized>> = {
	toward: { nl: 'kom je dichterbij en wil je praten', en: 'you come closer and want to talk' },
	away: { nl: 'neem je afstand', en: 'you take distance' }
};

export const cycleFeel: Readonly<Record<'ABF' | 'ENF', Localized>> = {
	ABF: { nl: 'bang dat ik je kwijtraak', en: 'afraid I am losing you' },
	ENF: { nl: 'bang dat ik mezelf kwijtraak', en: 'afraid I am losing myself' }
};
