/**
 * Two runs side by side: which settings differ, how every figure of the scoreboard moved (support
 * figures with the whole they are a share of), and per question what changed. "Before" is the first run given, "after" the second.
 */

import type { Fact } from './questions';
import { describeSettings, knowledgeBaseChanged, type EvalRun } from './run';
import {
  SUMMARY_LABELS,
  SUMMARY_WHOLES,
  scoreRun,
  type AnswerScore,
  type QuestionScore,
  type ScoreSummary,
} from './scoring';

/** A setting's value in a run where it had no effect (fusion settings without hybrid retrieval). */
export const NOT_USED = 'Not used';

export interface SettingChange {
  /** describeSettings's key: "retrieval.mode", "sampling.temperature", … */
  key: string;
  label: string;
  before: string;
  after: string;
}

export interface SummaryChange {
  key: keyof ScoreSummary;
  label: string;
  before: number | null;
  after: number | null;
  /**
   * For a figure that counts part of another (SUMMARY_WHOLES: sentences supported of those
   * checked, citations holding of those checked), that whole in each run.
   */
  of?: Change<number>;
}

export interface Change<T> {
  before: T;
  after: T;
}

/**
 * better: it did what the question asks now and did not before; worse: the reverse; unscored:
 * either run could not tell (an answerable question without facts).
 */
export type Verdict = 'better' | 'worse' | 'same' | 'unscored';

export interface AnswerChange {
  /** AnswerScore.passed in each run. */
  passed: Change<boolean | null>;
  verdict: Verdict;
  abstained: Change<boolean>;
  /** Facts found after and not before, and the reverse. */
  factsGained: Fact[];
  factsLost: Fact[];
  /** The words differ, whatever the score. */
  textChanged: boolean;
}

export interface QuestionChange {
  questionId: string;
  /** As the second run asked it. */
  question: string;
  /** Its text, kind, facts or source differ between the runs: the scores measure different things. */
  edited: boolean;
  grounded: AnswerChange;
  ungrounded: AnswerChange;
  sourceRank: Change<number | null>;
  citesSource: Change<boolean | null>;
  /** Edited, or a score above differs (text alone does not count). */
  changed: boolean;
}

export interface RunComparison {
  /** Only the settings that differ, in the settings panel's order. */
  settings: SettingChange[];
  /** The runs searched different documents, or differently chunked or embedded ones. */
  knowledgeBaseChanged: boolean;
  /** Every figure of the two summaries, in ScoreSummary's order. */
  summary: SummaryChange[];
  /** Questions asked in both runs, in the order of the second run's set. */
  questions: QuestionChange[];
  /** Ids of questions asked in only one of the runs. */
  onlyBefore: string[];
  onlyAfter: string[];
}

export function compareRuns(before: EvalRun, after: EvalRun): RunComparison {
  const scoreBefore = scoreRun(before);
  const scoreAfter = scoreRun(after);
  const earlier = new Map(scoreBefore.questions.map((q) => [q.question.id, q]));
  const later = new Set(scoreAfter.questions.map((q) => q.question.id));
  const questions: QuestionChange[] = [];
  for (const score of scoreAfter.questions) {
    const previous = earlier.get(score.question.id);
    if (previous) questions.push(compareQuestion(previous, score));
  }
  return {
    settings: compareSettings(before, after),
    knowledgeBaseChanged: knowledgeBaseChanged(before.knowledgeBase, after.knowledgeBase),
    summary: (Object.keys(SUMMARY_LABELS) as (keyof ScoreSummary)[]).map((key) => {
      const whole = SUMMARY_WHOLES[key];
      return {
        key,
        label: SUMMARY_LABELS[key],
        before: scoreBefore.summary[key],
        after: scoreAfter.summary[key],
        ...(whole && {
          of: { before: scoreBefore.summary[whole] ?? 0, after: scoreAfter.summary[whole] ?? 0 },
        }),
      };
    }),
    questions,
    onlyBefore: [...earlier.keys()].filter((id) => !later.has(id)),
    onlyAfter: [...later].filter((id) => !earlier.has(id)),
  };
}

function compareSettings(before: EvalRun, after: EvalRun): SettingChange[] {
  const a = describeSettings(before.settings);
  const b = describeSettings(after.settings);
  // The second run's order, with settings only the first run used placed after their neighbour.
  const keys = b.map((line) => line.key);
  let at = 0;
  for (const { key } of a) {
    const index = keys.indexOf(key);
    if (index >= 0) at = index + 1;
    else keys.splice(at++, 0, key);
  }
  const changes: SettingChange[] = [];
  for (const key of keys) {
    const was = a.find((line) => line.key === key);
    const now = b.find((line) => line.key === key);
    const beforeValue = was?.value ?? NOT_USED;
    const afterValue = now?.value ?? NOT_USED;
    if (beforeValue !== afterValue) {
      changes.push({ key, label: (now ?? was)!.label, before: beforeValue, after: afterValue });
    }
  }
  return changes;
}

function compareQuestion(before: QuestionScore, after: QuestionScore): QuestionChange {
  const edited =
    before.question.question !== after.question.question ||
    before.question.kind !== after.question.kind ||
    before.question.source !== after.question.source ||
    JSON.stringify(before.question.facts) !== JSON.stringify(after.question.facts);
  const grounded = compareAnswer(
    before.grounded,
    after.grounded,
    before.result.grounded.text,
    after.result.grounded.text,
  );
  const ungrounded = compareAnswer(
    before.ungrounded,
    after.ungrounded,
    before.result.ungrounded.text,
    after.result.ungrounded.text,
  );
  const sourceRank = { before: before.sourceRank, after: after.sourceRank };
  const citesSource = { before: before.grounded.citesSource, after: after.grounded.citesSource };
  const scoreChanged = (change: AnswerChange) =>
    change.passed.before !== change.passed.after ||
    change.abstained.before !== change.abstained.after ||
    change.factsGained.length > 0 ||
    change.factsLost.length > 0;
  return {
    questionId: after.question.id,
    question: after.question.question,
    edited,
    grounded,
    ungrounded,
    sourceRank,
    citesSource,
    changed:
      edited ||
      scoreChanged(grounded) ||
      scoreChanged(ungrounded) ||
      sourceRank.before !== sourceRank.after ||
      citesSource.before !== citesSource.after,
  };
}

function compareAnswer(
  before: AnswerScore,
  after: AnswerScore,
  textBefore: string,
  textAfter: string,
): AnswerChange {
  const foundKeys = (score: AnswerScore) =>
    new Set(score.facts.filter((f) => f.found).map((f) => JSON.stringify(f.fact)));
  const was = foundKeys(before);
  const now = foundKeys(after);
  return {
    passed: { before: before.passed, after: after.passed },
    verdict: verdict(before.passed, after.passed),
    abstained: { before: before.abstained, after: after.abstained },
    factsGained: after.facts
      .filter((f) => f.found && !was.has(JSON.stringify(f.fact)))
      .map((f) => f.fact),
    factsLost: before.facts
      .filter((f) => f.found && !now.has(JSON.stringify(f.fact)))
      .map((f) => f.fact),
    textChanged: textBefore !== textAfter,
  };
}

function verdict(before: boolean | null, after: boolean | null): Verdict {
  if (before === null || after === null) return 'unscored';
  if (before === after) return 'same';
  return after ? 'better' : 'worse';
}
