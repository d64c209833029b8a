import { PREDICTABLE_SCALES, type Keying, type ScaleKey, type ScalePrompt, type SituationKey } from './types.ts';

/** Estimated seconds to read one statement and pick an answer. */
const STATEMENT_SECONDS = 9;

function prompt(id: string, scale: ScaleKey, keying: Keying, situation: SituationKey | null, nl: string, en: string): ScalePrompt {
	return {
		kind: 'scale',
		id,
		scale,
		keying,
		situation,
		text: { nl, en },
		predictable: PREDICTABLE_SCALES.includes(scale),
		response: 'agreement',
		seconds: STATEMENT_SECONDS
	};
}

/**
 * The closeness prompts: per situation one "toward" (PUR) and one "away" (WDR) statement.
 * The order alternates which comes first, so the pair never reads like a fixed pattern.
 * Two general statements follow, reverse-keyed, so agreeing with everything does not
 * push a person to either side.
 */
const closeness: readonly ScalePrompt[] = [
	prompt('pur.after-conflict', 'PUR', 'normal', 'after-conflict',
		'Na een ruzie wil je het liefst meteen praten, tot het weer goed voelt tussen jullie.',
		'After an argument, you want to talk it through straight away, until things feel right between you again.'),
	prompt('wdr.after-conflict', 'WDR', 'normal', 'after-conflict',
		'Na een ruzie heb je eerst tijd alleen nodig voordat je weer kunt praten.',
		'After an argument, you first need time alone before you can talk again.'),
	prompt('wdr.more-together', 'WDR', 'normal', 'more-together',
		'Als je partner meer tijd samen of een volgende stap wil, voel je de neiging om een stapje terug te doen.',
		'When your partner wants more time together or a next step, you feel an urge to take a small step back.'),
	prompt('pur.more-together', 'PUR', 'normal', 'more-together',
		'Als het over jullie toekomst gaat, wil je graag snel weten waar jullie samen naartoe gaan.',
		'When your future together comes up, you want to know soon where the two of you are heading.'),
	prompt('pur.partner-away', 'PUR', 'normal', 'partner-away',
		'Als je partner een tijd onbereikbaar is, blijf je berichten sturen of bellen tot je iets hoort.',
		'When your partner can’t be reached for a while, you keep messaging or calling until you hear back.'),
	prompt('wdr.partner-away', 'WDR', 'normal', 'partner-away',
		'Als je partner een tijd weg is, stop je je gevoel weg en ga je op in je eigen bezigheden.',
		'When your partner is away for a while, you tuck your feelings away and get absorbed in your own things.'),
	prompt('wdr.unappreciated', 'WDR', 'normal', 'unappreciated',
		'Als je je niet gewaardeerd voelt, word je stiller en houd je wat meer afstand.',
		'When you feel unappreciated, you go quieter and keep a little more distance.'),
	prompt('pur.unappreciated', 'PUR', 'normal', 'unappreciated',
		'Als je je niet gewaardeerd voelt, zeg je dat tegen je partner en wil je erover praten.',
		'When you feel unappreciated, you tell your partner and want to talk about it.'),
	prompt('pur.outside-stress', 'PUR', 'normal', 'outside-stress',
		'Als werk of familie zwaar op je drukt, zoek je steun en geruststelling bij je partner.',
		'When work or family weighs on you, you turn to your partner for support and reassurance.'),
	prompt('wdr.outside-stress', 'WDR', 'normal', 'outside-stress',
		'Als werk of familie zwaar op je drukt, zoek je liever afleiding dan dat je erover praat met je partner.',
		'When work or family weighs on you, you would rather find a distraction than talk it over with your partner.'),
	prompt('wdr.vulnerable', 'WDR', 'normal', 'vulnerable',
		'Als het tussen jullie heel dichtbij en teder wordt, wil je het al snel luchtig maken of even weg.',
		'When things between you get very close and tender, you soon want to lighten the mood or step away.'),
	prompt('pur.vulnerable', 'PUR', 'normal', 'vulnerable',
		'Als het tussen jullie heel dichtbij en teder wordt, wil je graag horen dat je partner er echt voor je is.',
		'When things between you get very close and tender, you want to hear that your partner is truly there for you.'),
	prompt('pur.decision', 'PUR', 'normal', 'decision',
		'Als jullie samen iets moeten beslissen, blijf je doorpraten tot je weet waar je partner staat.',
		'When the two of you have to decide something, you keep talking until you know where your partner stands.'),
	prompt('wdr.decision', 'WDR', 'normal', 'decision',
		'Als jullie samen iets moeten beslissen, schuif je het liefst nog even voor je uit.',
		'When the two of you have to decide something, you would rather put it off for a while.'),
	prompt('wdr.after-closeness', 'WDR', 'normal', 'after-closeness',
		'Na een fijne, hechte tijd samen heb je juist behoefte aan wat meer ruimte voor jezelf.',
		'After a good, close time together, you find you need a bit more room for yourself.'),
	prompt('pur.after-closeness', 'PUR', 'normal', 'after-closeness',
		'Na een fijne, hechte tijd samen wil je die nabijheid zo lang mogelijk vasthouden.',
		'After a good, close time together, you want to hold on to that closeness for as long as you can.'),
	prompt('pur.wait-calmly', 'PUR', 'reverse', null,
		'Als er iets schuurt tussen jullie, kun je rustig afwachten tot je partner naar je toe komt.',
		'When something feels off between you, you can calmly wait for your partner to come to you.'),
	prompt('wdr.stay-with-it', 'WDR', 'reverse', null,
		'Als er iets schuurt tussen jullie, blijf je erbij, ook als het ongemakkelijk wordt.',
		'When something feels off between you, you stay with it, even when it gets uncomfortable.')
];

