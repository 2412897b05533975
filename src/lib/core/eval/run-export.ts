/**
 * A run as files: JSON with everything (read back by parseRunJson), CSV with one row per
 * question for spreadsheets, and a Markdown report an instructor can paste into slides.
 */

import type { SupportSummary } from '../answers/support';
import { formatDuration, plural } from '../text/format';
import type { Fact } from './questions';
import { describeSettings, type EvalRun } from './run';
import {
  SCORING_METHOD,
  scoreRun,
  type AnswerScore,
  type QuestionScore,
  type RunScore,
  GROUNDED_MISS_LABELS,
  groundedMisses,
  type GroundedMiss,
  type ScoreSummary,
} from './scoring';

/** What the JSON file says it is, so a file of something else is refused by name. */
export const RUN_FILE_FORMAT = 'grounded-evaluation-run';
export const RUN_FILE_VERSION = 1;

/** A JSON, CSV or Markdown file name for the run: "evaluation-2025-04-01-0900.json". */
export function runFileName(run: EvalRun, extension: 'json' | 'csv' | 'md'): string {
  const stamp = new Date(run.startedAt)
    .toISOString()
    .slice(0, 16)
    .replace('T', '-')
    .replace(':', '');
  return `evaluation-${stamp}.${extension}`;
}

// --- JSON -------------------------------------------------------------------------------------

/**
 * The run and its scores, indented. `run` is the run exactly (parseRunJson gives it back
 * equal); `summary`, `groundedMisses`, `groups` and `questions` are its scores at the time of writing, for readers
 * of the file (`jq .summary`), and are not read back.
 */
export function runToJson(run: EvalRun): string {
  const score = scoreRun(run);
  return `${JSON.stringify(
    {
      format: RUN_FILE_FORMAT,
      version: RUN_FILE_VERSION,
      scoringMethod: SCORING_METHOD,
      summary: score.summary,
      groundedMisses: groundedMisses(score),
      groups: score.groups,
      questions: questionRows(score),
      notAsked: score.notAsked,
      run,
    },
    null,
    2,
  )}\n`;
}

/** A run file that cannot be read; the message names the file and says what to do. */
export class RunFileError extends Error {
  override name = 'RunFileError';
}

