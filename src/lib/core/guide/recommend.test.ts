import { describe, expect, test } from 'vitest';
import {
  GUIDE_QUESTIONS,
  parseAnswers,
  recommend,
  VERDICTS,
  type GuideAnswers,
  type Recommendation,
} from './recommend';

/** A support team's assistant over a changing handbook: the case RAG is made for. */
const HANDBOOK: GuideAnswers = {
  knowledge: 'often',
  citations: 'yes',
  problem: 'facts',
  labelledData: 'no',
  mlCapacity: 'no',
};

/** A settled domain, answers in a house format, and a team that can train. */
const HOUSE_STYLE: GuideAnswers = {
  knowledge: 'rarely',
  citations: 'no',
  problem: 'style',
  labelledData: 'yes',
  mlCapacity: 'yes',
};

function reasons(r: Recommendation) {
  if (r.verdict === null) throw new Error(`no verdict: ${r.missing.join(', ')} unanswered`);
  return r.reasons;
}

const questionsOf = (r: Recommendation) => reasons(r).map((reason) => reason.question);

describe('recommend', () => {
  test('waits for every answer, naming the questions left', () => {
    expect(recommend({})).toEqual({ verdict: null, missing: GUIDE_QUESTIONS.map((q) => q.id) });
    const { mlCapacity: _, ...fourOfFive } = HANDBOOK;
    expect(recommend(fourOfFive)).toEqual({ verdict: null, missing: ['mlCapacity'] });
  });

  test('changing knowledge, citations and missing facts: RAG, with a reason for each', () => {
    const r = recommend(HANDBOOK);
    expect(r.verdict).toBe('rag');
    expect(questionsOf(r)).toEqual(['problem', 'knowledge', 'citations']);
    const [facts, fresh, cites] = reasons(r);
    expect(facts!.text).toMatch(/lack your facts/);
    expect(facts!.show).toBe('passages');
    expect(fresh!.text).toMatch(/changes often/);
    expect(fresh!.show).toBe('documents');
    expect(cites!.text).toMatch(/cite their sources/);
    expect(cites!.show).toBe('passages');
  });

  test('knowledge that changes now and then is reason enough for retrieval', () => {
    const r = recommend({ ...HOUSE_STYLE, knowledge: 'sometimes', labelledData: 'no' });
    expect(r.verdict).toBe('rag');
    expect(reasons(r).find((x) => x.question === 'knowledge')!.text).toMatch(/now and then/);
    // The style problem is answered too: in the prompt, since there is no labelled data.
    expect(reasons(r).find((x) => x.question === 'labelledData')!.text).toMatch(
      /needs labelled data, which you do not have.*in the prompt/,
    );
  });

  test('citations alone call for retrieval, even for a style problem in a settled domain', () => {
    const r = recommend({ ...HOUSE_STYLE, citations: 'yes' });
    expect(r.verdict).toBe('both');
    expect(questionsOf(r)).toEqual(['citations', 'labelledData', 'problem']);
  });

  test('a style problem in a settled domain, with data and capacity: fine-tuning', () => {
    const r = recommend(HOUSE_STYLE);
    expect(r.verdict).toBe('fine-tuning');
    expect(questionsOf(r)).toEqual(['labelledData', 'knowledge']);
    expect(reasons(r)[0]!.text).toMatch(/labelled examples and the capacity to train/);
    expect(reasons(r)[1]!.text).toMatch(/rarely changes/);
  });

  test('facts and style, with data and capacity: both, and how they combine', () => {
    const r = recommend({ ...HANDBOOK, problem: 'both', labelledData: 'yes', mlCapacity: 'yes' });
    expect(r.verdict).toBe('both');
    expect(questionsOf(r)).toEqual([
      'problem',
      'knowledge',
      'citations',
      'labelledData',
      'problem',
    ]);
    expect(reasons(r).at(-1)!.text).toMatch(/retrieval brings the facts/);
  });

  test('facts and style without the means to train: RAG, and the style in the prompt', () => {
    const r = recommend({ ...HANDBOOK, problem: 'both', labelledData: 'yes' });
    expect(r.verdict).toBe('rag');
    const style = reasons(r).find((x) => x.question === 'mlCapacity');
    expect(style!.text).toMatch(/needs the capacity to train and host a model, which you do not/);
    expect(style!.text).not.toMatch(/labelled data/);
  });

  test('missing facts with data and capacity: still RAG, the data kept to evaluate with', () => {
    const r = recommend({ ...HOUSE_STYLE, problem: 'facts' });
    expect(r.verdict).toBe('rag');
    expect(questionsOf(r)).toEqual(['problem', 'labelledData']);
    expect(reasons(r)[1]!.show).toBe('evaluation');
  });

  test('a style problem without labelled data or capacity: prompt first, saying what is lacking', () => {
    const r = recommend({ ...HOUSE_STYLE, labelledData: 'no', mlCapacity: 'no' });
    expect(r.verdict).toBe('prompt-first');
    expect(reasons(r)).toHaveLength(1);
    expect(reasons(r)[0]!.text).toMatch(
      /needs labelled data and the capacity to train and host a model/,
    );
  });

  test('unmeasured answers: evaluate first, with what is already clear', () => {
    const r = recommend({ ...HANDBOOK, problem: 'unmeasured' });
    expect(r.verdict).toBe('evaluate-first');
    expect(questionsOf(r)).toEqual(['problem', 'knowledge', 'citations', 'labelledData']);
    expect(reasons(r)[0]!.show).toBe('evaluation');
    expect(reasons(r)[1]!.text).toMatch(/^Retrieval will be part of it .* changes often/);
    expect(reasons(r)[3]!.text).toMatch(/Fine-tuning is not open to you yet/);

    const settled = recommend({ ...HOUSE_STYLE, problem: 'unmeasured' });
    expect(settled.verdict).toBe('evaluate-first');
    expect(questionsOf(settled)).toEqual(['problem']);
  });

  test('every verdict has a title and a summary', () => {
    for (const v of Object.values(VERDICTS)) {
      expect(v.title.length).toBeGreaterThan(0);
      expect(v.summary).toMatch(/\.$/);
    }
  });
});

describe('parseAnswers', () => {
  test('keeps the valid answers and drops the rest', () => {
    expect(parseAnswers(HANDBOOK)).toEqual(HANDBOOK);
    expect(parseAnswers({ knowledge: 'weekly', citations: 'yes', problem: 3, extra: 'x' })).toEqual(
      { citations: 'yes' },
    );
  });

  test('reads nothing from what is not an object', () => {
    expect(parseAnswers(null)).toEqual({});
    expect(parseAnswers('rag')).toEqual({});
    expect(parseAnswers(undefined)).toEqual({});
  });
});
