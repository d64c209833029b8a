import type { BalanceKind, DanceType, Localized, ResultText, StanceKind } from './types.ts';

/**
 * The plain-language texts of the results and the shared view. They describe a way of
 * moving, never a person, and never say whose fault anything is: both partners are
 * trying to protect the connection, each in their own way.
 */

/** Per dance type: a warm name, what it looks like, and steps for the two of you together. */
export const danceTexts: Readonly<Record<DanceType, ResultText & { steps: readonly Localized[] }>> = {
	'pursue-withdraw': {
		title: { nl: 'De een zoekt, de ander zoekt ruimte', en: 'One reaches out, the other makes room' },
		body: {
			nl: 'Als het spannend wordt, beweegt een van jullie naar de ander toe en neemt de ander wat afstand. Hoe meer de een zoekt, hoe meer ruimte de ander nodig heeft, en andersom. Dit is de dans die partners het vaakst kennen. Niemand doet hier iets fout: jullie proberen allebei de band te beschermen, elk op je eigen manier.',
			en: 'When things get tense, one of you moves toward the other and the other takes some distance. The more one reaches, the more room the other needs, and the other way round. This is the dance partners know most often. Nobody is doing anything wrong here: you are both trying to protect what you have, each in your own way.'
		},
		steps: [
			{
				nl: 'Geef de dans samen een naam. Dan kunnen jullie zeggen: "daar is hij weer", in plaats van elkaar iets te verwijten.',
				en: 'Give the dance a name together. Then you can say "there it is again" instead of holding it against each other.'
			},
			{
				nl: 'Spreek af hoe een pauze eruitziet: hoe lang die duurt en wie daarna weer begint.',
				en: 'Agree what a pause looks like: how long it lasts and who picks things up again afterwards.'
			}
		]
	},
	'pursue-pursue': {
		title: { nl: 'Allebei aan de bel trekken', en: 'Both reaching out hard' },
		body: {
			nl: 'Als het spannend wordt, zoeken jullie allebei het contact en willen jullie allebei gehoord worden. Dan kan een gesprek snel feller worden, omdat ieder de ander nog harder probeert te bereiken. Onder die felheid zit vaak bij jullie allebei hetzelfde verlangen: dat de ander er echt is.',
			en: 'When things get tense, you both reach for contact and both want to be heard. A conversation can then heat up quickly, as each tries all the harder to get through. Under that heat there is often the same longing in both of you: that the other is truly there.'
		},
		steps: [
			{
				nl: 'Spreek af dat jullie om de beurt praten en dat de ander eerst teruggeeft wat die hoorde.',
				en: 'Agree to take turns, with the listener first saying back what they heard.'
			},
			{
				nl: 'Als het te warm wordt: neem allebei tien minuten en kom dan terug, zonder dat iemand wint.',
				en: 'When it gets too heated: both take ten minutes, then come back, without anyone having to win.'
			}
		]
	},
	'withdraw-withdraw': {
		title: { nl: 'Allebei stil worden', en: 'Both going quiet' },
		body: {
			nl: 'Als het spannend wordt, trekken jullie je allebei wat terug. Het wordt rustig, maar die rust kan ook afstand zijn. Deze dans valt het minst op, en juist daarom is het goed om er samen bij stil te staan: wat blijft er tussen jullie onbesproken?',
			en: 'When things get tense, you both pull back a little. It gets calm, but that calm can also be distance. This dance is the easiest to miss, which is exactly why it helps to look at it together: what stays unspoken between you?'
		},
		steps: [
			{
				nl: 'Plan een vast moment in de week om even bij te praten over hoe het met jullie gaat, ook als er niets lijkt te zijn.',
				en: 'Set a regular moment in the week to check in on how the two of you are doing, even when nothing seems wrong.'
			},
			{
				nl: 'Begin klein: vertel elkaar één ding dat je deze week raakte.',
				en: 'Start small: tell each other one thing that touched you this week.'
			}
		]
	},
	none: {
		title: { nl: 'Geen vaste dans', en: 'No set dance' },
		body: {
			nl: 'Jullie antwoorden laten geen vast patroon zien. Misschien bewegen jullie per situatie anders. Kijk bij de situaties welke momenten wel schuren; daar valt het meest te bespreken.',
			en: 'Your answers show no set pattern. Perhaps you move differently from one situation to the next. Look at the situations to see which moments do rub; that is where there is most to talk about.'
		},
		steps: [
			{
				nl: 'Kies samen de situatie die het meest schuurt en vertel elkaar wat je daar op het moment zelf voelt.',
				en: 'Together, pick the situation that rubs the most and tell each other what you feel in that very moment.'
			},
			{
				nl: 'Let op wanneer de rollen omdraaien: wie zoekt er nu, en wie neemt er afstand?',
				en: 'Notice when the roles flip: who is reaching out now, and who is stepping back?'
			}
		]
	}
};

