import { messageOf } from '../core/text/format';
import { checkCitations, type CitationCheck } from '../core/answers/citations';
import {
  PromptTooLongError,
  fitGroundedPrompt,
  fitUngroundedPrompt,
  type PromptBudget,
} from '../core/answers/context-budget';
import type { Passage } from '../core/kb/documents';
import { MarkdownStream } from '../core/answers/markdown-stream';
import type { Block } from '../core/answers/markdown-ast';
import { declinesToAnswer, toPromptPassages } from '../core/answers/prompt';
import type { Sampling } from '../core/answers/sampling';
import type { FinishReason, LlmEngine, LoadedModel } from '../engines/llm/engine';
import { generate } from './generate';
import { supportPassages } from '../core/answers/support';
import type { CheckedSupport, SupportChecker } from './support-checker';

export type AnswerKind = 'grounded' | 'ungrounded';

/** waiting: queued behind the other answer; thinking: prompt sent, no token yet. */
export type PaneStatus =
  'idle' | 'waiting' | 'thinking' | 'streaming' | 'done' | 'stopped' | 'failed';

/** The answer inspector's check of a finished answer. */
export type SupportStatus = 'idle' | 'checking' | 'done' | 'failed';

export interface AnswerMetrics {
  retrievalMs: number;
  /** From sending the prompt to the first token of the answer. */
  firstTokenMs: number | null;
  tokens: number;
  /** The prompt's tokens as the model counted them, when the engine says. */
  promptTokens?: number;
  /** Tokens after the first, over the time they took: the generation rate. */
  tokensPerSecond: number | null;
  totalMs: number;
}

/** Where output goes between two frames; flushing more often than the screen draws is waste. */
type Schedule = (flush: () => void) => void;

/**
 * Text is drawn about 12 times a second: smooth to read, and the main thread — which also drives
 * wllama's token loop — stays free for generating (see BENCHMARKS.md).
 */
export const FLUSH_INTERVAL_MS = 80;

const nextFrame: Schedule = (flush) => {
  // A timer, not only an animation frame: hidden tabs get no frames, and the answer must arrive.
  setTimeout(() => {
    if (typeof requestAnimationFrame === 'function' && !document.hidden)
      requestAnimationFrame(flush);
    else flush();
  }, FLUSH_INTERVAL_MS);
};

/** One of the two answers: its prompt, its streamed text and how it went. */
export class AnswerPane {
  readonly kind: AnswerKind;
  status = $state<PaneStatus>('idle');
  text = $state('');
  blocks = $state.raw<Block[]>([]);
  budget = $state.raw<PromptBudget | null>(null);
  /** The retrieved passages behind each number the grounded prompt shows (index = number − 1). */
  sources = $state.raw<Passage[]>([]);
  metrics = $state.raw<AnswerMetrics | null>(null);
  citations = $state.raw<CitationCheck | null>(null);
  /** The grounded answer says the passages do not hold the answer. */
  declined = $state(false);
  finish = $state<FinishReason | null>(null);
  /** The longest answer this run allowed, in tokens. */
  maxTokens = $state(0);
  error = $state<string | null>(null);
  /** A message for an empty pane (e.g. no model loaded). */
  note = $state<string | null>(null);
  /** Each sentence of the finished answer set against the passages (the answer inspector). */
  support = $state.raw<CheckedSupport | null>(null);
  supportStatus = $state<SupportStatus>('idle');
  supportError = $state<string | null>(null);
  /** The passages the answer was checked against: `support`'s evidence indexes these. */
  checkedAgainst = $state.raw<Passage[]>([]);

  #markdown = new MarkdownStream();
  #pending = '';
  #scheduled = false;
  #schedule: Schedule;

  constructor(kind: AnswerKind, schedule: Schedule = nextFrame) {
    this.kind = kind;
    this.#schedule = schedule;
  }

  reset(status: PaneStatus, note: string | null = null): void {
    this.status = status;
    this.note = note;
    this.text = '';
    this.blocks = [];
    this.budget = null;
    this.sources = [];
    this.metrics = null;
    this.citations = null;
    this.declined = false;
    this.finish = null;
    this.maxTokens = 0;
    this.error = null;
    this.support = null;
    this.supportStatus = 'idle';
    this.supportError = null;
    this.checkedAgainst = [];
    this.#markdown.reset();
    this.#pending = '';
  }

