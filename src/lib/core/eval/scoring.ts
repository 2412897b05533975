/**
 * Scoring a run: per question, whether each answer states every fact or rightly declines, whether
 * retrieval found the source document and the grounded answer cites it; then the same counted
 * over the run and over each category of questions, with the answer inspector's support figures
 * (recorded per answer when it ran) added up.
 */

import { checkCitations } from '../answers/citations';
import type { SupportSummary } from '../answers/support';
import { abstains, groundedAbstains } from './abstention';
import { matchFacts, type FactMatch } from './facts';
import type { EvalQuestion } from './questions';
import type { EvalAnswer, EvalResult, EvalRun } from './run';

/** How the scoreboard is scored, in one sentence for the screen. */
export const SCORING_METHOD =
  'Scored by fact matching, not human judgement: an answer is correct when it contains every ' +
  'fact listed for its question (any one of its alternatives), compared after normalising case, ' +
  'whitespace, punctuation, thousands separators and number words (“thirty” = “30”), and an ' +
  'unanswerable question is answered well only when the answer says it does not know; support ' +
  'figures count the sentences and citations the answer inspector found backed by the passages.';

export interface AnswerScore {
  /** Every fact of the question in its order, found or missing, and where the answer states it. */
  facts: FactMatch[];
  factsFound: number;
  /** Every fact found; null when the question is unanswerable or has no facts to check. */
  correct: boolean | null;
  /** It says it does not know (see abstention.ts), whatever the question. */
  abstained: boolean;
  /**
   * It did what the question asks: correct when answerable, abstained when unanswerable; null for
   * an answerable question without facts.
   */
  passed: boolean | null;
}

export interface GroundedScore extends AnswerScore {
  /** Numbers cited that name a passage of the prompt, sorted, each once. */
  cited: number[];
  /** Numbers cited that name no passage of the prompt. */
  invalidCitations: number[];
  /** It cites a passage of the source document; null when the question names no source. */
  citesSource: boolean | null;
}

export interface QuestionScore {
  question: EvalQuestion;
  result: EvalResult;
  grounded: GroundedScore;
  ungrounded: AnswerScore;
  /**
   * The rank, from 1, of the first retrieved passage from the source document; null when none
   * was retrieved or the question names no source.
   */
  sourceRank: number | null;
  /** A passage of the source document was in the grounded prompt; null without a source. */
  sourceInPrompt: boolean | null;
}

/** Counts of questions, not percentages, except `mrr` and the means. */
export interface ScoreSummary {
  /** Questions asked (with a result). */
  questions: number;
  answerable: number;
  /** Answerable questions with no facts to check: counted in `answerable`, never correct. */
  answerableWithoutFacts: number;
  /** Answerable questions whose grounded answer states every fact. */
  groundedCorrect: number;
  ungroundedCorrect: number;
  unanswerable: number;
  /** Unanswerable questions whose grounded answer declines. */
  groundedAbstained: number;
  /** Unanswerable questions whose ungrounded answer says it does not know. */
  ungroundedAbstained: number;
  /** Answerable questions whose grounded answer declines: a retrieval miss, a cut passage, or a shy model. */
  groundedDeclinedAnswerable: number;
  /** Questions naming a source document: what the source counts and `mrr` are out of. */
  withSource: number;
  sourceHitAt1: number;
  /** The source document among the first `k` retrieved passages. */
  sourceHitAtK: number;
  k: number;
  /** Mean over `withSource` of 1 / the source's rank within the first k (0 if not there); 0 without any. */
  mrr: number;
  /** A passage of the source document was in the grounded prompt (the budget may drop some). */
  sourceInPrompt: number;
  /** The grounded answer cites a passage of the source document. */
  groundedCitesSource: number;
  /**
   * Answers checked against the passages (EvalAnswer.support): the support figures below count
   * only these, so an answer that failed, stopped or was kept from before the check adds nothing.
   */
  groundedAnswersChecked: number;
  ungroundedAnswersChecked: number;
  /** Sentences that make a claim; support rate = supported / checked. */
  groundedSentencesChecked: number;
  groundedSentencesSupported: number;
  groundedSentencesPartial: number;
  groundedSentencesNotFound: number;
  ungroundedSentencesChecked: number;
  ungroundedSentencesSupported: number;
  ungroundedSentencesPartial: number;
  ungroundedSentencesNotFound: number;
  /** Citations of passages of the prompt; citation precision = holding / checked. */
  groundedCitationsChecked: number;
  /** Citations whose passage supports their sentence. */
  groundedCitationsHolding: number;
  /** Numbers, dates, amounts, codes and names stated in no passage. */
  groundedDetailsInNoPassage: number;
  ungroundedDetailsInNoPassage: number;
  /** Means over the answers that have the figure; null when none has. */
  groundedMeanFirstTokenMs: number | null;
  ungroundedMeanFirstTokenMs: number | null;
  groundedMeanTokensPerSecond: number | null;
  ungroundedMeanTokensPerSecond: number | null;
}

