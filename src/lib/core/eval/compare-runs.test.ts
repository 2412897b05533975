import { describe, expect, it } from 'vitest';
import { NOT_USED, compareRuns } from './compare-runs';
import type { EvalRun } from './run';
import {
  CHECKED_RUN,
  EXPENSES,
  HANDBOOK,
  QUESTIONS,
  RESULTS,
  RUN,
  answer,
  passage,
  result,
} from './run-fixture';

/** RUN again with dense retrieval, top-5 and greedy sampling, on a changed knowledge base. */
const AFTER: EvalRun = {
  ...RUN,
  id: 'run-2',
  settings: {
    ...RUN.settings,
    retrieval: { ...RUN.settings.retrieval, mode: 'dense' },
    topK: 5,
    sampling: { ...RUN.settings.sampling, temperature: 0 },
  },
  questionSet: {
    name: 'Sample questions',
    questions: [
      ...QUESTIONS,
      { id: 'founded', question: 'Who founded Marrowby?', facts: [], kind: 'answerable' },
    ],
  },
  results: [
    // Same answers, new words: not a change in score.
    { ...RESULTS[1]!, ungrounded: answer('Typically about $50 a day.') },
    // Lost a fact.
    result(
      'leave',
      [passage(HANDBOOK)],
      answer('Employees get thirty weeks of parental leave [1].'),
      RESULTS[0]!.ungrounded,
    ),
    // The policy is retrieved first now, and cited.
    result(
      'approver',
      [passage(EXPENSES), passage(HANDBOOK)],
      answer('The Finance Director, Callum Trewin [1].'),
      RESULTS[2]!.ungrounded,
    ),
    // Invents an answer where it declined.
    result(
      'dental',
      [passage(HANDBOOK)],
      answer('Marrowby uses Bupa [1].'),
      RESULTS[3]!.ungrounded,
    ),
    result('founded', [], answer('Ingrid Halloway and Teodor Banse.'), answer('')),
  ],
  knowledgeBase: { ...RUN.knowledgeBase, fingerprint: '9-ffffffffffffff' },
};