/**
 * Per stance: `title` speaks to the person ("you tend to …"), `label` describes a way of
 * moving beside a name ("tends to move toward"), `body` explains it, `steps` are two or
 * three concrete things that can help someone who moves this way.
 */
export const stanceTexts: Readonly<Record<StanceKind, ResultText & { label: Localized; steps: readonly Localized[] }>> = {
	pursue: {
		title: { nl: 'Je beweegt naar de ander toe', en: 'You tend to move toward' },
		label: { nl: 'beweegt naar de ander toe', en: 'tends to move toward' },
		body: {
			nl: 'Als het spannend wordt tussen jullie, zoek je contact: je wilt praten, weten waar je staat en het weer goed maken. Dat laat zien hoe belangrijk de verbinding voor je is.',
			en: 'When things get tense between you, you reach for contact: you want to talk, know where you stand and make things right. It shows how much the connection matters to you.'
		},
		steps: [
			{
				nl: 'Zeg welk verlangen er onder je onrust of boosheid zit, bijvoorbeeld: "ik mis je en wil weten dat het goed zit tussen ons."',
				en: 'Say which longing sits under your worry or frustration, for example: "I miss you and want to know we’re okay."'
			},
			{
				nl: 'Merk je dat je harder gaat trekken? Neem dan even pauze. Meer aandringen brengt de ander zelden dichterbij.',
				en: 'Notice yourself pulling harder? Then pause for a moment. Pressing more rarely brings the other closer.'
			},
			{
				nl: 'Zorg ook voor je eigen houvast: wat helpt je om rustig te worden, los van wat je partner doet?',
				en: 'Look after your own footing too: what helps you settle, apart from what your partner does?'
			}
		]
	},
	withdraw: {
		title: { nl: 'Je neemt eerst wat afstand', en: 'You tend to step back first' },
		label: { nl: 'neemt eerst wat afstand', en: 'tends to step back first' },
		body: {
			nl: 'Als het spannend wordt, zoek je eerst ruimte: je wordt stil, ordent je gedachten of zoekt afleiding. Vaak is dat een manier om jezelf en de relatie te beschermen tegen te veel tegelijk.',
			en: 'When things get tense, you look for room first: you go quiet, sort out your thoughts or find a distraction. Often it is a way to protect yourself and the relationship from too much at once.'
		},
		steps: [
			{
				nl: 'Zeg het als je ruimte nodig hebt, en zeg erbij wanneer je terugkomt: "ik heb een uur nodig, daarna wil ik erover praten."',
				en: 'Say when you need room, and say when you will come back: "I need an hour, then I want to talk about it."'
			},
			{
				nl: 'Blijf bereikbaar terwijl je ruimte neemt; een kort bericht kan veel onrust bij de ander wegnemen.',
				en: 'Stay within reach while you take room; a short message can ease a lot of worry for the other.'
			},
			{
				nl: 'Vertel wat je voelt voordat je je terugtrekt, al is het maar één zin.',
				en: 'Share what you feel before you step back, even if it is just one sentence.'
			}
		]
	},
	mixed: {
		title: { nl: 'Je beweegt beide kanten op', en: 'You move both ways' },
		label: { nl: 'beweegt beide kanten op', en: 'moves both ways' },
		body: {
			nl: 'Je antwoorden wijzen niet duidelijk één kant op. Misschien zoek je in de ene situatie contact en neem je in de andere afstand, of wisselt het per periode.',
			en: 'Your answers do not clearly point one way. Perhaps you reach out in one situation and step back in another, or it changes from one period to the next.'
		},
		steps: [
			{
				nl: 'Let op wanneer je van kant wisselt: wat gebeurde er vlak daarvoor?',
				en: 'Notice when you switch sides: what happened just before?'
			},
			{
				nl: 'Vertel je partner welke kant je op dit moment in jezelf herkent.',
				en: 'Tell your partner which side you recognise in yourself right now.'
			}
		]
	}
};

