import { describe, expect, it } from 'vitest';
import {
  SCORING_METHOD,
  groundedMiss,
  groundedMisses,
  sameDocument,
  scoreQuestion,
  scoreResults,
  scoreRun,
} from './scoring';
import type { EvalQuestion } from './questions';
import {
  CHECKED_RUN,
  EXPENSES,
  FAQ,
  HANDBOOK,
  QUESTIONS,
  RESULTS,
  RUN,
  answer,
  passage,
  result,
} from './run-fixture';

const question = (id: string): EvalQuestion => QUESTIONS.find((q) => q.id === id)!;
const zeroSupport = Object.fromEntries(
  Object.keys(scoreRun(RUN).summary)
    .filter((key) =>
      /AnswersChecked|Sentences|Citations(Checked|Holding)|DetailsInNoPassage/.test(key),
    )
    .map((key) => [key, 0]),
);

describe('scoreQuestion', () => {
  it('counts an answer correct when it states every fact, normalised', () => {
    const score = scoreQuestion(question('leave'), RESULTS[0]!);
    expect(score.grounded.correct).toBe(true);
    expect(score.grounded.factsFound).toBe(2);
    expect(score.grounded.passed).toBe(true);
    expect(score.ungrounded.correct).toBe(false);
    expect(score.ungrounded.facts.map((f) => f.found)).toEqual([false, false]);
  });

  it('does not count an answer with some of the facts correct', () => {
    const score = scoreQuestion(
      question('leave'),
      result('leave', [], answer('30 weeks, unpaid.'), answer('')),
    );
    expect(score.grounded.factsFound).toBe(1);
    expect(score.grounded.facts.filter((f) => !f.found).map((f) => f.fact)).toEqual([
      ['full basic pay', 'full pay'],
    ]);
    expect(score.grounded.correct).toBe(false);
  });

  it('finds the source document’s rank among the retrieved passages', () => {
    expect(scoreQuestion(question('leave'), RESULTS[0]!).sourceRank).toBe(1);
    expect(scoreQuestion(question('meals'), RESULTS[1]!).sourceRank).toBe(2);
    const missed = result('meals', [passage(HANDBOOK), passage(FAQ)], answer(''), answer(''));
    expect(scoreQuestion(question('meals'), missed).sourceRank).toBeNull();
  });

  it('says whether the grounded answer cites a passage of the source document', () => {
    expect(scoreQuestion(question('meals'), RESULTS[1]!).grounded.citesSource).toBe(true);
    // Right facts, but cited from the handbook: the policy passage was ranked 4th and cut.
    const approver = scoreQuestion(question('approver'), RESULTS[2]!);
    expect(approver.grounded.correct).toBe(true);
    expect(approver.grounded.cited).toEqual([1]);
    expect(approver.grounded.citesSource).toBe(false);
    expect(approver.sourceRank).toBe(4);
    expect(approver.sourceInPrompt).toBe(false);
  });

  it('does not take a citation of a passage left out of the prompt for the source', () => {
    const cut = result(
      'approver',
      [passage(HANDBOOK), passage(FAQ), passage(EXPENSES)],
      answer('The Finance Director approves it, Callum Trewin [3].'),
      answer(''),
      2,
    );
    const score = scoreQuestion(question('approver'), cut);
    expect(score.grounded.cited).toEqual([]);
    expect(score.grounded.invalidCitations).toEqual([3]);
    expect(score.grounded.citesSource).toBe(false);
    expect(score.sourceInPrompt).toBe(false);
  });

  it('passes an unanswerable question only when the answer declines', () => {
    const dental = scoreQuestion(question('dental'), RESULTS[3]!);
    expect(dental.grounded.abstained).toBe(true);
    expect(dental.grounded.passed).toBe(true);
    expect(dental.grounded.correct).toBeNull();
    // "Delta Dental" is confident and invented: a failure.
    expect(dental.ungrounded.abstained).toBe(false);
    expect(dental.ungrounded.passed).toBe(false);
    const p9 = scoreQuestion(question('p9'), RESULTS[4]!);
    expect(p9.ungrounded.passed).toBe(true);
  });

  it('has no source figures for a question without a source', () => {
    const dental = scoreQuestion(question('dental'), RESULTS[3]!);
    expect(dental.sourceRank).toBeNull();
    expect(dental.sourceInPrompt).toBeNull();
    expect(dental.grounded.citesSource).toBeNull();
  });

  it('never counts an answerable question without facts correct, even when it declines', () => {
    const open: EvalQuestion = { id: 'open', question: 'Why?', facts: [], kind: 'answerable' };
    const score = scoreQuestion(open, result('open', [], answer('I do not know.'), answer('')));
    expect(score.grounded.correct).toBeNull();
    expect(score.grounded.passed).toBeNull();
    expect(score.ungrounded.abstained).toBe(false);
  });

  it('matches the source by name regardless of case and surrounding spaces', () => {
    expect(sameDocument('Employee-Handbook.md ', HANDBOOK)).toBe(true);
    expect(sameDocument('employee-handbook.txt', HANDBOOK)).toBe(false);
  });
});