/** What each figure of the summary is called on screen and in reports. */
export const SUMMARY_LABELS: Readonly<Record<keyof ScoreSummary, string>> = {
  questions: 'Questions asked',
  answerable: 'Answerable questions',
  answerableWithoutFacts: 'Answerable questions without facts to check',
  groundedCorrect: 'Grounded answers with every fact',
  ungroundedCorrect: 'Ungrounded answers with every fact',
  unanswerable: 'Unanswerable questions',
  groundedAbstained: 'Grounded answers declining an unanswerable question',
  ungroundedAbstained: 'Ungrounded answers declining an unanswerable question',
  groundedDeclinedAnswerable: 'Grounded answers declining an answerable question',
  withSource: 'Questions naming a source document',
  sourceHitAt1: 'Source document retrieved first (hit@1)',
  sourceHitAtK: 'Source document retrieved in the top k (hit@k)',
  k: 'k (passages retrieved)',
  mrr: 'Mean reciprocal rank of the source document (MRR)',
  sourceInPrompt: 'Source document in the grounded prompt',
  groundedCitesSource: 'Grounded answers citing the source document',
  groundedAnswersChecked: 'Grounded answers checked against their passages',
  ungroundedAnswersChecked: 'Ungrounded answers checked against the retrieved passages',
  groundedSentencesChecked: 'Grounded: sentences checked',
  groundedSentencesSupported: 'Grounded: sentences supported by the passages',
  groundedSentencesPartial: 'Grounded: sentences partly supported',
  groundedSentencesNotFound: 'Grounded: sentences not found in the passages',
  ungroundedSentencesChecked: 'Ungrounded: sentences checked',
  ungroundedSentencesSupported: 'Ungrounded: sentences supported by the passages',
  ungroundedSentencesPartial: 'Ungrounded: sentences partly supported',
  ungroundedSentencesNotFound: 'Ungrounded: sentences not found in the passages',
  groundedCitationsChecked: 'Grounded: citations checked',
  groundedCitationsHolding: 'Grounded: citations whose passage supports the sentence',
  groundedDetailsInNoPassage: 'Grounded: details (numbers, dates, names) in no passage',
  ungroundedDetailsInNoPassage: 'Ungrounded: details (numbers, dates, names) in no passage',
  groundedMeanFirstTokenMs: 'Grounded: mean time to first token (ms)',
  ungroundedMeanFirstTokenMs: 'Ungrounded: mean time to first token (ms)',
  groundedMeanTokensPerSecond: 'Grounded: mean tokens per second',
  ungroundedMeanTokensPerSecond: 'Ungrounded: mean tokens per second',
};

/**
 * Figures that count part of another: support rate is supported / checked sentences, citation
 * precision holding / checked citations. Comparisons show them as a share of their whole.
 */
export const SUMMARY_WHOLES: Readonly<Partial<Record<keyof ScoreSummary, keyof ScoreSummary>>> = {
  groundedSentencesSupported: 'groundedSentencesChecked',
  groundedSentencesPartial: 'groundedSentencesChecked',
  groundedSentencesNotFound: 'groundedSentencesChecked',
  ungroundedSentencesSupported: 'ungroundedSentencesChecked',
  ungroundedSentencesPartial: 'ungroundedSentencesChecked',
  ungroundedSentencesNotFound: 'ungroundedSentencesChecked',
  groundedCitationsHolding: 'groundedCitationsChecked',
};

export interface CategoryScore {
  category: string;
  summary: ScoreSummary;
}

export interface RunScore {
  summary: ScoreSummary;
  /** One per category, in the order categories first appear; uncategorised questions are in none. */
  groups: CategoryScore[];
  /** In the question set's order. */
  questions: QuestionScore[];
  /** Ids of the set's questions without a result: not asked, because the run was cancelled. */
  notAsked: string[];
}

/**
 * Scores `results` against `questions`, with hit@k at `k` (the run's top-k). Throws when a
 * result names a question not in `questions`, or two results name one question: the caller
 * built the run wrongly.
 */
