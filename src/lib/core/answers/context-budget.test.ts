import { describe, expect, test } from 'vitest';
import {
  ESTIMATE_MARGIN,
  MIN_ANSWER_TOKENS,
  PromptTooLongError,
  TEMPLATE_TOKENS_PER_MESSAGE,
  TEMPLATE_TOKENS_PER_PROMPT,
  estimateLlmTokens,
  fitGroundedPrompt,
  fitUngroundedPrompt,
  type CountTokens,
  type PromptBudget,
} from './context-budget';
import {
  GROUNDED_SYSTEM_PROMPT,
  groundedMessages,
  ungroundedMessages,
  type PromptPassage,
} from './prompt';
import { estimateTokens } from '../text/token-estimate';

const TEMPLATE = 2 * TEMPLATE_TOKENS_PER_MESSAGE + TEMPLATE_TOKENS_PER_PROMPT;
const QUESTION = 'How long is parental leave, and is it paid?';

/** A byte-level tokenizer at its worst: one token per UTF-8 byte. */
const perByte: CountTokens = (text) => new TextEncoder().encode(text).length;
/** Rounds, so counts of parts do not add up to the count of the whole; and answers later. */
const chunky: CountTokens = async (text) => Math.ceil(new TextEncoder().encode(text).length / 3);

/** Counts the blank lines between passages heavily, so the whole costs more than its parts. */
const heavyJoins: CountTokens = (text) => text.length + 40 * text.split('\n\n').length;

function passage(number: number, text: string, docName = `doc-${number}.md`): PromptPassage {
  return { number, docName, headingPath: ['Section'], text };
}

function numbered(texts: string[]): PromptPassage[] {
  return texts.map((text, i) => passage(i + 1, text));
}

/** The prompt's tokens counted from scratch, as the engine will see them, plus the answer. */
async function used(budget: PromptBudget, count: CountTokens = estimateLlmTokens): Promise<number> {
  let total = TEMPLATE + budget.parts.answer;
  for (const message of budget.messages) total += await count(message.content);
  return total;
}

function sum(budget: PromptBudget): number {
  const { system, passages, question, template, answer, free } = budget.parts;
  return system + passages + question + template + answer + free;
}

const SENTENCE = 'Parents may take up to sixteen weeks of paid leave after the birth of a child. ';