describe('compareRuns', () => {
  const comparison = compareRuns(RUN, AFTER);

  it('lists only the settings that differ, a fusion setting as not used without hybrid', () => {
    expect(comparison.settings).toEqual([
      {
        key: 'retrieval.mode',
        label: 'Retrieval',
        before: 'Hybrid (dense + keyword)',
        after: 'Dense (embeddings)',
      },
      {
        key: 'retrieval.fusion',
        label: 'Fusion',
        before: 'Reciprocal rank fusion',
        after: NOT_USED,
      },
      { key: 'retrieval.rrfK', label: 'RRF k', before: '60', after: NOT_USED },
      { key: 'topK', label: 'Passages retrieved (top-k)', before: '3', after: '5' },
      { key: 'sampling.temperature', label: 'Temperature', before: '0.2', after: '0' },
    ]);
  });

  it('shows a change of fusion with the setting each fusion uses', () => {
    const weighted: EvalRun = {
      ...RUN,
      settings: {
        ...RUN.settings,
        retrieval: { ...RUN.settings.retrieval, fusion: 'weighted', denseWeight: 0.7 },
      },
    };
    expect(compareRuns(RUN, weighted).settings.map((s) => [s.label, s.before, s.after])).toEqual([
      ['Fusion', 'Reciprocal rank fusion', 'Weighted sum of scores'],
      ['RRF k', '60', NOT_USED],
      ['Dense weight', NOT_USED, '0.7'],
    ]);
  });

  it('lists no differences between a run and itself', () => {
    const same = compareRuns(RUN, RUN);
    expect(same.settings).toEqual([]);
    expect(same.knowledgeBaseChanged).toBe(false);
    expect(same.questions.filter((q) => q.changed)).toEqual([]);
    expect(same.summary.every((s) => s.before === s.after)).toBe(true);
  });

  it('says when the knowledge base changed between the runs', () => {
    expect(comparison.knowledgeBaseChanged).toBe(true);
  });

  it('gives every summary figure of both runs', () => {
    const figure = (key: string) => comparison.summary.find((s) => s.key === key);
    expect(figure('groundedCorrect')).toMatchObject({ before: 3, after: 2 });
    expect(figure('groundedAbstained')).toMatchObject({ before: 2, after: 0 });
    expect(figure('sourceHitAt1')).toMatchObject({ before: 1, after: 2 });
    expect(figure('k')).toMatchObject({ label: 'k (passages retrieved)', before: 3, after: 5 });
    expect(comparison.summary).toHaveLength(34);
  });

  it('shows support figures moving, each with the whole it is a share of', () => {
    // From a run kept before answers were checked to one whose answers were.
    const { summary } = compareRuns(RUN, CHECKED_RUN);
    const figure = (key: string) => summary.find((s) => s.key === key);
    expect(figure('groundedSentencesSupported')).toMatchObject({
      before: 0,
      after: 2,
      of: { before: 0, after: 3 },
    });
    expect(figure('ungroundedSentencesNotFound')).toMatchObject({
      before: 0,
      after: 3,
      of: { before: 0, after: 4 },
    });
    expect(figure('groundedCitationsHolding')).toMatchObject({
      label: 'Grounded: citations whose passage supports the sentence',
      after: 2,
      of: { after: 3 },
    });
    expect(figure('ungroundedAnswersChecked')).toEqual({
      key: 'ungroundedAnswersChecked',
      label: 'Ungrounded answers checked against the retrieved passages',
      before: 0,
      after: 4,
    });
    // Back again: the figures fall to what the older run has.
    const back = compareRuns(CHECKED_RUN, RUN).summary.find(
      (s) => s.key === 'groundedCitationsHolding',
    );
    expect(back).toMatchObject({ before: 2, after: 0, of: { before: 3, after: 0 } });
  });

  it('says per question what changed, in the order of the second run’s set', () => {
    const byId = new Map(comparison.questions.map((q) => [q.questionId, q]));
    expect(comparison.questions.map((q) => q.questionId)).toEqual([
      'leave',
      'meals',
      'approver',
      'dental',
    ]);

    const meals = byId.get('meals')!;
    expect(meals.changed).toBe(false);
    expect(meals.ungrounded.textChanged).toBe(true);

    const leave = byId.get('leave')!;
    expect(leave.grounded.verdict).toBe('worse');
    expect(leave.grounded.factsLost).toEqual([['full basic pay', 'full pay']]);
    expect(leave.grounded.factsGained).toEqual([]);

    const approver = byId.get('approver')!;
    expect(approver.sourceRank).toEqual({ before: 4, after: 1 });
    expect(approver.citesSource).toEqual({ before: false, after: true });
    expect(approver.grounded.verdict).toBe('same');
    expect(approver.changed).toBe(true);

    const dental = byId.get('dental')!;
    expect(dental.grounded.verdict).toBe('worse');
    expect(dental.grounded.abstained).toEqual({ before: true, after: false });
    expect(dental.ungrounded.verdict).toBe('same');
  });

  it('lists the questions asked in only one run', () => {
    expect(comparison.onlyBefore).toEqual(['p9']);
    expect(comparison.onlyAfter).toEqual(['founded']);
  });

  it('marks a question edited between the runs and reports its new facts as gained', () => {
    const edited: EvalRun = {
      ...RUN,
      questionSet: {
        ...RUN.questionSet,
        questions: QUESTIONS.map((q) =>
          q.id === 'meals' ? { ...q, facts: [['€60'], ['€12']] } : q,
        ),
      },
    };
    const meals = compareRuns(RUN, edited).questions.find((q) => q.questionId === 'meals')!;
    expect(meals.edited).toBe(true);
    expect(meals.changed).toBe(true);
    expect(meals.grounded.factsGained).toEqual([['€12']]);
    expect(meals.grounded.verdict).toBe('same');
  });
});