/** Per balance of giving and receiving, as the person feels it. */
export const balanceTexts: Readonly<Record<BalanceKind, ResultText>> = {
	shortchanged: {
		title: { nl: 'Je geeft meer dan je ontvangt', en: 'You give more than you receive' },
		body: {
			nl: 'Het voelt voor je alsof er meer van jou naar je partner gaat dan andersom. Dat zegt iets over hoe het voor jou voelt, niet over wie er gelijk heeft. Wat zou je goed doen om te ontvangen?',
			en: 'It feels to you as if more goes from you to your partner than the other way round. That says something about how it feels to you, not about who is right. What would you like to receive?'
		}
	},
	indebted: {
		title: { nl: 'Je ontvangt meer dan je geeft', en: 'You receive more than you give' },
		body: {
			nl: 'Je ervaart dat je partner veel geeft, meer dan je zelf teruggeeft. Dat kan als een cadeau voelen, of juist als druk. Wat zou je partner van jou goed doen?',
			en: 'You feel your partner gives a lot, more than you give back. That can feel like a gift, or rather like pressure. What would do your partner good, coming from you?'
		}
	},
	even: {
		title: { nl: 'Geven en ontvangen in evenwicht', en: 'Giving and receiving in balance' },
		body: {
			nl: 'Wat je geeft en wat je ontvangt, voelt voor je ongeveer in evenwicht. Dat is een mooie basis om op terug te vallen als het spannend wordt.',
			en: 'What you give and what you receive feel roughly in balance to you. That is a good base to fall back on when things get tense.'
		}
	}
};

/** Shown instead of a stance, balance or dance when too few prompts were answered to say anything. */
export const notEnoughAnswersText: ResultText = {
	title: { nl: 'Nog niet genoeg antwoorden', en: 'Not enough answers yet' },
	body: {
		nl: 'Hier zijn te weinig vragen beantwoord om iets zinnigs te zeggen. Dat is niet erg; bij een volgende ronde kan het wel.',
		en: 'Too few questions were answered here to say anything meaningful. That is fine; a next round can fill it in.'
	}
};

/**
 * Sentence templates for the shared view's short readings; `{toward}`, `{away}`,
 * `{giver}`, `{receiver}`, `{a}` and `{b}` are partners' display names, `{situation}`
 * a situation label in lower case. Fill them with `fillTemplate`.
 */
export const readingTemplates = {
	collision: {
		nl: 'In deze situatie zoekt {toward} eerder contact, terwijl {away} eerder wat ruimte neemt. Allebei proberen jullie iets te beschermen.',
		en: 'In this situation {toward} tends to reach out, while {away} tends to take some room. You are both trying to protect something.'
	},
	unreceivedGiving: {
		nl: '{giver} geeft meer dan {receiver} voelt te ontvangen. Misschien komt de zorg van {giver} in een andere vorm aan dan bedoeld.',
		en: '{giver} gives more than {receiver} feels they receive. Perhaps the care of {giver} arrives in another form than it was meant.'
	},
	seenDifferently: {
		nl: '{a} en {b} zien dit patroon verschillend. Dat verschil is zelf een goed begin van een gesprek.',
		en: '{a} and {b} see this pattern differently. That difference is itself a good start for a conversation.'
	}
} as const satisfies Record<string, Localized>;

/** Replaces each `{name}` in a template with its value; unknown names stay as they are. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
	return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
}