  /** Queues streamed text; the screen is updated at most once a frame. */
  append(delta: string): void {
    this.#pending += delta;
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (!this.#pending) return;
    this.#markdown.append(this.#pending);
    this.text += this.#pending;
    this.#pending = '';
    this.blocks = this.#markdown.blocks;
  }
}

export interface AnswerRequest {
  question: string;
  passages: Passage[];
  retrievalMs: number;
  engine: LlmEngine;
  model: LoadedModel;
  sampling: Sampling;
}

/** Both prompts of a question, fitted to the model's context window. */
export interface FittedPrompts {
  grounded: PromptBudget;
  ungrounded: PromptBudget;
  /** The longest answer either may give: both get the same room, so neither is cut shorter. */
  maxTokens: number;
}

/**
 * The grounded and the ungrounded prompt for a question, as Ask sends them; the evaluation fits
 * its prompts through this too, so its answers get the room Ask's get. Throws
 * PromptTooLongError when even the question does not fit.
 */
export async function fitAnswerPrompts(
  request: Pick<AnswerRequest, 'question' | 'passages' | 'engine' | 'model' | 'sampling'>,
): Promise<FittedPrompts> {
  const { question, passages, engine, model, sampling } = request;
  const budgetInput = {
    question,
    contextWindow: model.contextWindow,
    maxAnswerTokens: sampling.maxTokens,
    ...(engine.countTokens ? { countTokens: (t: string) => engine.countTokens!(t) } : {}),
    ...(model.tokenScale ? { tokenScale: model.tokenScale } : {}),
  };
  const [grounded, ungrounded] = await Promise.all([
    fitGroundedPrompt({ ...budgetInput, passages: toPromptPassages(passages) }),
    fitUngroundedPrompt(budgetInput),
  ]);
  return {
    grounded,
    ungrounded,
    maxTokens: Math.min(grounded.parts.answer, ungrounded.parts.answer),
  };
}

/**
 * The same question answered twice by one engine, grounded first (it is the one people wait
 * for), then ungrounded, with the same sampling settings. A newer run or `stop` cancels at once.
 */
export class Answers {
  readonly grounded = new AnswerPane('grounded');
  readonly ungrounded = new AnswerPane('ungrounded');
  running = $state(false);
  /** A question waits for the language model to finish loading (see `wait`). */
  waiting = $state(false);
  #abort: AbortController | null = null;
  /** Settles when the engine has ended the previous run's stream, so runs never overlap. */
  #previous: Promise<void> = Promise.resolve();
  /** Called with an error that means the engine must be reloaded. */
  #onEngineError: (error: unknown) => void;
  #checker: SupportChecker | null;

  /** `checker` checks each finished answer's sentences against the passages (none: no check). */
  constructor(onEngineError: (error: unknown) => void, checker: SupportChecker | null = null) {
    this.#onEngineError = onEngineError;
    this.#checker = checker;
  }

  /** Shows `note` in both panes instead of answers (e.g. "load a model"). */
  explain(note: string): void {
    this.waiting = false;
    this.stop();
    this.grounded.reset('idle', note);
    this.ungrounded.reset('idle', note);
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    if (this.waiting) {
      this.waiting = false;
      const note = 'Stopped before the language model was ready.';
      this.grounded.reset('stopped', note);
      this.ungrounded.reset('stopped', note);
    }
  }

  /**
   * A question is waiting for the language model to load: both panes say so until `run` starts
   * the answers or `stop` gives up (the caller checks `waiting` when the model is ready).
   */
  wait(note: string): void {
    this.stop();
    this.grounded.reset('waiting', note);
    this.ungrounded.reset('waiting', note);
    this.waiting = true;
  }

  /** Settles when the engine has ended the last run's stream (at once when none runs). */
  settled(): Promise<void> {
    return this.#previous;
  }

  /**
   * Holds the engine until `work` settles: the next answers wait for it, as they wait for a
   * previous run (e.g. an evaluation's answer still reading its prompt after Cancel).
   */
  occupy(work: Promise<unknown>): void {
    const previous = this.#previous;
    this.#previous = Promise.allSettled([previous, work]).then(() => {});
  }

