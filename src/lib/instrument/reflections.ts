import type { Localized, ReflectionPerspective, ReflectionPrompt, ReflectionTheme } from './types.ts';

/** Estimated seconds for a free-text answer. */
const REFLECTION_SECONDS = 120;

function reflection(perspective: ReflectionPerspective, theme: ReflectionTheme, nl: string, en: string): ReflectionPrompt {
	return { kind: 'reflection', id: `reflect.${perspective}.${theme}`, perspective, theme, text: { nl, en }, seconds: REFLECTION_SECONDS };
}

/** How each perspective of the optional module is introduced; the person picks one or both. */
export const reflectionPerspectives: Readonly<Record<ReflectionPerspective, { title: Localized; intro: Localized }>> = {
	'i-doubt': {
		title: { nl: 'Als jij twijfelt', en: 'When you are the one who doubts' },
		intro: {
			nl: 'Twijfel is geen fout. Het kan een ingang zijn naar wat je nodig hebt. Neem de tijd; een paar woorden is ook goed.',
			en: 'Doubt is not a failing. It can be a way in to what you need. Take your time; a few words are fine too.'
		}
	},
	'partner-doubts': {
		title: { nl: 'Als je partner twijfelt', en: 'When your partner is the one who doubts' },
		intro: {
			nl: 'Naast iemand staan die twijfelt, kan eenzaam voelen. Deze vragen gaan over jou: wat je voelt en wat je nodig hebt.',
			en: 'Standing beside someone who doubts can feel lonely. These questions are about you: what you feel and what you need.'
		}
	}
};

/**
 * The private reflection module: free-text questions on the drivers of doubt and on
 * where a person's ways of loving come from, from two perspectives. Optional, and the
 * answers stay the author's alone unless they share one.
 */
export const reflectionPrompts: readonly ReflectionPrompt[] = [
	reflection('i-doubt', 'appreciation',
		'Wanneer voelde je je voor het laatst echt gezien in wat je voor jullie doet? Wat gebeurde er toen?',
		'When did you last feel truly seen for what you do for the two of you? What happened then?'),
	reflection('i-doubt', 'freedom',
		'Hoeveel ruimte heb je nodig om je vrij te voelen, en hoe zou je daarom kunnen vragen zonder weg te gaan?',
		'How much room do you need to feel free, and how could you ask for it without leaving?'),
	reflection('i-doubt', 'comparison',
		'Met welk beeld of welke persoon vergelijk je jullie relatie weleens? Wat vertelt dat beeld over wat je mist?',
		'What picture or person do you sometimes hold your relationship up against? What does that picture tell you about what you miss?'),
	reflection('i-doubt', 'old-pain',
		'Aan welke eerdere teleurstelling doet je twijfel je denken? Hoe leerde je jezelf toen te beschermen?',
		'Which earlier disappointment does your doubt remind you of? How did you learn to protect yourself back then?'),
	reflection('i-doubt', 'models-of-love',
		'Welk voorbeeld van een liefdevolle relatie zag je vroeger om je heen? Wat wil je daarvan meenemen, en wat niet?',
		'What example of a loving relationship did you see around you growing up? What would you like to keep from it, and what not?'),
	reflection('i-doubt', 'origins',
		'Wat deed je als kind als je verdrietig of bang was, en wie kwam er dan naar je toe?',
		'What did you do as a child when you were sad or scared, and who came to you then?'),
	reflection('partner-doubts', 'appreciation',
		'Hoe laat je je partner merken dat je ziet wat die doet? Welke manier komt volgens jou het best aan?',
		'How do you let your partner know that you see what they do? Which way do you think lands best?'),
	reflection('partner-doubts', 'freedom',
		'Wat gebeurt er in je als je partner om ruimte vraagt? Wat helpt je om dan rustig bij jezelf te blijven?',
		'What happens inside you when your partner asks for room? What helps you stay calm and grounded in yourself then?'),
	reflection('partner-doubts', 'comparison',
		'Ga je jezelf met anderen vergelijken als je partner twijfelt? Wat weet je over je eigen waarde, los van die vergelijking?',
		'Do you start comparing yourself with others when your partner has doubts? What do you know about your own worth, apart from that comparison?'),
	reflection('partner-doubts', 'old-pain',
		'Welke oude pijn raakt de twijfel van je partner bij jou aan?',
		'Which old hurt does your partner’s doubt touch in you?'),
	reflection('partner-doubts', 'models-of-love',
		'Hoe zag liefde eruit in het gezin waarin je opgroeide, en waar herken je dat in hoe je nu reageert?',
		'What did love look like in the family you grew up in, and where do you recognise it in how you react now?'),
	reflection('partner-doubts', 'origins',
		'Waar heb je vroeger geleerd hoe je omgaat met iemand die even niet bereikbaar is?',
		'Where did you learn, growing up, how to deal with someone who is out of reach for a while?')
];
