import type { Situation } from './types.ts';

/**
 * The moments under strain the closeness prompts are grouped by. Every situation has one
 * "toward" prompt (PUR) and one "away" prompt (WDR), so collisions can be found per
 * situation. The reflection questions are for the shared view, where a couple collides.
 */
export const situations: readonly Situation[] = [
	{
		key: 'after-conflict',
		label: { nl: 'Na een ruzie', en: 'After an argument' },
		reflectionQuestions: [
			{
				nl: 'Wat hoop je dat je partner na een ruzie als eerste doet?',
				en: 'What do you hope your partner does first after an argument?'
			},
			{
				nl: 'Wat maakt zo’n moment zo spannend: de ruzie zelf, of wat die misschien over jullie zegt?',
				en: 'What makes such a moment so tense: the argument itself, or what it might say about the two of you?'
			}
		]
	},
	{
		key: 'more-together',
		label: { nl: 'Als het over meer samen of de toekomst gaat', en: 'When more togetherness or the future comes up' },
		reflectionQuestions: [
			{
				nl: 'Wat maakt praten over later voor je fijn, en wat maakt het spannend?',
				en: 'What makes talking about later good for you, and what makes it daunting?'
			},
			{
				nl: 'Wat zou je partner kunnen zeggen waardoor een volgende stap minder als druk voelt?',
				en: 'What could your partner say that would make a next step feel like less pressure?'
			}
		]
	},
	{
		key: 'partner-away',
		label: { nl: 'Als je partner weg of onbereikbaar is', en: 'When your partner is away or out of reach' },
		reflectionQuestions: [
			{
				nl: 'Wat vertel je jezelf als je partner een tijdje niets van zich laat horen?',
				en: 'What do you tell yourself when you don’t hear from your partner for a while?'
			},
			{
				nl: 'Welk klein teken van de ander zou die tijd voor jullie allebei lichter maken?',
				en: 'What small sign from the other would make that time lighter for both of you?'
			}
		]
	},
	{
		key: 'unappreciated',
		label: { nl: 'Als je je niet gewaardeerd voelt', en: 'When you feel unappreciated' },
		reflectionQuestions: [
			{
				nl: 'Welk gebaar van je partner laat je echt voelen dat je gezien wordt?',
				en: 'Which gesture from your partner really makes you feel seen?'
			},
			{
				nl: 'Hoe kun je laten weten wat je mist, zo dat je partner het kan horen?',
				en: 'How can you say what you miss in a way your partner is able to hear?'
			}
		]
	},
	{
		key: 'outside-stress',
		label: { nl: 'Als er stress van buiten komt', en: 'When stress comes in from outside' },
		reflectionQuestions: [
			{
				nl: 'Wat heb je van je partner nodig als je hoofd vol zit: praten, hulp, of juist rust?',
				en: 'What do you need from your partner when your head is full: talking, help, or rather some quiet?'
			}
		]
	},
	{
		key: 'vulnerable',
		label: { nl: 'Als het intiem of kwetsbaar wordt', en: 'When things get intimate or vulnerable' },
		reflectionQuestions: [
			{
				nl: 'Wat maakt het voor je veilig genoeg om je zachte kant te laten zien?',
				en: 'What makes it safe enough for you to show your softer side?'
			},
			{
				nl: 'Wat merk je in je lijf op het moment dat het heel dichtbij komt?',
				en: 'What do you notice in your body at the moment things get very close?'
			}
		]
	},
	{
		key: 'decision',
		label: { nl: 'Als jullie samen iets moeten beslissen', en: 'When the two of you have to decide something' },
		reflectionQuestions: [
			{
				nl: 'Wat zou het voor je betekenen als een keuze later anders uitpakt dan gehoopt?',
				en: 'What would it mean to you if a choice later turned out differently than you hoped?'
			},
			{
				nl: 'Hoe kunnen jullie kiezen op een manier waarin allebei jullie stem telt?',
				en: 'How could you choose in a way where both your voices count?'
			}
		]
	},
	{
		key: 'after-closeness',
		label: { nl: 'Na een fijne, hechte tijd samen', en: 'After a good, close time together' },
		reflectionQuestions: [
			{
				nl: 'Wat voel je op het moment dat het juist heel goed is tussen jullie?',
				en: 'What do you feel at the very moment things are really good between you?'
			},
			{
				nl: 'Hoe kunnen jullie na veel nabijheid ruimte nemen zonder dat het als afwijzing voelt?',
				en: 'How could you take some room after a lot of closeness without it feeling like rejection?'
			}
		]
	}
];
