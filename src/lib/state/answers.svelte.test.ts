import { describe, expect, test, vi } from 'vitest';
import { DEFAULT_SAMPLING } from '../core/answers/sampling';
import { EngineCrashedError, type LlmEngine } from '../engines/llm/engine';
import { Answers } from './answers.svelte';
import { MODEL, ScriptedEngine, passages } from './scripted-engine';
import { SupportChecker } from './support-checker';

function request(engine: LlmEngine, question = 'How long is parental leave?', model = MODEL) {
  return {
    question,
    passages: passages(3),
    retrievalMs: 12,
    engine,
    model,
    sampling: { ...DEFAULT_SAMPLING, maxTokens: 200 },
  };
}

describe('Answers', () => {
  test('answers grounded, then ungrounded, with the same sampling, and checks citations', async () => {
    const engine = new ScriptedEngine((call) =>
      call === 0 ? ['Thirty weeks ', '[1]', ', paid [7].'] : ['I do not know.'],
    );
    const errors: unknown[] = [];
    const answers = new Answers((e) => errors.push(e));
    await answers.run(request(engine));

    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[0]!.messages[1]!.content).toContain('[1] doc-1.md');
    expect(engine.calls[1]!.messages[1]!.content).toBe('How long is parental leave?');
    expect(engine.calls[0]!.options).toEqual(engine.calls[1]!.options);
    expect(engine.calls[0]!.options).toMatchObject({
      temperature: 0.2,
      topP: 0.9,
      seed: 42,
      maxTokens: 200,
    });
    expect(engine.maxRunning).toBe(1);

    const { grounded, ungrounded } = answers;
    expect([grounded.status, ungrounded.status]).toEqual(['done', 'done']);
    expect(grounded.text).toBe('Thirty weeks [1], paid [7].');
    expect(ungrounded.text).toBe('I do not know.');
    expect(grounded.citations).toEqual({ cited: [1], invalid: [7], citesNothing: false });
    expect(grounded.sources.map((p) => p.docName)).toEqual(['doc-1.md', 'doc-2.md', 'doc-3.md']);
    expect(grounded.metrics).toMatchObject({ retrievalMs: 12, tokens: 3 });
    expect(grounded.metrics!.firstTokenMs).toBeGreaterThan(0);
    expect(grounded.metrics!.tokensPerSecond).toBeGreaterThan(0);
    expect(grounded.blocks).toHaveLength(1);
    expect(answers.running).toBe(false);
    expect(errors).toEqual([]);
  });

  test('after both answers, checks each against its passages; a newer run drops the check', async () => {
    const engine = new ScriptedEngine((call) =>
      call === 0 ? ['Passage text 1 [1]. The moon is cheese [2].'] : ['Passage text 3.'],
    );
    /** For each check: how many answers the engine was generating when it started. */
    const generating: number[] = [];
    class Recording extends SupportChecker {
      override check(...args: Parameters<SupportChecker['check']>) {
        generating.push(engine.running);
        return super.check(...args);
      }
    }
    const checker = new Recording(null);
    const answers = new Answers(() => {}, checker);
    await answers.run(request(engine));
    await vi.waitFor(() => expect(answers.ungrounded.supportStatus).toBe('done'));
    const { grounded, ungrounded } = answers;
    expect(grounded.support!.sentences.map((s) => [s.level, s.citations])).toEqual([
      ['supported', [{ number: 1, holds: true }]],
      ['missing', [{ number: 2, holds: false }]],
    ]);
    expect(grounded.checkedAgainst).toBe(grounded.sources);
    // The ungrounded answer is checked against every retrieved passage.
    expect(ungrounded.support!.sentences[0]!.evidence).toMatchObject({ passage: 2 });
    expect(ungrounded.checkedAgainst.map((p) => p.rank)).toEqual([1, 2, 3]);
    // Only after both streams: nothing was checked while the engine generated.
    expect(generating).toEqual([0, 0]);

    // A new question resets the panes, and the old check never lands in them.
    let release = () => {};
    class Slow extends SupportChecker {
      override check(): ReturnType<SupportChecker['check']> {
        return new Promise((_, reject) => (release = () => reject(new Error('late'))));
      }
    }
    const slow = new Slow(null);
    const answers2 = new Answers(() => {}, slow);
    await answers2.run(request(new ScriptedEngine(() => ['Passage text 1.'])));
    await vi.waitFor(() => expect(answers2.grounded.supportStatus).toBe('checking'));
    const next = answers2.run(request(new ScriptedEngine(() => ['Other.'])));
    release();
    await next;
    expect(answers2.grounded.text).toBe('Other.');
    // The old check failed late: its error does not land in the new answer's pane.
    await new Promise((r) => setTimeout(r, 10));
    expect(answers2.grounded.supportError).toBeNull();
    expect(answers2.grounded.support).toBeNull();
  });

  test('a question waiting for the model says so in both panes; Stop gives up, run starts', async () => {
    const answers = new Answers(() => {});
    answers.wait('Waiting for SmolLM2 to finish loading.');
    expect(answers.waiting).toBe(true);
    expect([answers.grounded.status, answers.grounded.note]).toEqual([
      'waiting',
      'Waiting for SmolLM2 to finish loading.',
    ]);
    answers.stop();
    expect(answers.waiting).toBe(false);
    expect([answers.ungrounded.status, answers.ungrounded.note]).toEqual([
      'stopped',
      'Stopped before the language model was ready.',
    ]);
    answers.wait('Waiting again.');
    await answers.run(request(new ScriptedEngine(() => ['Thirty weeks [1].'])));
    expect(answers.waiting).toBe(false);
    expect([answers.grounded.status, answers.grounded.note]).toEqual(['done', null]);
  });

  test('flags a grounded answer that cites nothing, unless it says the documents do not say', async () => {
    for (const [text, flagged] of [
      ['Thirty weeks.', true],
      ['The documents do not say.', false],
    ] as const) {
      const answers = new Answers(() => {});
      await answers.run(request(new ScriptedEngine(() => [text])));
      expect(answers.grounded.citations?.citesNothing).toBe(true);
      expect(answers.grounded.declined).toBe(!flagged);
    }
  });

  test('stop halts the running answer at once and the other never starts', async () => {
    const engine = new ScriptedEngine(() => Array.from({ length: 200 }, (_, i) => `w${i} `), 5);
    const answers = new Answers(() => {});
    const run = answers.run(request(engine));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(answers.grounded.status).toBe('streaming');
    answers.stop();
    await run;
    expect(answers.grounded.status).toBe('stopped');
    expect(answers.ungrounded.status).toBe('stopped');
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]!.aborted()).toBe(true);
    expect(answers.grounded.text.split(' ').length).toBeLessThan(50);
  });

  test('a newer run supersedes the running one, and the engine never runs two at once', async () => {
    const engine = new ScriptedEngine(() => Array.from({ length: 50 }, () => 'x'), 3);
    const answers = new Answers(() => {});
    const first = answers.run(request(engine, 'First question?'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = answers.run(request(engine, 'Second question?'));
    await Promise.all([first, second]);
    expect(engine.maxRunning).toBe(1);
    expect(answers.grounded.budget!.messages[1]!.content).toContain('Second question?');
    expect([answers.grounded.status, answers.ungrounded.status]).toEqual(['done', 'done']);
    expect(answers.ungrounded.text).toBe('x'.repeat(50));
  });

  test('answers wait while the engine is occupied by other work', async () => {
    const engine = new ScriptedEngine(() => ['ok']);
    const answers = new Answers(() => {});
    let release = () => {};
    answers.occupy(new Promise<void>((resolve) => (release = resolve)));
    const run = answers.run(request(engine));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(engine.calls).toHaveLength(0);
    release();
    await run;
    expect(engine.calls).toHaveLength(2);
    expect(answers.grounded.status).toBe('done');
  });

  test('an engine crash fails the answer with its message and reports it for reloading', async () => {
    const crash = new EngineCrashedError('Test model stopped while answering. Reload the model.');
    const errors: unknown[] = [];
    const answers = new Answers((e) => errors.push(e));
    await answers.run(request(new ScriptedEngine(() => crash)));
    expect(answers.grounded.status).toBe('failed');
    expect(answers.grounded.error).toBe(crash.message);
    expect(answers.ungrounded.status).toBe('stopped');
    expect(errors).toEqual([crash]);
  });

  test('a question too long for the model fails both panes with the reason, sending nothing', async () => {
    const engine = new ScriptedEngine(() => ['never']);
    const answers = new Answers(() => {});
    await answers.run(request(engine, 'why '.repeat(400), { ...MODEL, contextWindow: 256 }));
    expect(engine.calls).toHaveLength(0);
    expect(answers.grounded.status).toBe('failed');
    expect(answers.grounded.error).toMatch(/too long for this model/);
    expect(answers.ungrounded.error).toMatch(/too long for this model/);
  });

  test('passages that do not fit are dropped lowest rank first and sources follow the prompt', async () => {
    const engine = new ScriptedEngine(() => ['ok [2]']);
    const answers = new Answers(() => {});
    const long = passages(5).map((p) => ({ ...p, text: 'Long passage text. '.repeat(60) }));
    await answers.run({
      ...request(engine, 'Q?', { ...MODEL, contextWindow: 1024 }),
      passages: long,
    });
    const budget = answers.grounded.budget!;
    expect(budget.dropped.length).toBeGreaterThan(0);
    expect(budget.included.map((p) => p.rank)).toEqual(
      Array.from({ length: budget.included.length }, (_, i) => i + 1),
    );
    expect(answers.grounded.sources).toHaveLength(budget.included.length);
    expect(budget.parts.system + budget.parts.passages + budget.parts.question).toBeLessThan(1024);
  });
});