export function scoreResults(
  questions: readonly EvalQuestion[],
  results: readonly EvalResult[],
  k: number,
): RunScore {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`k must be a whole number of passages, 1 or more, not ${k}.`);
  }
  const byId = new Map<string, EvalResult>();
  const known = new Set(questions.map((q) => q.id));
  for (const result of results) {
    if (!known.has(result.questionId)) {
      throw new Error(`A result names question “${result.questionId}”, which is not in the set.`);
    }
    if (byId.has(result.questionId)) {
      throw new Error(`Question “${result.questionId}” has two results; a run asks it once.`);
    }
    byId.set(result.questionId, result);
  }
  const scored: QuestionScore[] = [];
  const notAsked: string[] = [];
  for (const question of questions) {
    const result = byId.get(question.id);
    if (result) scored.push(scoreQuestion(question, result));
    else notAsked.push(question.id);
  }
  const categories = [...new Set(scored.map((s) => s.question.category))].filter(
    (c): c is string => c !== undefined,
  );
  return {
    summary: summarise(scored, k),
    groups: categories.map((category) => ({
      category,
      summary: summarise(
        scored.filter((s) => s.question.category === category),
        k,
      ),
    })),
    questions: scored,
    notAsked,
  };
}

/** scoreResults for a run, at its top-k. */
export function scoreRun(run: EvalRun): RunScore {
  return scoreResults(run.questionSet.questions, run.results, run.settings.topK);
}

/** One question's scores; `result` must be this question's. */
export function scoreQuestion(question: EvalQuestion, result: EvalResult): QuestionScore {
  const { source } = question;
  const fromSource = (docName: string) => source !== undefined && sameDocument(docName, source);
  const at = result.passages.findIndex((p) => fromSource(p.docName));
  const sourceRank = source === undefined || at < 0 ? null : at + 1;

  const grounded = scoreAnswer(question, result.grounded, groundedAbstains);
  const citations = checkCitations(result.grounded.text, result.promptPassages);
  const citesSource =
    source === undefined
      ? null
      : citations.cited.some((n) => {
          const passage = result.passages[n - 1];
          return passage !== undefined && fromSource(passage.docName);
        });
  return {
    question,
    result,
    grounded: {
      ...grounded,
      cited: citations.cited,
      invalidCitations: citations.invalid,
      citesSource,
    },
    ungrounded: scoreAnswer(question, result.ungrounded, abstains),
    sourceRank,
    sourceInPrompt:
      source === undefined ? null : sourceRank !== null && sourceRank <= result.promptPassages,
  };
}

/**
 * Document names compare as a person reads them: "Employee-Handbook.md " is the source
 * "employee-handbook.md".
 */
export function sameDocument(a: string, b: string): boolean {
  const key = (name: string) => name.normalize('NFC').trim().toLowerCase();
  return key(a) === key(b);
}

function scoreAnswer(
  question: EvalQuestion,
  answer: EvalAnswer,
  declines: (text: string) => boolean,
): AnswerScore {
  const facts = matchFacts(answer.text, question.facts);
  const factsFound = facts.filter((f) => f.found).length;
  const abstained = declines(answer.text);
  const answerable = question.kind === 'answerable';
  const correct = answerable && facts.length > 0 ? factsFound === facts.length : null;
  return { facts, factsFound, correct, abstained, passed: answerable ? correct : abstained };
}

