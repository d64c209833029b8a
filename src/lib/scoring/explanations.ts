/**
 * "How we calculate this": each figure in plain words, in Dutch and English, for the
 * page that explains the results. Keep these in step with the formulas in this module.
 */
import type { Localized } from '../instrument/index.ts';

export type FigureKey =
	| 'scale'
	| 'missing'
	| 'stance'
	| 'intensity'
	| 'balance'
	| 'dance'
	| 'collision'
	| 'unreceived-giving'
	| 'perception'
	| 'who-does-what'
	| 'change';

export interface FigureExplanation {
	readonly title: Localized;
	readonly body: Localized;
}

/** In the order the page shows them. */
export const figureExplanations: Readonly<Record<FigureKey, FigureExplanation>> = {
	scale: {
		title: { nl: 'Scores per thema', en: 'Scores per theme' },
		body: {
			nl: 'Elk thema (zoals "naar de ander toe" of "wat je geeft") heeft een aantal uitspraken. We nemen het gemiddelde van je antwoorden op die uitspraken en zetten dat om naar 0 tot 100: helemaal niet mee eens is 0, neutraal is 50, helemaal mee eens is 100. Sommige uitspraken zijn andersom geformuleerd; daar tellen we je antwoord omgekeerd mee, zodat een hoge score altijd "meer van dit thema" betekent.',
			en: 'Each theme (such as "moving toward" or "what you give") has a few statements. We take the average of your answers to those statements and turn it into 0 to 100: strongly disagree is 0, neutral is 50, strongly agree is 100. Some statements are worded the other way round; there we count your answer in reverse, so a high score always means "more of this theme".'
		}
	},
	missing: {
		title: { nl: 'Overgeslagen vragen', en: 'Skipped questions' },
		body: {
			nl: 'Een overgeslagen vraag telt niet mee, ook niet als neutraal. Heb je minder dan de helft van de vragen van een thema beantwoord, dan geven we voor dat thema geen score: dan is er te weinig om iets over te zeggen. Cijfers die op zo’n thema steunen, blijven dan ook leeg.',
			en: 'A skipped question does not count, not even as neutral. If you answered fewer than half of a theme’s questions, we give no score for that theme: there is too little to go on. Figures that build on that theme stay empty too.'
		}
	},
	stance: {
		title: { nl: 'Naar elkaar toe of afstand nemen', en: 'Moving toward or moving away' },
		body: {
			nl: 'We trekken je score voor "afstand nemen" af van je score voor "naar de ander toe". Dat geeft een getal van −100 tot 100. Boven de 20 beweeg je onder spanning vooral naar de ander toe, onder de −20 neem je vooral afstand, daartussen beweeg je beide kanten op. Het zegt iets over hoe je beweegt, niet over wie je bent.',
			en: 'We subtract your "moving away" score from your "moving toward" score. That gives a number from −100 to 100. Above 20 you mostly move toward the other under strain, below −20 you mostly step back, in between you move both ways. It says something about how you move, not about who you are.'
		}
	},
	intensity: {
		title: { nl: 'Hoe sterk je beweegt', en: 'How strongly you move' },
		body: {
			nl: 'De hoogste van je twee scores "naar de ander toe" en "afstand nemen". Wie op allebei laag scoort, blijft onder spanning vrij rustig; wie op een van beide hoog scoort, beweegt sterk.',
			en: 'The higher of your two scores, "moving toward" and "moving away". Someone low on both stays fairly calm under strain; someone high on either moves strongly.'
		}
	},
	balance: {
		title: { nl: 'Geven en ontvangen', en: 'Giving and receiving' },
		body: {
			nl: 'We trekken je score voor "wat je ontvangt" af van je score voor "wat je geeft": −100 tot 100. Boven de 20 voelt het alsof je meer geeft dan je terugkrijgt, onder de −20 alsof je meer ontvangt dan je geeft, daartussen voelt het ongeveer in evenwicht.',
			en: 'We subtract your "what you receive" score from your "what you give" score: −100 to 100. Above 20 it feels as if you give more than you get back, below −20 as if you receive more than you give, in between it feels roughly even.'
		}
	},
	dance: {
		title: { nl: 'Jullie dans', en: 'Your dance' },
		body: {
			nl: 'We leggen jullie twee getallen voor "naar elkaar toe of afstand nemen" naast elkaar. Zit de een boven de 20 en de ander onder de −20, dan zoekt de een en neemt de ander ruimte. Zitten jullie allebei boven de 20, dan trekken jullie allebei aan de bel; allebei onder de −20, dan worden jullie allebei stil. Anders zien we geen vaste dans. De sterkte is het kleinste van jullie twee getallen (zonder min-teken): een dans is zo duidelijk als de minst duidelijke van jullie twee.',
			en: 'We put your two "moving toward or away" numbers side by side. If one is above 20 and the other below −20, one reaches out and the other makes room. If both are above 20, you both reach out hard; both below −20, you both go quiet. Otherwise we see no set dance. The strength is the smaller of your two numbers (without the minus sign): a dance is as clear as the less clear of the two of you.'
		}
	},
	collision: {
		title: { nl: 'Waar jullie botsen', en: 'Where you collide' },
		body: {
			nl: 'Per situatie kijken we of de een naar de ander toe beweegt terwijl de ander afstand neemt. Van beide antwoorden nemen we hoe ver ze richting "mee eens" gaan: neutraal of minder telt als 0, een beetje mee eens als 33, mee eens als 67, helemaal mee eens als 100. De botsing is het kleinste van die twee: alleen als jullie allebei die kant op leunen, botst het. We doen dit in beide richtingen en zetten de sterkste botsingen bovenaan.',
			en: 'For each situation we look at whether one of you moves toward while the other moves away. For both answers we take how far they go towards "agree": neutral or lower counts as 0, somewhat agree as 33, agree as 67, strongly agree as 100. The collision is the smaller of the two: it only collides when you both lean that way. We do this in both directions and put the strongest collisions first.'
		}
	},
	'unreceived-giving': {
		title: { nl: 'Geven dat niet aankomt', en: 'Giving that does not land' },
		body: {
			nl: 'We leggen je score voor "wat je geeft" naast de score van je partner voor "wat je partner ontvangt", en andersom. Is het verschil groot, dan geeft de een meer dan de ander voelt te krijgen. Dat zegt niet dat iemand het fout doet; vaak komt zorg in een andere vorm aan dan bedoeld.',
			en: 'We put your "what you give" score next to your partner’s "what you receive" score, and the other way round. When the gap is large, one of you gives more than the other feels they get. That does not mean anyone is doing it wrong; care often arrives in another form than it was meant.'
		}
	},
	perception: {
		title: { nl: 'Hoe goed jullie elkaar lezen', en: 'How well you read each other' },
		body: {
			nl: 'Bij de vragen over toenadering, afstand, geven en ontvangen kon je raden wat je partner zou antwoorden. Per vraag kijken we hoeveel stappen je gok ernaast zat (0 tot 6). Het gemiddelde zetten we om naar 0 tot 100: 100 betekent dat alle gokken precies klopten. Alleen vragen met zowel een gok als een antwoord tellen mee.',
			en: 'For the questions on moving toward, moving away, giving and receiving, you could guess what your partner would answer. For each question we count how many steps your guess was off (0 to 6). We turn the average into 0 to 100: 100 means every guess was spot on. Only questions with both a guess and an answer count.'
		}
	},
	'who-does-what': {
		title: { nl: 'Wie doet wat, volgens ieder van jullie', en: 'Who does what, as each of you sees it' },
		body: {
			nl: 'Jullie gaven allebei aan hoe vaak de een contact zoekt terwijl de ander zich terugtrekt, in beide richtingen, en wie er alles bij elkaar het meest terugkrijgt. We zetten jullie antwoorden naast elkaar. Liggen ze twee stappen of meer uit elkaar, dan zien jullie het verschillend, en dat verschil is zelf de moeite van een gesprek waard.',
			en: 'You each said how often one of you reaches out while the other pulls back, in both directions, and who gets the better deal all in all. We put your answers side by side. When they are two steps or more apart, you see it differently, and that difference is itself worth a conversation.'
		}
	},
	change: {
		title: { nl: 'Verandering door de tijd', en: 'Change over time' },
		body: {
			nl: 'Doen jullie de vragenlijst later nog een keer, dan berekenen we alles opnieuw op dezelfde manier en laten we per cijfer zien hoeveel het veranderde sinds de vorige keer en sinds de eerste keer.',
			en: 'When you take the questionnaire again later, we calculate everything again in the same way and show, per figure, how much it changed since the previous time and since the first time.'
		}
	}
};