/** The run in a file written by runToJson. Throws RunFileError naming `fileName` and the fault. */
export function parseRunJson(text: string, fileName: string): EvalRun {
  const fail = (what: string): never => {
    throw new RunFileError(`“${fileName}” ${what}`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    fail(
      `is not JSON (${error instanceof Error ? error.message : String(error)}). Choose a run exported from Grounded's Evaluation panel.`,
    );
  }
  if (!isRecord(data) || data.format !== RUN_FILE_FORMAT) {
    fail(
      `is not a Grounded evaluation run. Choose a .json file exported from Grounded's Evaluation panel.`,
    );
  }
  const file = data as Record<string, unknown>;
  if (!Number.isInteger(file.version) || (file.version as number) < 1) {
    fail(`is damaged: its "version" is not a format version. Export the run from Grounded again.`);
  }
  if ((file.version as number) > RUN_FILE_VERSION) {
    fail(
      `was written by a newer version of Grounded (run format ${String(file.version)}). Open it in an up-to-date Grounded.`,
    );
  }
  const problem = RUN_SHAPE(file.run, 'run');
  if (problem) fail(`is damaged: ${problem}. Export the run from Grounded again.`);
  const run = file.run as EvalRun;
  try {
    scoreRun(run);
  } catch (error) {
    fail(
      `does not hold a consistent run: ${error instanceof Error ? error.message : String(error)} Export the run from Grounded again.`,
    );
  }
  return run;
}

// A small checker for the run's shape: each returns null when `value` fits, else what is wrong
// and where, in terms a person can find in the file.
type Check = (value: unknown, path: string) => string | null;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const is =
  (test: (value: unknown) => boolean, what: string): Check =>
  (value, path) =>
    test(value) ? null : `${path} is not ${what}`;
const text = is((v) => typeof v === 'string', 'text');
const number = is((v) => typeof v === 'number' && Number.isFinite(v), 'a number');
const count = is((v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number');
const flag = is((v) => typeof v === 'boolean', 'true or false');
const oneOf = (...values: string[]) =>
  is((v) => values.includes(v as string), `one of ${values.join(', ')}`);
const orNull =
  (inner: Check): Check =>
  (value, path) =>
    value === null ? null : inner(value, path);
const list =
  (inner: Check): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return `${path} is not a list`;
    for (const [i, item] of value.entries()) {
      const problem = inner(item, `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  };
/** Keys ending in "?" may be absent. */
const shape =
  (fields: Record<string, Check>): Check =>
  (value, path) => {
    if (!isRecord(value)) return `${path} is not an object`;
    for (const [name, inner] of Object.entries(fields)) {
      const key = name.replace(/\?$/, '');
      if (name.endsWith('?') && !(key in value)) continue;
      const problem = inner(value[key], `${path}.${key}`);
      if (problem) return problem;
    }
    return null;
  };
const SUPPORT = shape({
  sentences: count,
  supported: count,
  partial: count,
  missing: count,
  citations: count,
  citationsHolding: count,
  unfoundDetails: count,
});
const ANSWER = shape({
  text,
  end: oneOf('done', 'length', 'stopped', 'failed'),
  'error?': text,
  firstTokenMs: orNull(number),
  tokens: count,
  tokensPerSecond: orNull(number),
  totalMs: number,
  // Runs exported before answers were checked have none.
  'support?': SUPPORT,
});
const PASSAGE = shape({
  docName: text,
  ordinal: count,
  chunkCount: count,
  headingPath: list(text),
  'page?': count,
  score: number,
  text,
});
const QUESTION = shape({
  id: text,
  question: text,
  'answer?': text,
  facts: list(list(text)),
  'source?': text,
  kind: oneOf('answerable', 'unanswerable'),
  'category?': text,
  'generated?': flag,
});
const RUN_SHAPE = shape({
  id: text,
  startedAt: number,
  'finishedAt?': number,
  cancelled: flag,
  settings: shape({
    embeddingModel: text,
    retrieval: shape({
      mode: oneOf('hybrid', 'dense', 'keyword'),
      fusion: oneOf('rrf', 'weighted'),
      rrfK: number,
      denseWeight: number,
    }),
    topK: count,
    reranker: orNull(text),
    languageModel: text,
    sampling: shape({ temperature: number, topP: number, seed: count, maxTokens: count }),
    chunking: shape({ targetTokens: count, overlapTokens: count }),
  }),
  questionSet: shape({ name: text, questions: list(QUESTION) }),
  results: list(
    shape({
      questionId: text,
      passages: list(PASSAGE),
      promptPassages: count,
      retrievalMs: number,
      grounded: ANSWER,
      ungrounded: ANSWER,
    }),
  ),
  knowledgeBase: shape({ documents: count, chunks: count, fingerprint: text }),
});

// --- One row per question ---------------------------------------------------------------------

/** A question's scores, flat: the JSON's `questions` and the CSV's rows. */
export interface QuestionRow {
  id: string;
  category: string | null;
  kind: string;
  question: string;
  /** The reference answer. */
  answer: string | null;
  facts: Fact[];
  source: string | null;
  /** Document names of the retrieved passages, best first. */
  retrieved: string[];
  promptPassages: number;
  sourceRank: number | null;
  sourceInPrompt: boolean | null;
  groundedAnswer: string;
  groundedEnd: string;
  groundedPassed: boolean | null;
  groundedCorrect: boolean | null;
  groundedFactsFound: Fact[];
  groundedFactsMissing: Fact[];
  groundedAbstained: boolean;
  groundedCited: number[];
  groundedCitesSource: boolean | null;
  groundedFirstTokenMs: number | null;
  groundedTokens: number;
  groundedTokensPerSecond: number | null;
  /** The answer inspector's counts (SupportSummary); null when the answer was not checked. */
  groundedSentencesChecked: number | null;
  groundedSentencesSupported: number | null;
  groundedSentencesPartial: number | null;
  groundedSentencesNotFound: number | null;
  groundedCitationsChecked: number | null;
  groundedCitationsHolding: number | null;
  groundedDetailsInNoPassage: number | null;
  ungroundedAnswer: string;
  ungroundedEnd: string;
  ungroundedPassed: boolean | null;
  ungroundedCorrect: boolean | null;
  ungroundedFactsFound: Fact[];
  ungroundedFactsMissing: Fact[];
  ungroundedAbstained: boolean;
  ungroundedFirstTokenMs: number | null;
  ungroundedTokens: number;
  ungroundedTokensPerSecond: number | null;
  ungroundedSentencesChecked: number | null;
  ungroundedSentencesSupported: number | null;
  ungroundedSentencesPartial: number | null;
  ungroundedSentencesNotFound: number | null;
  ungroundedDetailsInNoPassage: number | null;
}

export function questionRows(score: RunScore): QuestionRow[] {
  return score.questions.map(({ question, result, grounded, ungrounded, ...rest }) => ({
    id: question.id,
    category: question.category ?? null,
    kind: question.kind,
    question: question.question,
    answer: question.answer ?? null,
    facts: question.facts,
    source: question.source ?? null,
    retrieved: result.passages.map((p) => p.docName),
    promptPassages: result.promptPassages,
    sourceRank: rest.sourceRank,
    sourceInPrompt: rest.sourceInPrompt,
    groundedAnswer: result.grounded.text,
    groundedEnd: result.grounded.end,
    groundedPassed: grounded.passed,
    groundedCorrect: grounded.correct,
    groundedFactsFound: factsWhere(grounded, true),
    groundedFactsMissing: factsWhere(grounded, false),
    groundedAbstained: grounded.abstained,
    groundedCited: grounded.cited,
    groundedCitesSource: grounded.citesSource,
    groundedFirstTokenMs: result.grounded.firstTokenMs,
    groundedTokens: result.grounded.tokens,
    groundedTokensPerSecond: result.grounded.tokensPerSecond,
    groundedSentencesChecked: result.grounded.support?.sentences ?? null,
    groundedSentencesSupported: result.grounded.support?.supported ?? null,
    groundedSentencesPartial: result.grounded.support?.partial ?? null,
    groundedSentencesNotFound: result.grounded.support?.missing ?? null,
    groundedCitationsChecked: result.grounded.support?.citations ?? null,
    groundedCitationsHolding: result.grounded.support?.citationsHolding ?? null,
    groundedDetailsInNoPassage: result.grounded.support?.unfoundDetails ?? null,
    ungroundedAnswer: result.ungrounded.text,
    ungroundedEnd: result.ungrounded.end,
    ungroundedPassed: ungrounded.passed,
    ungroundedCorrect: ungrounded.correct,
    ungroundedFactsFound: factsWhere(ungrounded, true),
    ungroundedFactsMissing: factsWhere(ungrounded, false),
    ungroundedAbstained: ungrounded.abstained,
    ungroundedFirstTokenMs: result.ungrounded.firstTokenMs,
    ungroundedTokens: result.ungrounded.tokens,
    ungroundedTokensPerSecond: result.ungrounded.tokensPerSecond,
    ungroundedSentencesChecked: result.ungrounded.support?.sentences ?? null,
    ungroundedSentencesSupported: result.ungrounded.support?.supported ?? null,
    ungroundedSentencesPartial: result.ungrounded.support?.partial ?? null,
    ungroundedSentencesNotFound: result.ungrounded.support?.missing ?? null,
    ungroundedDetailsInNoPassage: result.ungrounded.support?.unfoundDetails ?? null,
  }));
}

function factsWhere(score: AnswerScore, found: boolean): Fact[] {
  return score.facts.filter((f) => f.found === found).map((f) => f.fact);
}

// --- CSV --------------------------------------------------------------------------------------

/** The CSV's columns: QuestionRow's fields in snake_case ("grounded_facts_missing"). */
export const CSV_COLUMNS: readonly (keyof QuestionRow)[] = [
  'id',
  'category',
  'kind',
  'question',
  'answer',
  'facts',
  'source',
  'retrieved',
  'promptPassages',
  'sourceRank',
  'sourceInPrompt',
  'groundedAnswer',
  'groundedEnd',
  'groundedPassed',
  'groundedCorrect',
  'groundedFactsFound',
  'groundedFactsMissing',
  'groundedAbstained',
  'groundedCited',
  'groundedCitesSource',
  'groundedFirstTokenMs',
  'groundedTokens',
  'groundedTokensPerSecond',
  'groundedSentencesChecked',
  'groundedSentencesSupported',
  'groundedSentencesPartial',
  'groundedSentencesNotFound',
  'groundedCitationsChecked',
  'groundedCitationsHolding',
  'groundedDetailsInNoPassage',
  'ungroundedAnswer',
  'ungroundedEnd',
  'ungroundedPassed',
  'ungroundedCorrect',
  'ungroundedFactsFound',
  'ungroundedFactsMissing',
  'ungroundedAbstained',
  'ungroundedFirstTokenMs',
  'ungroundedTokens',
  'ungroundedTokensPerSecond',
  'ungroundedSentencesChecked',
  'ungroundedSentencesSupported',
  'ungroundedSentencesPartial',
  'ungroundedSentencesNotFound',
  'ungroundedDetailsInNoPassage',
];

/**
 * One row per question asked, after a header row, as RFC 4180 says: CRLF line ends, a field
 * quoted when it holds a comma, quote, CR or LF, quotes doubled. For spreadsheets, it starts
 * with a byte-order mark (so "€" survives Excel), and a text field starting with =, +, -, @ or a
 * tab gets a leading ' so it is not run as a formula ("- 30 weeks" would show as #NAME?). Facts
 * are written as the question import reads them: facts separated by "; ", alternatives by " | ";
 * lists ("retrieved", "grounded_cited") by "; ". Yes/no columns are "yes", "no" or empty for
 * not applicable; times in whole milliseconds, rates to one decimal; support counts empty for an
 * answer that was not checked.
 */
export function runToCsv(run: EvalRun): string {
  const rows = questionRows(scoreRun(run));
  const lines = [
    CSV_COLUMNS.map((column) => column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)),
    ...rows.map((row) => CSV_COLUMNS.map((column) => csvValue(column, row[column]))),
  ];
  return `\uFEFF${lines.map((fields) => fields.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvValue(column: keyof QuestionRow, value: QuestionRow[keyof QuestionRow]): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (column.endsWith('Ms')) return String(Math.round(value));
    if (column.endsWith('PerSecond')) return value.toFixed(1);
    return String(value);
  }
  if (typeof value === 'string') return spreadsheetSafe(value);
  if (column === 'facts' || column.includes('Facts')) {
    return spreadsheetSafe(formatFacts(value as Fact[]));
  }
  return spreadsheetSafe(value.join('; '));
}

/** "30 weeks; full basic pay | full pay": the import's syntax for facts. */
export function formatFacts(facts: readonly Fact[]): string {
  return facts.map((fact) => fact.join(' | ')).join('; ');
}

function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

// --- Markdown ---------------------------------------------------------------------------------

/**
 * A report to paste into slides or a document: what was run, the scoreboard, the categories,
 * the settings, a row per question, then both answers to each question. Text from questions and
 * answers cannot break the tables or run as HTML: pipes, backslashes and angle brackets are
 * escaped and line breaks become <br> in table cells; answers are quoted in blockquotes.
 */
export function runToMarkdown(run: EvalRun): string {
  const score = scoreRun(run);
  const { summary } = score;
  const asked = score.questions.length;
  const total = run.questionSet.questions.length;
  const out: string[] = [];
  out.push(`# Evaluation: ${inline(run.questionSet.name)}`, '');
  out.push(
    `${formatTime(run.startedAt)} · ${inline(run.settings.languageModel)} · ` +
      `${run.knowledgeBase.documents} documents, ${run.knowledgeBase.chunks} passages · ` +
      (run.cancelled ? `cancelled after ${asked} of ${total} questions` : `${asked} questions`),
    '',
  );
  out.push(`_${SCORING_METHOD}_`, '');

  out.push('| | Grounded | Ungrounded |', '| --- | --- | --- |');
  out.push(
    row([
      'Answerable questions with every fact',
      fraction(summary.groundedCorrect, summary.answerable - summary.answerableWithoutFacts),
      fraction(summary.ungroundedCorrect, summary.answerable - summary.answerableWithoutFacts),
    ]),
    row([
      'Unanswerable questions declined',
      fraction(summary.groundedAbstained, summary.unanswerable),
      fraction(summary.ungroundedAbstained, summary.unanswerable),
    ]),
    row([
      'Answers citing the source document',
      fraction(summary.groundedCitesSource, summary.withSource),
      '–',
    ]),
    ...supportRows(summary).map(row),
    row([
      'Mean time to first token',
      milliseconds(summary.groundedMeanFirstTokenMs),
      milliseconds(summary.ungroundedMeanFirstTokenMs),
    ]),
    row([
      'Mean tokens per second',
      rate(summary.groundedMeanTokensPerSecond),
      rate(summary.ungroundedMeanTokensPerSecond),
    ]),
  );
  out.push('', supportCoverage(summary), '');
  const hits = (n: number) => fraction(n, summary.withSource);
  out.push(
    summary.withSource === 0
      ? 'No question names its source document, so retrieval is not measured.'
      : `Retrieval of the source document: hit@1 ${hits(summary.sourceHitAt1)}, ` +
          `hit@${summary.k} ${hits(summary.sourceHitAtK)}, MRR ${summary.mrr.toFixed(2)}; ` +
          `in the grounded prompt ${hits(summary.sourceInPrompt)}.`,
    '',
  );

  const misses = Object.entries(groundedMisses(score)).filter(([, n]) => n > 0);
  if (misses.length > 0) {
    out.push('Why grounded answers missed a fact:', '');
    for (const [reason, n] of misses) {
      out.push(`- ${GROUNDED_MISS_LABELS[reason as GroundedMiss]}: ${n}`);
    }
    out.push('');
  }

  if (score.groups.length > 0) {
    out.push('## By category', '', ...categoryTable(score), '');
  }

  out.push('## Settings', '', '| Setting | Value |', '| --- | --- |');
  for (const line of describeSettings(run.settings)) out.push(row([line.label, line.value]));
  out.push('');

  out.push('## Questions', '');
  out.push(
    '| # | Question | Grounded | Ungrounded | Source rank | Cites source |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  score.questions.forEach((q, i) => {
    out.push(
      row([
        String(i + 1),
        q.question.question,
        verdict(q.question.kind, q.grounded),
        verdict(q.question.kind, q.ungrounded),
        q.question.source === undefined ? '–' : (q.sourceRank?.toString() ?? 'not retrieved'),
        q.grounded.citesSource === null ? '–' : q.grounded.citesSource ? 'yes' : 'no',
      ]),
    );
  });
  out.push('');
  if (score.notAsked.length > 0) {
    out.push(`Not asked (the run was cancelled): ${score.notAsked.length} questions.`, '');
  }

  out.push('## Answers', '');
  score.questions.forEach((q, i) => out.push(...answersSection(q, i + 1)));
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The scoreboard's support rows, grounded then ungrounded: none for a run without support (one
 * made before answers were checked), whose figures would all be "–".
 */
function supportRows(summary: ScoreSummary): string[][] {
  if (summary.groundedAnswersChecked + summary.ungroundedAnswersChecked === 0) return [];
  return [
    [
      'Sentences supported by the passages',
      fraction(summary.groundedSentencesSupported, summary.groundedSentencesChecked),
      fraction(summary.ungroundedSentencesSupported, summary.ungroundedSentencesChecked),
    ],
    [
      'Sentences partly supported',
      fraction(summary.groundedSentencesPartial, summary.groundedSentencesChecked),
      fraction(summary.ungroundedSentencesPartial, summary.ungroundedSentencesChecked),
    ],
    [
      'Sentences not found in the passages',
      fraction(summary.groundedSentencesNotFound, summary.groundedSentencesChecked),
      fraction(summary.ungroundedSentencesNotFound, summary.ungroundedSentencesChecked),
    ],
    [
      'Citations whose passage supports the sentence (citation precision)',
      fraction(summary.groundedCitationsHolding, summary.groundedCitationsChecked),
      '–',
    ],
    [
      'Details (numbers, dates, names) in no passage',
      summary.groundedAnswersChecked === 0 ? '–' : String(summary.groundedDetailsInNoPassage),
      summary.ungroundedAnswersChecked === 0 ? '–' : String(summary.ungroundedDetailsInNoPassage),
    ],
  ];
}

function answersSection(q: QuestionScore, number: number): string[] {
  const lines = [`### ${number}. ${inline(q.question.question)}`, ''];
  if (q.question.answer !== undefined) {
    lines.push(`Reference: ${inline(q.question.answer)}`, '');
  }
  for (const [label, score, answer] of [
    ['Grounded', q.grounded, q.result.grounded],
    ['Ungrounded', q.ungrounded, q.result.ungrounded],
  ] as const) {
    const ended = answer.end === 'done' ? '' : ` (${endings[answer.end]})`;
    lines.push(`**${label}:** ${verdict(q.question.kind, score)}${ended}`, '');
    lines.push(quote(answer.text), '');
    lines.push(`Support: ${supportLine(answer.support, label === 'Grounded')}`, '');
  }
  return lines;
}

const endings = {
  length: 'cut at the longest answer allowed',
  stopped: 'stopped',
  failed: 'failed',
} as const;

/** "✓ every fact", "✗ 1 of 2 facts, missing: full basic pay", "✓ declined", "✗ answered". */
function verdict(kind: string, score: AnswerScore): string {
  if (kind === 'unanswerable') return score.abstained ? '✓ declined' : '✗ answered';
  if (score.correct === null) return '– no facts to check';
  if (score.correct) return '✓ every fact';
  const missing = score.facts.filter((f) => !f.found).map((f) => f.fact);
  return `✗ ${score.factsFound} of ${plural(score.facts.length, 'fact')}, missing: ${formatFacts(missing)}`;
}

/**
 * An answer's support in one line, as Ask shows it under the answer: "2 sentences: 1 supported,
 * 0 partly supported, 1 not found in the passages · 1 of 2 citations hold · 1 detail in no
 * passage." Citations only for a grounded answer; details only when some are in no passage.
 */
export function supportLine(support: SupportSummary | undefined, grounded: boolean): string {
  if (!support) return 'Not checked against the passages.';
  if (support.sentences === 0) return 'No sentence makes a claim to check.';
  let line =
    `${plural(support.sentences, 'sentence')}: ${support.supported} supported, ` +
    `${support.partial} partly supported, ${support.missing} not found in the passages`;
  if (grounded) {
    line +=
      support.citations === 0
        ? ' · no citation to check'
        : ` · ${support.citationsHolding} of ${plural(support.citations, 'citation holds', 'citations hold')}`;
  }
  if (support.unfoundDetails > 0) {
    line += ` · ${plural(support.unfoundDetails, 'detail')} in no passage`;
  }
  return `${line}.`;
}

/** Which answers the support figures count, in one sentence (shared by every scoreboard). */
export function supportCoverage(summary: ScoreSummary): string {
  const { questions, groundedAnswersChecked: g, ungroundedAnswersChecked: u } = summary;
  if (g === 0 && u === 0) {
    return (
      'No answer of this run was checked against the passages, so it has no support figures ' +
      '(runs made before the answer inspector have none).'
    );
  }
  const all = g === questions && u === questions;
  return (
    `Support figures count the answers checked against the passages: ${g} of ${questions} ` +
    `grounded (against the passages of their prompt) and ${u} of ${questions} ungrounded ` +
    `(against the passages retrieved, which the model did not see)` +
    (all
      ? '.'
      : '; an answer that failed, was stopped or said nothing, or whose check failed, is not counted.')
  );
}

/**
 * The run's scores by category as a Markdown table, one row per category: the Markdown report and
 * `npm run eval:answers` print it alike. No lines when the questions have no categories.
 */
export function categoryTable(score: RunScore): string[] {
  if (score.groups.length === 0) return [];
  const lines = [
    `| Category | Questions | Grounded: every fact | Ungrounded: every fact | Grounded declined (unanswerable) | Ungrounded declined (unanswerable) | Source in top ${score.summary.k} |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { category, summary: s } of score.groups) {
    const scored = s.answerable - s.answerableWithoutFacts;
    lines.push(
      row([
        category,
        String(s.questions),
        fraction(s.groundedCorrect, scored),
        fraction(s.ungroundedCorrect, scored),
        fraction(s.groundedAbstained, s.unanswerable),
        fraction(s.ungroundedAbstained, s.unanswerable),
        fraction(s.sourceHitAtK, s.withSource),
      ]),
    );
  }
  return lines;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** Text for a table cell: on one line, unable to end the cell or open an HTML tag. */
function cell(value: string): string {
  return escapeHtml(value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|'))
    .replace(/\r\n?|\n/g, '<br>')
    .trim();
}

/** Text for a heading or a sentence: on one line, no HTML. */
function inline(value: string): string {
  return escapeHtml(value.replace(/\s+/g, ' ').trim());
}

/** An answer as a blockquote: its Markdown renders, and cannot reach past the quote. */
function quote(value: string): string {
  const text = value.trim();
  if (!text) return '> _(no answer)_';
  return escapeHtml(text)
    .split(/\r\n?|\n/)
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fraction(part: number, whole: number): string {
  return whole === 0 ? '–' : `${part} / ${whole} (${Math.round((100 * part) / whole)} %)`;
}

function milliseconds(value: number | null): string {
  return value === null ? '–' : formatDuration(value);
}

function rate(value: number | null): string {
  return value === null ? '–' : value.toFixed(1);
}

/** "2025-04-01 09:00 UTC": the same wherever the report is written. */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