function summarise(scores: readonly QuestionScore[], k: number): ScoreSummary {
  const count = (test: (s: QuestionScore) => boolean) => scores.filter(test).length;
  const answerable = (s: QuestionScore) => s.question.kind === 'answerable';
  const unanswerable = (s: QuestionScore) => s.question.kind === 'unanswerable';
  const withSource = scores.filter((s) => s.question.source !== undefined);
  const reciprocal = withSource.reduce(
    (sum, s) => sum + (s.sourceRank !== null && s.sourceRank <= k ? 1 / s.sourceRank : 0),
    0,
  );
  const grounded = supportTotals(scores.map((s) => s.result.grounded.support));
  const ungrounded = supportTotals(scores.map((s) => s.result.ungrounded.support));
  return {
    questions: scores.length,
    answerable: count(answerable),
    answerableWithoutFacts: count((s) => answerable(s) && s.question.facts.length === 0),
    groundedCorrect: count((s) => s.grounded.correct === true),
    ungroundedCorrect: count((s) => s.ungrounded.correct === true),
    unanswerable: count(unanswerable),
    groundedAbstained: count((s) => unanswerable(s) && s.grounded.abstained),
    ungroundedAbstained: count((s) => unanswerable(s) && s.ungrounded.abstained),
    groundedDeclinedAnswerable: count((s) => answerable(s) && s.grounded.abstained),
    withSource: withSource.length,
    sourceHitAt1: count((s) => s.sourceRank === 1),
    sourceHitAtK: count((s) => s.sourceRank !== null && s.sourceRank <= k),
    k,
    mrr: withSource.length === 0 ? 0 : reciprocal / withSource.length,
    sourceInPrompt: count((s) => s.sourceInPrompt === true),
    groundedCitesSource: count((s) => s.grounded.citesSource === true),
    groundedAnswersChecked: grounded.answers,
    ungroundedAnswersChecked: ungrounded.answers,
    groundedSentencesChecked: grounded.sentences,
    groundedSentencesSupported: grounded.supported,
    groundedSentencesPartial: grounded.partial,
    groundedSentencesNotFound: grounded.missing,
    ungroundedSentencesChecked: ungrounded.sentences,
    ungroundedSentencesSupported: ungrounded.supported,
    ungroundedSentencesPartial: ungrounded.partial,
    ungroundedSentencesNotFound: ungrounded.missing,
    groundedCitationsChecked: grounded.citations,
    groundedCitationsHolding: grounded.citationsHolding,
    groundedDetailsInNoPassage: grounded.unfoundDetails,
    ungroundedDetailsInNoPassage: ungrounded.unfoundDetails,
    groundedMeanFirstTokenMs: mean(scores.map((s) => s.result.grounded.firstTokenMs)),
    ungroundedMeanFirstTokenMs: mean(scores.map((s) => s.result.ungrounded.firstTokenMs)),
    groundedMeanTokensPerSecond: mean(scores.map((s) => s.result.grounded.tokensPerSecond)),
    ungroundedMeanTokensPerSecond: mean(scores.map((s) => s.result.ungrounded.tokensPerSecond)),
  };
}

/** The support summaries of the answers that have one, added up, and how many there were. */
function supportTotals(
  summaries: readonly (SupportSummary | undefined)[],
): SupportSummary & { answers: number } {
  const total = {
    answers: 0,
    sentences: 0,
    supported: 0,
    partial: 0,
    missing: 0,
    citations: 0,
    citationsHolding: 0,
    unfoundDetails: 0,
  };
  for (const summary of summaries) {
    if (!summary) continue;
    total.answers++;
    total.sentences += summary.sentences;
    total.supported += summary.supported;
    total.partial += summary.partial;
    total.missing += summary.missing;
    total.citations += summary.citations;
    total.citationsHolding += summary.citationsHolding;
    total.unfoundDetails += summary.unfoundDetails;
  }
  return total;
}

function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

/**
 * Why an answerable question's grounded answer lacks a fact, looked for in this order: the
 * answer failed; retrieval did not find the source document; it found it but the context budget
 * cut it from the prompt; the model declined though the source was in the prompt; the model had
 * the source (or the question names none) and did not state every fact.
 */
export type GroundedMiss =
  'failed' | 'not-retrieved' | 'cut-from-prompt' | 'declined' | 'missed-facts';

/** What each reason is called on screen and in reports, in the order they are looked for. */
export const GROUNDED_MISS_LABELS: Readonly<Record<GroundedMiss, string>> = {
  failed: 'The answer failed',
  'not-retrieved': 'Retrieval missed the source document',
  'cut-from-prompt': 'The source was retrieved but did not fit in the prompt',
  declined: 'The model declined though the source was in the prompt',
  'missed-facts': 'The model had the passages but did not state every fact',
};

/** Why the grounded answer to `score`'s question missed; null when it is right or not scored. */
export function groundedMiss(score: QuestionScore): GroundedMiss | null {
  if (score.question.kind !== 'answerable' || score.grounded.correct !== false) return null;
  if (score.result.grounded.end === 'failed') return 'failed';
  if (score.question.source !== undefined) {
    if (score.sourceRank === null) return 'not-retrieved';
    if (score.sourceInPrompt === false) return 'cut-from-prompt';
  }
  return score.grounded.abstained ? 'declined' : 'missed-facts';
}

/** How many grounded answers missed for each reason; every reason is present, 0 when none. */
export function groundedMisses(score: RunScore): Record<GroundedMiss, number> {
  const counts = Object.fromEntries(
    Object.keys(GROUNDED_MISS_LABELS).map((reason) => [reason, 0]),
  ) as Record<GroundedMiss, number>;
  for (const question of score.questions) {
    const miss = groundedMiss(question);
    if (miss) counts[miss]++;
  }
  return counts;
}
