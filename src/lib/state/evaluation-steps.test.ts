import { describe, expect, test } from 'vitest';
import { DEFAULT_SAMPLING } from '../core/answers/sampling';
import type { SupportPassage } from '../core/answers/support';
import type { EvalQuestion } from '../core/eval/questions';
import { runQuestions } from '../core/eval/run-questions';
import { fitAnswerPrompts } from './answers.svelte';
import { evaluationSteps, type CheckSupport } from './evaluation-steps';
import { MODEL, ScriptedEngine, passages } from './scripted-engine';
import { SupportChecker } from './support-checker';

const QUESTIONS: EvalQuestion[] = [
  'How long is parental leave?',
  'What is the meal allowance?',
].map((question, i) => ({ id: `q${i + 1}`, question, facts: [['30 weeks']], kind: 'answerable' }));
const SAMPLING = { ...DEFAULT_SAMPLING, maxTokens: 200 };

function stepsWith(
  engine: ScriptedEngine,
  retrieve = async () => ({ passages: passages(3) }),
  onEngineError: (error: unknown) => void = () => {},
  check: CheckSupport | null = null,
  model = MODEL,
) {
  return evaluationSteps({ retrieve, engine, model, sampling: SAMPLING, onEngineError, check });
}

describe('evaluation steps', () => {
  test('each question gets Ask’s two prompts and the same room for both answers, one at a time', async () => {
    const engine = new ScriptedEngine((call) => [`Answer ${call} `, '[1]']);
    const { steps } = stepsWith(engine);
    const { results } = await runQuestions(QUESTIONS, steps, {
      signal: new AbortController().signal,
    });

    const expected = await fitAnswerPrompts({
      question: QUESTIONS[0]!.question,
      passages: passages(3),
      engine,
      model: MODEL,
      sampling: SAMPLING,
    });
    expect(engine.calls).toHaveLength(4);
    expect(engine.calls[0]!.messages).toEqual(expected.grounded.messages);
    expect(engine.calls[1]!.messages).toEqual(expected.ungrounded.messages);
    expect(engine.calls.map((c) => c.options.maxTokens)).toEqual(Array(4).fill(expected.maxTokens));
    expect(engine.maxRunning).toBe(1);

    expect(results.map((r) => r.questionId)).toEqual(['q1', 'q2']);
    expect(results[0]!.promptPassages).toBe(3);
    expect(results[0]!.passages.map((p) => p.docName)).toEqual([
      'doc-1.md',
      'doc-2.md',
      'doc-3.md',
    ]);
    expect(results[0]!.grounded).toMatchObject({ text: 'Answer 0 [1]', end: 'done', tokens: 2 });
    expect(results[1]!.ungrounded).toMatchObject({ text: 'Answer 3 [1]', end: 'done' });
  });

  test('a failing engine fails that answer, is reported, and the run goes on', async () => {
    const engine = new ScriptedEngine((call) => (call === 0 ? new Error('out of memory') : ['ok']));
    const reported: unknown[] = [];
    const { steps } = stepsWith(engine, undefined, (error) => reported.push(error));
    const { results } = await runQuestions(QUESTIONS, steps, {
      signal: new AbortController().signal,
    });
    expect(results[0]!.grounded).toMatchObject({ end: 'failed', error: 'out of memory' });
    expect(results[0]!.ungrounded.end).toBe('done');
    expect(results[1]!.grounded.end).toBe('done');
    expect(reported).toHaveLength(1);
  });

  test('after Cancel, inFlight settles once the engine has stopped the answer it was giving', async () => {
    const engine = new ScriptedEngine(() => Array(200).fill('word '), 5);
    const { steps, inFlight } = stepsWith(engine);
    const controller = new AbortController();
    const run = runQuestions(QUESTIONS, steps, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(engine.running).toBe(1);
    controller.abort();
    const outcome = await run;
    expect(outcome).toEqual({ results: [], cancelled: true });
    await inFlight();
    expect(engine.running).toBe(0);
    expect(engine.calls[0]!.aborted()).toBe(true);
    expect(engine.calls).toHaveLength(1);
  });

  test('a question whose retrieval fails is still answered without passages', async () => {
    const engine = new ScriptedEngine(() => ['I do not know.']);
    const { steps } = stepsWith(engine, async () => {
      throw new Error('the search worker crashed');
    });
    const { results } = await runQuestions(QUESTIONS.slice(0, 1), steps, {
      signal: new AbortController().signal,
    });
    expect(results[0]!.grounded.end).toBe('failed');
    expect(results[0]!.grounded.error).toContain('the search worker crashed');
    expect(results[0]!.ungrounded).toMatchObject({ end: 'done', text: 'I do not know.' });
  });

  test('each finished answer is checked as Ask checks it, after its generation, and its summary recorded', async () => {
    // Long passages in a small context window: the grounded prompt holds only the first two.
    const long = passages(3).map((p, i) => ({
      ...p,
      text: `Passage text ${i + 1}. ${'Lorem ipsum dolor sit amet consectetur. '.repeat(40)}`,
    }));
    const model = { ...MODEL, contextWindow: 1_600 };
    const engine = new ScriptedEngine((call) =>
      call % 2 === 0 ? ['Passage text 1 [1]. ', 'The moon is cheese [2].'] : ['Passage text 3.'],
    );
    const checker = new SupportChecker(null);
    const checks: { answer: string; numbers: number[]; engineRunning: number }[] = [];
    const check: CheckSupport = (question, answer, passages) => {
      checks.push({
        answer,
        numbers: passages.map((p) => p.number),
        engineRunning: engine.running,
      });
      return checker.check(question, answer, passages);
    };
    const { steps } = stepsWith(engine, async () => ({ passages: long }), undefined, check, model);
    const { results } = await runQuestions(QUESTIONS.slice(0, 1), steps, {
      signal: new AbortController().signal,
    });
    const [result] = results;
    expect(result!.promptPassages).toBe(2);

    // Grounded: against the two passages of its prompt, numbered as the prompt numbers them;
    // ungrounded: against all three retrieved, by rank. Never while the model was generating.
    expect(checks).toEqual([
      { answer: 'Passage text 1 [1]. The moon is cheese [2].', numbers: [1, 2], engineRunning: 0 },
      { answer: 'Passage text 3.', numbers: [1, 2, 3], engineRunning: 0 },
    ]);
    expect(result!.grounded.support).toEqual({
      sentences: 2,
      supported: 1,
      partial: 0,
      missing: 1,
      citations: 2,
      citationsHolding: 1,
      unfoundDetails: 0,
    });
    // All three passages were retrieved, so passage 3 supports the ungrounded answer.
    expect(result!.ungrounded.support).toMatchObject({ sentences: 1, supported: 1, missing: 0 });
  });

  test('a failed check leaves the answer without support and the question stands; failed answers are not checked', async () => {
    const engine = new ScriptedEngine((call) =>
      call === 1 ? new Error('out of memory') : ['Passage text 1 [1].'],
    );
    const checked: string[] = [];
    const check: CheckSupport = async (_question, answer, passages: SupportPassage[]) => {
      checked.push(answer);
      if (checked.length === 1) throw new Error('the embed worker crashed');
      return new SupportChecker(null).check('', answer, passages);
    };
    const { steps } = stepsWith(engine, undefined, undefined, check);
    const { results } = await runQuestions(QUESTIONS, steps, {
      signal: new AbortController().signal,
    });
    expect(results).toHaveLength(2);
    // q1: the grounded check failed, the ungrounded answer failed (so it was not checked).
    expect(results[0]!.grounded).toMatchObject({ end: 'done', text: 'Passage text 1 [1].' });
    expect(results[0]!.grounded.support).toBeUndefined();
    expect(results[0]!.ungrounded.end).toBe('failed');
    expect(results[0]!.ungrounded.support).toBeUndefined();
    // q2: both checked.
    expect(checked).toHaveLength(3);
    expect(results[1]!.grounded.support).toMatchObject({ supported: 1, citationsHolding: 1 });
    expect(results[1]!.ungrounded.support).toMatchObject({ supported: 1 });
  });
});