describe('scoreResults', () => {
  it('counts the run: correct answers, abstentions, retrieval and citations', () => {
    const { summary } = scoreRun(RUN);
    expect(summary).toEqual({
      questions: 5,
      answerable: 3,
      answerableWithoutFacts: 0,
      groundedCorrect: 3,
      ungroundedCorrect: 0,
      unanswerable: 2,
      groundedAbstained: 2,
      ungroundedAbstained: 1,
      groundedDeclinedAnswerable: 0,
      withSource: 3,
      sourceHitAt1: 1,
      // The approver's source is 4th, beyond k = 3.
      sourceHitAtK: 2,
      k: 3,
      mrr: (1 + 1 / 2 + 0) / 3,
      sourceInPrompt: 2,
      groundedCitesSource: 2,
      // Kept from before answers were checked: no support figures.
      groundedAnswersChecked: 0,
      ungroundedAnswersChecked: 0,
      groundedSentencesChecked: 0,
      groundedSentencesSupported: 0,
      groundedSentencesPartial: 0,
      groundedSentencesNotFound: 0,
      ungroundedSentencesChecked: 0,
      ungroundedSentencesSupported: 0,
      ungroundedSentencesPartial: 0,
      ungroundedSentencesNotFound: 0,
      groundedCitationsChecked: 0,
      groundedCitationsHolding: 0,
      groundedDetailsInNoPassage: 0,
      ungroundedDetailsInNoPassage: 0,
      groundedMeanFirstTokenMs: 400,
      ungroundedMeanFirstTokenMs: 400,
      // 20, 20, 20, 30 and one answer without a rate.
      groundedMeanTokensPerSecond: 22.5,
      ungroundedMeanTokensPerSecond: 20,
    });
  });

  it('adds up the support of the answers that were checked, and says how many were', () => {
    const { summary, groups } = scoreRun(CHECKED_RUN);
    expect(summary).toMatchObject({
      groundedAnswersChecked: 5,
      // The ungrounded answer to "meals" has no support: its check failed.
      ungroundedAnswersChecked: 4,
      groundedSentencesChecked: 3,
      groundedSentencesSupported: 2,
      groundedSentencesPartial: 1,
      groundedSentencesNotFound: 0,
      ungroundedSentencesChecked: 4,
      ungroundedSentencesSupported: 0,
      ungroundedSentencesPartial: 1,
      ungroundedSentencesNotFound: 3,
      groundedCitationsChecked: 3,
      groundedCitationsHolding: 2,
      groundedDetailsInNoPassage: 1,
      ungroundedDetailsInNoPassage: 3,
    });
    // The same for the other figures as without support.
    expect({ ...summary, ...zeroSupport }).toEqual(scoreRun(RUN).summary);
    const control = groups.find((g) => g.category === 'Control')!.summary;
    expect([control.ungroundedAnswersChecked, control.ungroundedSentencesNotFound]).toEqual([2, 2]);
    expect([control.groundedAnswersChecked, control.groundedSentencesChecked]).toEqual([2, 0]);
  });

  it('counts hit@k and MRR at the k given', () => {
    const { summary } = scoreResults(QUESTIONS, RESULTS, 4);
    expect(summary.sourceHitAtK).toBe(3);
    expect(summary.mrr).toBeCloseTo((1 + 1 / 2 + 1 / 4) / 3);
  });

  it('gives each category its own summary, in the order categories appear', () => {
    const { groups, summary } = scoreRun(RUN);
    expect(groups.map((g) => g.category)).toEqual(['Will guess wrong', 'Cannot know', 'Control']);
    const cannotKnow = groups[1]!.summary;
    expect([cannotKnow.questions, cannotKnow.groundedCorrect, cannotKnow.sourceHitAtK]).toEqual([
      2, 2, 1,
    ]);
    const control = groups[2]!.summary;
    expect([control.unanswerable, control.groundedAbstained, control.ungroundedAbstained]).toEqual([
      2, 2, 1,
    ]);
    const sum = (key: 'questions' | 'groundedCorrect' | 'ungroundedAbstained' | 'sourceHitAtK') =>
      groups.reduce((total, g) => total + g.summary[key], 0);
    expect(sum('questions')).toBe(summary.questions);
    expect(sum('groundedCorrect')).toBe(summary.groundedCorrect);
    expect(sum('ungroundedAbstained')).toBe(summary.ungroundedAbstained);
    expect(sum('sourceHitAtK')).toBe(summary.sourceHitAtK);
  });

  it('leaves uncategorised questions out of the groups but in the summary', () => {
    const plain = QUESTIONS.map(({ category: _category, ...q }, i) =>
      i === 0 ? q : { ...q, category: 'Sample' },
    );
    const score = scoreResults(plain, RESULTS, 3);
    expect(score.groups).toHaveLength(1);
    expect(score.groups[0]!.summary.questions).toBe(4);
    expect(score.summary.questions).toBe(5);
  });

  it('scores only the questions asked when a run was cancelled, and lists the others', () => {
    const score = scoreResults(QUESTIONS, RESULTS.slice(0, 2), 3);
    expect(score.summary.questions).toBe(2);
    expect(score.summary.unanswerable).toBe(0);
    expect(score.summary.groundedMeanTokensPerSecond).toBe(20);
    expect(score.notAsked).toEqual(['approver', 'dental', 'p9']);
  });

  it('counts a grounded answer declining an answerable question: a miss, not a success', () => {
    const declined = [
      result('meals', [passage(HANDBOOK)], answer('The documents do not say.'), answer('')),
    ];
    const { summary, questions } = scoreResults(QUESTIONS, declined, 3);
    expect(questions[0]!.grounded.correct).toBe(false);
    expect(summary.groundedDeclinedAnswerable).toBe(1);
    expect(summary.groundedAbstained).toBe(0);
  });

  it('has no means when no answer has the figure', () => {
    const silent = RESULTS.slice(0, 1).map((r) => ({
      ...r,
      grounded: answer('', { firstTokenMs: null, tokensPerSecond: null, end: 'failed' }),
    }));
    const { summary } = scoreResults(QUESTIONS, silent, 3);
    expect(summary.groundedMeanFirstTokenMs).toBeNull();
    expect(summary.groundedMeanTokensPerSecond).toBeNull();
    expect(summary.groundedCorrect).toBe(0);
  });

  it('gives an MRR of 0 when no question names a source', () => {
    const controls = QUESTIONS.filter((q) => q.kind === 'unanswerable');
    const { summary } = scoreResults(controls, RESULTS.slice(3), 3);
    expect([summary.withSource, summary.mrr]).toEqual([0, 0]);
  });

  it('refuses results that do not belong to the questions', () => {
    expect(() => scoreResults(QUESTIONS.slice(1), RESULTS, 3)).toThrow(
      'A result names question “leave”, which is not in the set.',
    );
    expect(() => scoreResults(QUESTIONS, [RESULTS[0]!, RESULTS[0]!], 3)).toThrow(
      'Question “leave” has two results',
    );
    expect(() => scoreResults(QUESTIONS, RESULTS, 0)).toThrow(RangeError);
  });
});