/** Fear of being left (ABF) and of being swallowed (ENF), interleaved. */
const fears: readonly ScalePrompt[] = [
	prompt('abf.leave', 'ABF', 'normal', null,
		'Je bent soms bang dat je partner je uiteindelijk zal verlaten.',
		'You are sometimes afraid that your partner will leave you in the end.'),
	prompt('enf.lose-self', 'ENF', 'normal', null,
		'Je bent soms bang jezelf kwijt te raken als je heel dicht bij iemand komt.',
		'You are sometimes afraid of losing yourself when you get very close to someone.'),
	prompt('abf.enough', 'ABF', 'normal', null,
		'Je vraagt je weleens af of je wel genoeg bent voor je partner.',
		'You sometimes wonder whether you are enough for your partner.'),
	prompt('enf.pinned-down', 'ENF', 'normal', null,
		'Vaste afspraken of plannen voor later kunnen voelen alsof je wordt vastgezet.',
		'Fixed arrangements or plans for later can make you feel pinned down.'),
	prompt('abf.small-rejection', 'ABF', 'normal', null,
		'Een kleine afwijzing, zoals een kort antwoord, kan je nog lang bezighouden.',
		'A small rejection, like a curt reply, can stay on your mind for a long time.'),
	prompt('enf.door-ajar', 'ENF', 'normal', null,
		'Je houdt graag een deur op een kier, voor het geval dat.',
		'You like to keep a door slightly open, just in case.'),
	prompt('abf.trust-stays', 'ABF', 'reverse', null,
		'Je vertrouwt erop dat je partner blijft, ook als het een tijd moeilijk is.',
		'You trust that your partner will stay, even when things are hard for a while.'),
	prompt('enf.doubt-safer', 'ENF', 'normal', null,
		'Voor je gevoel is twijfelen soms veiliger dan echt kiezen.',
		'To you, doubting sometimes feels safer than truly choosing.'),
	prompt('abf.distance', 'ABF', 'normal', null,
		'Als je partner wat afstand neemt, ben je bang dat het niet meer goedkomt.',
		'When your partner takes some distance, you fear things won’t come right again.'),
	prompt('enf.close-and-free', 'ENF', 'reverse', null,
		'Je kunt heel dicht bij je partner zijn en je toch vrij voelen.',
		'You can be very close to your partner and still feel free.')
];

