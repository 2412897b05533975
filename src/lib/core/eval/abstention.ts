/**
 * Abstention: whether an answer declines to answer rather than answering. On an unanswerable
 * question declining is right, and a confident answer is a failure, however plausible.
 *
 * An answer abstains when it says, anywhere, that it does not know, cannot know or has no
 * information (the phrases below), or — the grounded answer — when it is the sentence the
 * grounded prompt asks for (NO_ANSWER_SENTENCE). A hedge counts: "I'm not sure, but it may be
 * Cigna" warns the reader that what follows is a guess, which is what the ungrounded prompt asks
 * for. An empty answer does not abstain: it said nothing.
 */

import { declinesToAnswer } from '../answers/prompt';

/**
 * The phrases that make an answer abstain, matched in lower case with straight apostrophes.
 * Each is written to need a speaker ("I", "we") or a source ("the passages", "there is no
 * information"), so a confident "No, you cannot fly" or "There is no 90-day rotation" is not one.
 */
export const ABSTENTION_PHRASES: readonly RegExp[] = [
  // "I don't know", "I do not have any information", "we don't have access to"
  /\b(?:i|we) (?:do not|don't|dont|did not|didn't) (?:know|have (?:(?:any|enough|specific|the|that|this|such|reliable|current|up-to-date|real-time|access to|detailed) )*(?:information|data|details|knowledge|access|records|answer))\b/,
  // "I'm not sure", "I am not aware of", "I'm unable to"
  /\b(?:i'm|i am|im) (?:not (?:sure|certain|aware)|unable|not able|unaware)\b/,
  // "I cannot say", "I couldn't find", "I was unable to determine"
  /\b(?:i|we) (?:cannot|can't|cant|can not|could not|couldn't|was unable to|were unable to|am unable to|are unable to|am not able to) (?:know|say|tell|determine|find|provide|answer|access|confirm|verify|be sure|be certain|give|locate|identify|look up|browse|predict)\b/,
  // "I have no information", "I have no way of knowing"
  /\b(?:i|we) have no (?:(?:[\w-]+) ){0,2}(?:information|knowledge|data|details|access|way|records|idea)\b/,
  // "There is no information about", "there's no publicly available data on", "no way to know"
  // The noun must end the phrase, so "there is no information desk" is not one.
  /\bthere (?:is|are|'s) no (?:(?:[\w-]+) ){0,2}(?:information|data|details|mention|records?)(?: (?:about|on|regarding|available|provided|given|in|for|that|of)\b|[.,;:!?]|$)/,
  /\bno (?:(?:[\w-]+) ){0,2}information (?:is |was )?(?:available|provided|given|about|on|regarding)\b/,
  /\bno way (?:for me )?(?:of |to )(?:know|tell|say|determine)\b/,
  // "It is not possible to say", "it's impossible for me to know"
  /\b(?:it is|it's) (?:not possible|impossible) (?:for me )?to (?:know|say|tell|determine)\b/,
  // "The passages do not mention", "the provided context doesn't say"
  /\b(?:documents?|passages?|context|sources?|texts?|information provided|provided information) (?:do|does|did) not (?:say|mention|contain|specify|state|include|provide|cover|give|list|answer)\b/,
  /\b(?:documents?|passages?|context|sources?|texts?) (?:don't|doesn't|didn't) (?:say|mention|contain|specify|state|include|provide|cover|give|list|answer)\b/,
  // "is not mentioned in the passages", "not available in my training data"
  /\bnot (?:mentioned|specified|stated|provided|given|listed|covered|available|included) in (?:the|any|my|these|those)\b/,
  // "beyond my knowledge", "outside my training data"
  /\b(?:beyond|outside) (?:my|the scope of my) (?:knowledge|training)\b/,
];

/** Whether `answer` says it does not know, cannot know or has no information. */
export function abstains(answer: string): boolean {
  const text = answer
    .toLowerCase()
    .replace(/[‘’ʼ`]/g, "'")
    .replace(/\s+/g, ' ');
  return ABSTENTION_PHRASES.some((phrase) => phrase.test(text));
}

/** Whether a grounded answer declines: the sentence its prompt asks for, or any abstention. */
export function groundedAbstains(answer: string): boolean {
  return declinesToAnswer(answer) || abstains(answer);
}