it('states the scoring method in one sentence', () => {
  expect(SCORING_METHOD).toMatch(/^Scored by fact matching, not human judgement: [^.]+\.$/);
});

describe('groundedMiss', () => {
  const leave = question('leave');
  const right = 'Thirty weeks at full basic pay [1].';
  const missOf = (passages: ReturnType<typeof passage>[], text: string, promptPassages?: number) =>
    groundedMiss(
      scoreQuestion(
        leave,
        result('leave', passages, answer(text), answer('12 weeks.'), promptPassages),
      ),
    );

  it('tells apart a retrieval miss, a passage cut by the budget, a refusal and a misread', () => {
    expect(missOf([passage(HANDBOOK)], right)).toBeNull();
    expect(missOf([passage(FAQ), passage(EXPENSES)], 'Two weeks [1].')).toBe('not-retrieved');
    expect(missOf([passage(FAQ), passage(HANDBOOK)], 'Two weeks [1].', 1)).toBe('cut-from-prompt');
    expect(missOf([passage(HANDBOOK)], 'The documents do not say.')).toBe('declined');
    expect(missOf([passage(HANDBOOK)], '30 weeks, unpaid [1].')).toBe('missed-facts');
  });

  it('a failed answer is a failure whatever was retrieved; unanswerable questions never miss', () => {
    const failed = scoreQuestion(
      leave,
      result('leave', [], answer('', { end: 'failed', error: 'crashed' }), answer('')),
    );
    expect(groundedMiss(failed)).toBe('failed');
    const control = RESULTS.find((r) => r.questionId === 'dental')!;
    expect(groundedMiss(scoreQuestion(question('dental'), control))).toBeNull();
  });

  it('counts every reason over a run, none for the fixture run that gets every fact', () => {
    expect(groundedMisses(scoreRun(RUN))).toEqual({
      failed: 0,
      'not-retrieved': 0,
      'cut-from-prompt': 0,
      declined: 0,
      'missed-facts': 0,
    });
    const worse = {
      ...RUN,
      results: RUN.results.map((r) =>
        r.questionId === 'meals'
          ? { ...r, passages: [passage(FAQ)], grounded: answer('About €40 a day [1].') }
          : r,
      ),
    };
    expect(groundedMisses(scoreRun(worse))['not-retrieved']).toBe(1);
  });
});