describe('fitGroundedPrompt', () => {
  test('keeps every passage when they fit, and accounts for every token', async () => {
    const passages = numbered([SENTENCE, SENTENCE.repeat(2), SENTENCE.repeat(3)]);
    const budget = await fitGroundedPrompt({
      question: QUESTION,
      passages,
      contextWindow: 4096,
      maxAnswerTokens: 512,
    });
    expect(budget.messages).toEqual(groundedMessages(QUESTION, passages));
    expect(budget.included.map((p) => [p.number, p.rank])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(budget.dropped).toEqual([]);
    expect(budget.exact).toBe(false);
    expect(budget.warning).toBeUndefined();
    expect(budget.parts.system).toBe(estimateLlmTokens(GROUNDED_SYSTEM_PROMPT));
    expect(budget.parts.template).toBe(TEMPLATE);
    expect(budget.parts.answer).toBe(512);
    expect(budget.parts.free).toBeGreaterThan(0);
    expect(sum(budget)).toBe(4096);
    expect(await used(budget)).toBe(4096 - budget.parts.free);
  });

  test("counts with the model's tokenizer when given one, and says the count is exact", async () => {
    const passages = numbered([SENTENCE, '育儿假为十六周。'.repeat(10)]);
    const budget = await fitGroundedPrompt({
      question: QUESTION,
      passages,
      contextWindow: 2048,
      maxAnswerTokens: 256,
      countTokens: perByte,
    });
    expect(budget.exact).toBe(true);
    expect(budget.parts.system).toBe(perByte(GROUNDED_SYSTEM_PROMPT));
    expect(await used(budget, perByte)).toBe(2048 - budget.parts.free);
    expect(sum(budget)).toBe(2048);
  });

  test('drops the lowest-ranked passages first until the prompt fits', async () => {
    const passages = numbered(Array.from({ length: 10 }, () => SENTENCE.repeat(8)));
    const budget = await fitGroundedPrompt({
      question: QUESTION,
      passages,
      contextWindow: 1024,
      maxAnswerTokens: 256,
    });
    const kept = budget.included.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(10);
    expect(budget.included.map((p) => p.rank)).toEqual(
      passages.slice(0, kept).map((p) => p.number),
    );
    expect(budget.dropped).toEqual(passages.slice(kept));
    expect(budget.messages).toEqual(groundedMessages(QUESTION, budget.included));
    expect(await used(budget)).toBeLessThanOrEqual(1024);
    // One more passage would not have fitted.
    const more = groundedMessages(QUESTION, passages.slice(0, kept + 1));
    const needed = TEMPLATE + 256 + more.reduce((n, m) => n + estimateLlmTokens(m.content), 0);
    expect(needed).toBeGreaterThan(1024);
  });

  test('renumbers kept passages 1..k and records the number each had as its rank', async () => {
    const passages = [passage(3, 'Three.'), passage(5, 'Five.'), passage(9, SENTENCE.repeat(400))];
    const budget = await fitGroundedPrompt({
      question: QUESTION,
      passages,
      contextWindow: 1024,
      maxAnswerTokens: 128,
    });
    expect(budget.included.map((p) => [p.number, p.rank, p.text])).toEqual([
      [1, 3, 'Three.'],
      [2, 5, 'Five.'],
    ]);
    expect(budget.dropped).toEqual([passages[2]]);
    expect(budget.messages[1]!.content).toContain('[1] doc-3.md › Section\nThree.');
    expect(budget.messages[1]!.content).toContain('[2] doc-5.md › Section\nFive.');
  });

  test('a huge top passage leaves no passages rather than skipping to smaller ones', async () => {
    const passages = numbered([SENTENCE.repeat(400), 'Small.']);
    const budget = await fitGroundedPrompt({
      question: QUESTION,
      passages,
      contextWindow: 1024,
      maxAnswerTokens: 128,
    });
    expect(budget.included).toEqual([]);
    expect(budget.dropped).toEqual(passages);
    expect(budget.messages[1]!.content).toContain('\n\nPassages: none.\n\n');
  });

  test('gives the answer less room, and says so, when the question leaves less than asked', async () => {
    const question = 'Why? '.repeat(180);
    const bare = await fitGroundedPrompt({
      question,
      passages: [],
      contextWindow: 100_000,
      maxAnswerTokens: 1,
    });
    const promptTokens = 100_000 - bare.parts.free - 1;
    const budget = await fitGroundedPrompt({
      question,
      passages: numbered([SENTENCE]),
      contextWindow: promptTokens + 100,
      maxAnswerTokens: 500,
    });
    expect(budget.parts.answer).toBe(100);
    expect(budget.parts.free).toBe(0);
    expect(budget.included).toEqual([]);
    expect(budget.warning).toMatch(/limited to 100 tokens instead of 500/);
  });

  test('a question too long for the window is a clear error naming the sizes', async () => {
    const question = 'Tell me everything about parental leave. '.repeat(800);
    const attempt = fitGroundedPrompt({
      question,
      passages: numbered([SENTENCE]),
      contextWindow: 4096,
      maxAnswerTokens: 512,
    });
    await expect(attempt).rejects.toThrow(PromptTooLongError);
    await expect(attempt).rejects.toThrow(/context window of 4,096 tokens/);
    await expect(attempt).rejects.toThrow(/at least 32 tokens of answer/);
    await expect(attempt).rejects.toThrow(/takes about [\d,]+ tokens/);
    const exact = fitGroundedPrompt({
      question,
      passages: [],
      contextWindow: 4096,
      maxAnswerTokens: 512,
      countTokens: perByte,
    });
    await expect(exact).rejects.toThrow(/takes [\d,]+ tokens/);
  });

  test('an answer shorter than the minimum may still be asked for', async () => {
    const budget = await fitGroundedPrompt({
      question: 'Why?',
      passages: [],
      contextWindow: 4096,
      maxAnswerTokens: 8,
    });
    expect(budget.parts.answer).toBe(8);
    expect(MIN_ANSWER_TOKENS).toBeGreaterThan(8);
  });

  test('rejects impossible sizes and broken counters', async () => {
    const input = { question: 'Why?', passages: [], contextWindow: 4096, maxAnswerTokens: 256 };
    await expect(fitGroundedPrompt({ ...input, contextWindow: 0 })).rejects.toThrow(RangeError);
    await expect(fitGroundedPrompt({ ...input, maxAnswerTokens: 1.5 })).rejects.toThrow(RangeError);
    await expect(fitGroundedPrompt({ ...input, countTokens: () => NaN })).rejects.toThrow(
      /Token counter returned NaN/,
    );
  });

  test('never overflows, with either counter, on adversarial passages and windows', async () => {
    const pieces = [
      SENTENCE,
      '育儿假为十六周，工资全额支付。',
      '👨‍👩‍👧🇯🇵👍🏽',
      'Pneumonoultramicroscopicsilicovolcanoconiosis ',
      '1234567890 3.14159 2024-06-01 ',
      'отпуск по уходу за ребёнком ',
      '\n\n[2] Passage 3: Question: <|im_end|>',
      'x'.repeat(300),
    ];
    let seed = 3;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const counters: [string, CountTokens | undefined][] = [
      ['estimate', undefined],
      ['per byte', perByte],
      ['chunky', chunky],
      ['heavy joins', heavyJoins],
    ];
    const failures: string[] = [];
    let fitted = 0;
    let refused = 0;
    let partial = 0;
    for (let run = 0; run < 150; run++) {
      const passages = numbered(
        Array.from({ length: 1 + random(25) }, () => {
          let text = '';
          for (let i = 0, n = 1 + random(12); i < n; i++) text += pieces[random(pieces.length)];
          return text;
        }),
      );
      const question = pieces[random(pieces.length)]!.repeat(1 + random(3));
      const contextWindow = [64, 256, 512, 1024, 2048, 4096][random(6)]!;
      const maxAnswerTokens = [16, 64, 256, 1024][random(4)]!;
      for (const [name, countTokens] of counters) {
        const label = `${name}, run ${run}, window ${contextWindow}`;
        try {
          const budget = await fitGroundedPrompt({
            question,
            passages,
            contextWindow,
            maxAnswerTokens,
            ...(countTokens ? { countTokens } : {}),
          });
          fitted++;
          if (budget.included.length > 0 && budget.dropped.length > 0) partial++;
          const total = await used(budget, countTokens ?? estimateLlmTokens);
          const parts = Object.values(budget.parts);
          if (total > contextWindow) failures.push(`${label}: uses ${total}`);
          if (sum(budget) !== contextWindow) failures.push(`${label}: parts add to ${sum(budget)}`);
          if (parts.some((n) => n < 0)) failures.push(`${label}: negative part`);
          if (budget.included.length + budget.dropped.length !== passages.length) {
            failures.push(`${label}: lost passages`);
          }
        } catch (error) {
          if (!(error instanceof PromptTooLongError)) throw error;
          refused++;
        }
      }
    }
    expect(failures).toEqual([]);
    // Every outcome was exercised.
    expect(fitted).toBeGreaterThan(100);
    expect(partial).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(10);
  });

  test('a smaller window or a longer answer never keeps more passages', async () => {
    const passages = numbered(Array.from({ length: 12 }, (_, i) => SENTENCE.repeat(1 + (i % 4))));
    for (const countTokens of [undefined, chunky]) {
      const counter = countTokens ? { countTokens } : {};
      let previous = Infinity;
      for (let window = 4096; window >= 256; window -= 128) {
        const budget = await fitGroundedPrompt({
          question: QUESTION,
          passages,
          contextWindow: window,
          maxAnswerTokens: 128,
          ...counter,
        });
        expect(budget.included.length).toBeLessThanOrEqual(previous);
        previous = budget.included.length;
      }
      expect(previous).toBe(0);
      previous = Infinity;
      for (let answer = 32; answer <= 2048; answer *= 2) {
        const budget = await fitGroundedPrompt({
          question: QUESTION,
          passages,
          contextWindow: 2048,
          maxAnswerTokens: answer,
          ...counter,
        });
        expect(budget.included.length).toBeLessThanOrEqual(previous);
        previous = budget.included.length;
      }
    }
  });
});

describe('tokenScale', () => {
  test('scales every estimate, template included, for a model that spends more tokens', async () => {
    const passages = numbered([SENTENCE, SENTENCE.repeat(2), SENTENCE.repeat(3)]);
    const input = { question: QUESTION, passages, contextWindow: 640, maxAnswerTokens: 64 };
    const plain = await fitGroundedPrompt(input);
    const scaled = await fitGroundedPrompt({ ...input, tokenScale: 2.5 });
    expect(scaled.exact).toBe(false);
    expect(scaled.parts.system).toBe(Math.ceil(estimateLlmTokens(GROUNDED_SYSTEM_PROMPT) * 2.5));
    expect(scaled.parts.template).toBe(Math.ceil(TEMPLATE * 2.5));
    expect(sum(scaled)).toBe(640);
    // The same window holds fewer passages when each costs more.
    expect(plain.included).toHaveLength(3);
    expect(scaled.included.length).toBeLessThan(3);
    expect(scaled.dropped.map((p) => p.number)).toEqual(
      passages.slice(scaled.included.length).map((p) => p.number),
    );
  });

  test('never scales below the estimate', async () => {
    const input = { question: QUESTION, contextWindow: 4096, maxAnswerTokens: 64 };
    const plain = await fitUngroundedPrompt(input);
    const shrunk = await fitUngroundedPrompt({ ...input, tokenScale: 0.2 });
    expect(shrunk.parts).toEqual(plain.parts);
  });
});

describe('fitUngroundedPrompt', () => {
  test('is the ungrounded prompt, sized the same way, with no passages', async () => {
    const budget = await fitUngroundedPrompt({
      question: QUESTION,
      contextWindow: 4096,
      maxAnswerTokens: 512,
    });
    expect(budget.messages).toEqual(ungroundedMessages(QUESTION));
    expect(budget.included).toEqual([]);
    expect(budget.dropped).toEqual([]);
    expect(budget.parts.passages).toBe(0);
    expect(budget.parts.question).toBe(estimateLlmTokens(QUESTION));
    expect(budget.parts.answer).toBe(512);
    expect(sum(budget)).toBe(4096);
    expect(await used(budget)).toBe(4096 - budget.parts.free);
  });

  test('clamps the answer or refuses, like the grounded prompt', async () => {
    const exact = { countTokens: perByte };
    const small = await fitUngroundedPrompt({
      question: 'x'.repeat(150),
      contextWindow: 400,
      maxAnswerTokens: 256,
      ...exact,
    });
    expect(small.exact).toBe(true);
    expect(small.parts.answer).toBeLessThan(256);
    expect(small.parts.free).toBe(0);
    expect(small.warning).toMatch(/400-token context window/);
    await expect(
      fitUngroundedPrompt({
        question: 'x'.repeat(400),
        contextWindow: 400,
        maxAnswerTokens: 256,
        ...exact,
      }),
    ).rejects.toThrow(PromptTooLongError);
  });
});

describe('estimateLlmTokens', () => {
  test('is estimateTokens with a margin on plain English', () => {
    const text = 'Parents may take up to sixteen weeks of paid leave.';
    expect(estimateLlmTokens(text)).toBe(Math.ceil(ESTIMATE_MARGIN * estimateTokens(text)));
    expect(estimateLlmTokens('')).toBe(0);
  });

  test('counts more for digits, CJK and emoji, which small-vocabulary tokenizers split finely', () => {
    // Qwen gives every digit its own token.
    expect(estimateLlmTokens('1234567890')).toBeGreaterThanOrEqual(10);
    // SmolLM2's byte-level tokenizer spends 2–3 tokens on most CJK characters.
    expect(estimateLlmTokens('育儿假为十六周')).toBeGreaterThanOrEqual(14);
    // A family emoji is five code points, eighteen bytes.
    expect(estimateLlmTokens('👨‍👩‍👧')).toBeGreaterThanOrEqual(9);
  });
});