/** Give and take: what you give, what you receive, whether it lands, whether it is ever enough. */
const giveAndTake: readonly ScalePrompt[] = [
	prompt('giv.time-attention', 'GIV', 'normal', null,
		'Je steekt veel tijd en aandacht in jullie relatie.',
		'You put a lot of time and attention into your relationship.'),
	prompt('rec.attention', 'REC', 'normal', null,
		'Je krijgt van je partner de aandacht die je nodig hebt.',
		'You get the attention you need from your partner.'),
	prompt('seen.notices', 'SEEN', 'normal', null,
		'Je partner merkt op wat je voor jullie tweeën doet.',
		'Your partner notices what you do for the two of you.'),
	prompt('ask.more', 'ASK', 'normal', null,
		'Je hebt het gevoel dat je partner steeds meer van je vraagt.',
		'You feel that your partner keeps asking more of you.'),
	prompt('giv.please', 'GIV', 'normal', null,
		'Je doet regelmatig iets speciaal om je partner blij te maken.',
		'You regularly do something just to make your partner happy.'),
	prompt('rec.matter', 'REC', 'normal', null,
		'Je partner laat je merken dat je belangrijk bent.',
		'Your partner lets you feel that you matter.'),
	prompt('seen.valued', 'SEEN', 'normal', null,
		'Je voelt je gewaardeerd om de moeite die je doet.',
		'You feel valued for the effort you make.'),
	prompt('ask.missing', 'ASK', 'normal', null,
		'Hoeveel je ook doet, je hoort vooral wat er nog ontbreekt.',
		'However much you do, what you mostly hear about is what is still missing.'),
	prompt('giv.think-ahead', 'GIV', 'normal', null,
		'Je denkt mee over wat je partner nodig heeft, ook als die er niet om vraagt.',
		'You think ahead about what your partner needs, even when they don’t ask.'),
	prompt('rec.count-on', 'REC', 'normal', null,
		'Als het tegenzit, kun je op je partner rekenen.',
		'When things go wrong, you can count on your partner.'),
	prompt('seen.unnoticed', 'SEEN', 'reverse', null,
		'Wat je geeft, lijkt vaak ongemerkt voorbij te gaan.',
		'What you give often seems to pass unnoticed.'),
	prompt('ask.weight', 'ASK', 'normal', null,
		'De verwachtingen van je partner voelen soms als een last op je schouders.',
		'Your partner’s expectations sometimes feel like a weight on your shoulders.'),
	prompt('giv.leave-to-partner', 'GIV', 'reverse', null,
		'In drukke tijden laat je de zorg voor jullie relatie vooral aan je partner over.',
		'In busy times, you mostly leave looking after your relationship to your partner.'),
	prompt('rec.miss-warmth', 'REC', 'reverse', null,
		'Je mist vaak de warmte die je van je partner zou willen krijgen.',
		'You often miss the warmth you would like to get from your partner.'),
	prompt('seen.thanks', 'SEEN', 'normal', null,
		'Je partner bedankt je weleens voor kleine dingen.',
		'Your partner now and then thanks you for small things.'),
	prompt('ask.content', 'ASK', 'reverse', null,
		'Je merkt dat je partner tevreden is met wat je geeft.',
		'You sense that your partner is content with what you give.'),
	prompt('giv.make-room', 'GIV', 'normal', null,
		'Je maakt bewust ruimte in je agenda voor tijd samen.',
		'You deliberately make room in your schedule for time together.'),
	prompt('rec.effort', 'REC', 'normal', null,
		'Je partner doet moeite voor jou, ook als het even niet uitkomt.',
		'Your partner makes an effort for you, even when it is not convenient.')
];

/** Roles that flip: both sides recognised in yourself. */
const flips: readonly ScalePrompt[] = [
	prompt('flip.stop-reaching', 'FLIP', 'normal', null,
		'Als jij ophoudt met contact zoeken, gaat je partner jou juist opzoeken.',
		'When you stop reaching out, your partner starts reaching out to you.'),
	prompt('flip.both-urges', 'FLIP', 'normal', null,
		'Je herkent in jezelf zowel de drang om vast te houden als de drang om weg te gaan.',
		'You recognise in yourself both the urge to hold on and the urge to get away.'),
	prompt('flip.swap', 'FLIP', 'normal', null,
		'Er zijn periodes waarin jullie van rol wisselen: wie eerst zocht, neemt dan afstand.',
		'There are times when the two of you swap roles: whoever was reaching out now keeps their distance.')
];

/** Every scale prompt of this version, in the order they are asked. */
export const scalePrompts: readonly ScalePrompt[] = [...closeness, ...fears, ...giveAndTake, ...flips];