  run(request: AnswerRequest): Promise<void> {
    this.waiting = false;
    this.stop();
    const controller = new AbortController();
    this.#abort = controller;
    const previous = this.#previous;
    const run = (async () => {
      await previous;
      if (controller.signal.aborted) return;
      await this.#run(request, controller.signal);
    })();
    this.#previous = run.catch(() => {});
    return run;
  }

  async #run(request: AnswerRequest, signal: AbortSignal): Promise<void> {
    const { engine, sampling } = request;
    const panes = [this.grounded, this.ungrounded];
    for (const pane of panes) pane.reset('waiting');
    this.running = true;
    try {
      let fitted: FittedPrompts;
      try {
        fitted = await fitAnswerPrompts(request);
      } catch (error) {
        const message =
          error instanceof PromptTooLongError
            ? error.message
            : `Could not build the prompt: ${messageOf(error)}`;
        for (const pane of panes) {
          pane.status = 'failed';
          pane.error = message;
        }
        return;
      }
      const { grounded: groundedBudget, ungrounded: ungroundedBudget, maxTokens } = fitted;
      this.grounded.budget = groundedBudget;
      this.grounded.sources = groundedBudget.included.map((p) => request.passages[p.rank - 1]!);
      this.ungrounded.budget = ungroundedBudget;
      const options = { ...sampling, maxTokens };
      for (const pane of panes) {
        if (signal.aborted) break;
        await this.#answer(pane, engine, options, request.retrievalMs, signal);
        if (pane.status === 'failed') break;
      }
      // After both streams, so the check never competes with generating; it does not hold the
      // engine either (the next question's answers need not wait for it).
      if (!signal.aborted) void this.#check(request, signal);
    } finally {
      for (const pane of panes) {
        if (
          pane.status === 'waiting' ||
          pane.status === 'thinking' ||
          pane.status === 'streaming'
        ) {
          pane.flush();
          pane.status = 'stopped';
        }
      }
      this.running = false;
    }
  }

  /** Checks each finished answer: the grounded one against its prompt's passages, the
   * ungrounded one against all the retrieved passages. A newer run drops the results. */
  async #check(request: AnswerRequest, signal: AbortSignal): Promise<void> {
    const checker = this.#checker;
    if (!checker) return;
    for (const pane of [this.grounded, this.ungrounded]) {
      if (signal.aborted) return;
      if (pane.status !== 'done' || !pane.text.trim()) continue;
      const passages = pane.kind === 'grounded' ? pane.sources : request.passages;
      pane.supportStatus = 'checking';
      try {
        const report = await checker.check(
          request.question,
          pane.text,
          supportPassages(passages, pane.kind === 'grounded' ? 'prompt' : 'rank'),
        );
        if (signal.aborted) return;
        pane.support = report;
        pane.checkedAgainst = passages;
        pane.supportStatus = 'done';
      } catch (error) {
        if (signal.aborted) return;
        pane.supportStatus = 'failed';
        pane.supportError = `Could not check the answer against the passages: ${messageOf(error)}`;
      }
    }
  }

  async #answer(
    pane: AnswerPane,
    engine: LlmEngine,
    options: Sampling,
    retrievalMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    const budget = pane.budget!;
    pane.status = 'thinking';
    pane.maxTokens = options.maxTokens;
    const reply = await generate(engine, budget.messages, options, signal, (delta) => {
      pane.status = 'streaming';
      pane.append(delta);
    });
    pane.flush();
    pane.finish = reply.finish;
    const { firstTokenMs, tokens, promptTokens, tokensPerSecond, totalMs } = reply;
    pane.metrics = {
      retrievalMs,
      firstTokenMs,
      tokens,
      ...(promptTokens !== undefined ? { promptTokens } : {}),
      tokensPerSecond,
      totalMs,
    };
    if (signal.aborted || reply.finish === 'abort') {
      pane.status = 'stopped';
      return;
    }
    if (reply.error !== undefined) {
      pane.status = 'failed';
      pane.error = messageOf(reply.error);
      this.#onEngineError(reply.error);
      return;
    }
    pane.status = 'done';
    if (pane.kind === 'grounded') {
      pane.citations = checkCitations(pane.text, budget.included.length);
      pane.declined = declinesToAnswer(pane.text);
    }
  }
}
