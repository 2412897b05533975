import { describe, expect, test } from 'vitest';
import {
  checkSupport,
  cosines,
  planEmbedding,
  planSimilarity,
  prepareSupport,
  textsToEmbed,
  type SupportPassage,
  type SupportThresholds,
} from './support';

const LEXICAL: SupportThresholds = {
  cosineWeight: 0,
  detailPenalty: 0.3,
  partial: 0.3,
  supported: 0.7,
};

const HANDBOOK: SupportPassage[] = [
  {
    number: 1,
    text: 'Parental leave is 30 weeks at full pay. It can start up to 4 weeks before the due date.',
    source: 'handbook.md › Leave',
  },
  {
    number: 2,
    text: 'Expense claims above €4,500 need the Finance Director’s approval. Receipts are kept for 7 years.',
    source: 'expenses.md',
  },
];

function check(question: string, answer: string, passages = HANDBOOK, t = LEXICAL) {
  return checkSupport(prepareSupport(question, answer, passages), null, t);
}
const levels = (question: string, answer: string, passages = HANDBOOK) =>
  check(question, answer, passages).sentences.map((s) => [s.text, s.level]);

describe('checkSupport', () => {
  test('a sentence the passages state is supported, an invented one is not found', () => {
    const answer =
      'Parental leave is 30 weeks at full pay [1]. Employees also get a company car for the school run.';
    const report = check('How long is parental leave?', answer);
    expect(report.sentences.map((s) => s.level)).toEqual(['supported', 'missing']);
    expect(report.summary).toMatchObject({ sentences: 2, supported: 1, missing: 1 });
    // The evidence is the passage sentence that says it, at its offsets in the passage.
    const evidence = report.sentences[0]!.evidence!;
    expect(evidence.passage).toBe(0);
    expect(HANDBOOK[0]!.text.slice(evidence.start, evidence.end)).toBe(
      'Parental leave is 30 weeks at full pay.',
    );
    expect(report.sentences[1]!.evidence).toBeNull();
    expect(report.semantic).toBe(false);
  });

  test('a number copied with another unit is a detail in no passage, and never supported', () => {
    const report = check('How long is parental leave?', 'Parental leave is 30 days at full pay.');
    const [sentence] = report.sentences;
    expect(sentence!.level).not.toBe('supported');
    expect(sentence!.unfoundDetails.map((d) => d.text)).toEqual(['30 days']);
    // Offsets are into the answer.
    expect(
      'Parental leave is 30 days at full pay.'.slice(sentence!.unfoundDetails[0]!.start),
    ).toMatch(/^30 days/);
    expect(report.summary.unfoundDetails).toBe(1);
  });

  test('an invented number where the passage has another is not found', () => {
    expect(levels('How long is parental leave?', 'It is 12 weeks.')).toEqual([
      ['It is 12 weeks.', 'missing'],
    ]);
  });

  test('details are found however the passage writes them', () => {
    const report = check(
      'Who approves large claims?',
      'Claims above 4500 euros need the Finance Director’s approval.',
    );
    expect(report.sentences[0]!.unfoundDetails).toEqual([]);
    expect(report.sentences[0]!.level).toBe('supported');
  });

  test('a passage that repeats the question does not support an answer to it', () => {
    const passages: SupportPassage[] = [
      { number: 1, text: 'How long is parental leave at Marrowby? Ask HR about parental leave.' },
    ];
    expect(
      levels(
        'How long is parental leave at Marrowby?',
        'Parental leave at Marrowby lasts 16 weeks.',
        passages,
      ),
    ).toEqual([['Parental leave at Marrowby lasts 16 weeks.', 'missing']]);
  });

  test('a citation whose passage does not say it is flagged; one whose passage does holds', () => {
    const report = check(
      'How long is parental leave?',
      'Parental leave is 30 weeks at full pay [2]. Receipts are kept for 7 years [2].',
    );
    expect(report.sentences.map((s) => s.citations)).toEqual([
      [{ number: 2, holds: false }],
      [{ number: 2, holds: true }],
    ]);
    expect(report.summary).toMatchObject({ citations: 2, citationsHolding: 1 });
    // The sentence is still supported: by the passage it did not cite.
    expect(report.sentences[0]!.level).toBe('supported');
    expect(report.sentences[0]!.evidence!.passage).toBe(0);
  });

  test('citations inside a sentence are neither words nor numbers of it', () => {
    const report = check(
      'How long are receipts kept?',
      'Receipts [2] are kept for 7 years [2][9].',
    );
    expect(report.sentences[0]!.level).toBe('supported');
    expect(report.sentences[0]!.unfoundDetails).toEqual([]);
    // [9] names no passage: not a citation verdict (the pane flags it separately).
    expect(report.sentences[0]!.citations).toEqual([{ number: 2, holds: true }]);
  });

  test('list items are sentences of their own; a refusal is no claim', () => {
    const answer = [
      'The documents do not say.',
      '',
      '- Leave can start 4 weeks before the due date.',
      '- Leave can be sold back for cash.',
    ].join('\n');
    expect(levels('When can parental leave start?', answer)).toEqual([
      ['The documents do not say.', 'none'],
      ['Leave can start 4 weeks before the due date.', 'supported'],
      ['Leave can be sold back for cash.', 'missing'],
    ]);
    expect(check('When can parental leave start?', answer).summary.sentences).toBe(2);
  });

  test('a question, or a number alone, is no claim; a source line the prompt showed is supported by its heading', () => {
    const report = check(
      'How long is parental leave?',
      'How long is parental leave?\n\n12.\n\n[1] handbook.md › Leave\n\nIt is 30 weeks [1].',
    );
    expect(report.sentences.map((s) => [s.text, s.level])).toEqual([
      ['How long is parental leave?', 'none'],
      ['12.', 'none'],
      ['[1] handbook.md › Leave', 'supported'],
      ['It is 30 weeks [1].', 'supported'],
    ]);
    expect(report.sentences[2]!.evidence).toEqual({ passage: 0, start: 0, end: 0, heading: true });
    expect(report.sentences[3]!.evidence!.heading).toBeUndefined();
  });

  test('a code block is one unit, checked like a sentence', () => {
    const report = check('Anything?', 'Run this:\n\n```\nrm -rf / --no-preserve-root\n```');
    expect(report.sentences.map((s) => s.kind)).toEqual(['text', 'code']);
    expect(report.sentences[1]!.level).toBe('missing');
  });

  test('two passage sentences in a row can support one answer sentence together', () => {
    const report = check(
      'Tell me about parental leave.',
      'Parental leave is 30 weeks and can start 4 weeks before the due date.',
    );
    const { evidence, level } = report.sentences[0]!;
    expect(level).toBe('supported');
    expect(HANDBOOK[0]!.text.slice(evidence!.start, evidence!.end)).toBe(HANDBOOK[0]!.text);
  });

  test('of two stretches that support a sentence alike, the evidence is the shorter', () => {
    const passages: SupportPassage[] = [
      { number: 1, text: 'What did Lily see?\n\nThey went up and saw a big, scary dog.' },
    ];
    const report = check('What did Lily see?', 'They saw a big, scary dog.', passages);
    const { evidence } = report.sentences[0]!;
    expect(passages[0]!.text.slice(evidence!.start, evidence!.end)).toBe(
      'They went up and saw a big, scary dog.',
    );
  });

  test("a table row's cells go together: a value from another row does not support a sentence", () => {
    const passages: SupportPassage[] = [
      {
        number: 1,
        text: '| Trip | Allowance |\n| --- | --- |\n| Domestic | €35 |\n| International | €60 |',
      },
    ];
    expect(
      levels('What is the allowance abroad?', 'The international allowance is €60.', passages),
    ).toEqual([['The international allowance is €60.', 'supported']]);
    expect(
      levels(
        'What is the allowance abroad?',
        'The international allowance is €35.',
        passages,
      )[0]![1],
    ).not.toBe('supported');
  });

  test('with embeddings, a paraphrase without shared words can be supported', () => {
    const passages: SupportPassage[] = [
      { number: 1, text: 'Staff may work from home twice a week.' },
    ];
    const prepared = prepareSupport(
      'Remote work?',
      'Employees can telecommute regularly.',
      passages,
    );
    const texts = textsToEmbed(prepared);
    expect(texts).toEqual({
      sentences: ['Employees can telecommute regularly.'],
      units: ['Staff may work from home twice a week.'],
    });
    const semantic: SupportThresholds = {
      cosineWeight: 0.8,
      detailPenalty: 0.3,
      partial: 0.35,
      supported: 0.6,
    };
    expect(checkSupport(prepared, null, semantic).sentences[0]!.level).toBe('missing');
    const report = checkSupport(prepared, [[0.9]], semantic);
    expect(report.sentences[0]!.level).toBe('supported');
    expect(report.sentences[0]!.cosine).toBeCloseTo(0.9);
    expect(report.semantic).toBe(true);
  });

  test('the cosine matrix is rows × columns of dot products', () => {
    const a = new Float32Array([1, 0, 0, 1]);
    const b = new Float32Array([1, 0, 0.6, 0.8, 0, 1]);
    expect(cosines(a, b, 2).map((row) => row.map((v) => Number(v.toFixed(2))))).toEqual([
      [1, 0.6, 0],
      [0, 0.8, 1],
    ]);
  });

  test('answer text is only read: nothing of it is evaluated or kept as markup', () => {
    const report = check('x', '<img src=x onerror=alert(1)> Parental leave is 30 weeks.');
    expect(report.sentences[0]!.text).toBe(
      '<img src=x onerror=alert(1)> Parental leave is 30 weeks.',
    );
  });

  test('a plan embeds only what can change a verdict, and the verdicts are those of every cosine', () => {
    const answer = [
      'Parental leave is 30 weeks at full pay [1].',
      'It can start up to 4 weeks early [2].',
      'Claims above €4,500 need the approval of the Finance Director [2].',
      'Employees also get a company car.',
      'Receipts are kept for 9 years [1].',
      'The leave starts early, and receipts are kept.',
    ].join(' ');
    const prepared = prepareSupport('Tell me about leave and expenses.', answer, HANDBOOK);
    const t: SupportThresholds = {
      cosineWeight: 0.1,
      detailPenalty: 0.2,
      partial: 0.45,
      supported: 0.75,
    };
    const plan = planEmbedding(prepared, t);
    const all = textsToEmbed(prepared);
    // Less than everything: the copied sentence and the invented one are decided by their words.
    expect(plan.sentences.length).toBeLessThan(all.sentences.length);
    expect(plan.unitTexts.length).toBeLessThanOrEqual(all.units.length);
    expect(plan.sentences).not.toContain('Parental leave is 30 weeks at full pay.');
    expect(plan.sentences).not.toContain('Employees also get a company car.');
    // With any cosines, the plan's subset gives the verdicts the whole matrix gives.
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let round = 0; round < 50; round++) {
      const full = all.sentences.map(() => all.units.map(() => random()));
      const partial = plan.claims.map((c) => plan.units.map((u) => full[c]![u]!));
      const verdicts = (m: number[][]) =>
        checkSupport(prepared, m, t).sentences.map((s) => [s.level, s.citations]);
      expect(verdicts(planSimilarity(prepared, plan, partial))).toEqual(verdicts(full));
    }
    // Words only: nothing to embed.
    expect(planEmbedding(prepared, { ...t, cosineWeight: 0 }).claims).toEqual([]);
  });
});
