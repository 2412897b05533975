import type { EvalQuestion } from '../core/eval/questions';
import type { RunSteps } from '../core/eval/run-questions';
import { toEvalPassage, type AnswerEnd, type EvalAnswer } from '../core/eval/run';
import type { Passage } from '../core/kb/documents';
import type { Sampling } from '../core/answers/sampling';
import type { SupportPassage, SupportReport, SupportSummary } from '../core/answers/support';
import { messageOf } from '../core/text/format';
import type { LlmEngine, LoadedModel } from '../engines/llm/engine';
import { fitAnswerPrompts, type FittedPrompts } from './answers.svelte';
import { generate, type Generated } from './generate';
import { supportPassages } from '../core/answers/support';

/** The answer inspector's check of `answer` against `passages` (SupportChecker.check). */
export type CheckSupport = (
  question: string,
  answer: string,
  passages: SupportPassage[],
) => Promise<SupportReport>;

export interface StepsDeps {
  /** Ask's retrieval with the current settings; null once `current()` turned false. */
  retrieve(question: string, current: () => boolean): Promise<{ passages: Passage[] } | null>;
  engine: LlmEngine;
  model: LoadedModel;
  sampling: Sampling;
  /** An answer failed in the engine (not by cancelling): it may need reloading. */
  onEngineError(error: unknown): void;
  /** Checks each finished answer's sentences against its passages; null: answers are not checked. */
  check: CheckSupport | null;
}

/**
 * The evaluation's steps, doing per question what Ask does: retrieve with the current settings,
 * fit both prompts once (so both answers get the same room, as in Ask), then generate each and
 * check it against the passages as Ask does — the grounded answer against its prompt's passages
 * (numbered as the prompt numbers them), the ungrounded one against every retrieved passage (by
 * rank). Each check runs within its answer's step, after the generation, so it never competes
 * with the model, and the next answer waits for it.
 * `inFlight()` settles when every step started so far has ended, so after a cancel the caller
 * can wait for the engine to be free before Ask uses it again.
 */
export function evaluationSteps(deps: StepsDeps): {
  steps: RunSteps;
  inFlight: () => Promise<unknown>;
} {
  const { engine, model, sampling } = deps;
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    void work.catch(() => {}).finally(() => running.delete(work));
    return work;
  };
  // The passages as retrieved (a prompt needs more than a run keeps) and the fitted prompts, per
  // question, until its second answer.
  const retrieved = new Map<string, Passage[]>();
  const fitted = new Map<string, FittedPrompts>();
  const fit = async (question: EvalQuestion) => {
    let prompts = fitted.get(question.id);
    if (!prompts) {
      prompts = await fitAnswerPrompts({
        question: question.question,
        passages: retrieved.get(question.id) ?? [],
        engine,
        model,
        sampling,
      });
      fitted.set(question.id, prompts);
    }
    return prompts;
  };
  const answer = async (
    question: EvalQuestion,
    which: 'grounded' | 'ungrounded',
    signal: AbortSignal,
  ) => {
    const prompts = await fit(question);
    const reply = await generate(
      engine,
      prompts[which].messages,
      { ...sampling, maxTokens: prompts.maxTokens },
      signal,
    );
    if (reply.error !== undefined && !signal.aborted) deps.onEngineError(reply.error);
    const answer = toEvalAnswer(reply, signal);
    const support = await check(question, which, prompts, answer, signal);
    return { prompts, answer: support ? { ...answer, support } : answer };
  };
  // Like Ask, only an answer that ended on its own (done, or cut at the longest allowed) and says
  // something is checked; a question whose retrieval failed has no passages to check against. A
  // check that fails leaves the answer without support, as Ask shows none: the question stands.
  const check = async (
    question: EvalQuestion,
    which: 'grounded' | 'ungrounded',
    prompts: FittedPrompts,
    answer: EvalAnswer,
    signal: AbortSignal,
  ): Promise<SupportSummary | null> => {
    const all = retrieved.get(question.id);
    if (!deps.check || signal.aborted || !all) return null;
    if ((answer.end !== 'done' && answer.end !== 'length') || !answer.text.trim()) return null;
    const passages =
      which === 'grounded'
        ? supportPassages(
            prompts.grounded.included.map((p) => all[p.rank - 1]!),
            'prompt',
          )
        : supportPassages(all, 'rank');
    try {
      const report = await deps.check(question.question, answer.text, passages);
      return signal.aborted ? null : report.summary;
    } catch {
      return null;
    }
  };
  const steps: RunSteps = {
    retrieve: (question, signal) =>
      track(
        (async () => {
          const found = await deps.retrieve(question.question, () => !signal.aborted);
          const passages = found?.passages ?? [];
          retrieved.set(question.id, passages);
          return passages.map(toEvalPassage);
        })(),
      ),
    answerGrounded: (question, _passages, signal) =>
      track(
        answer(question, 'grounded', signal).then(({ prompts, answer }) => ({
          answer,
          promptPassages: prompts.grounded.included.length,
        })),
      ),
    answerUngrounded: (question, signal) =>
      track(
        answer(question, 'ungrounded', signal).then(({ answer }) => {
          retrieved.delete(question.id);
          fitted.delete(question.id);
          return answer;
        }),
      ),
  };
  return { steps, inFlight: () => Promise.allSettled([...running]) };
}

/** How a reply ended, in a run's terms. */
function endOf(reply: Generated, signal: AbortSignal): AnswerEnd {
  if (signal.aborted || reply.finish === 'abort') return 'stopped';
  if (reply.error !== undefined) return 'failed';
  return reply.finish === 'length' ? 'length' : 'done';
}

export function toEvalAnswer(reply: Generated, signal: AbortSignal): EvalAnswer {
  const end = endOf(reply, signal);
  return {
    text: reply.text,
    end,
    ...(end === 'failed' ? { error: messageOf(reply.error) } : {}),
    firstTokenMs: reply.firstTokenMs,
    tokens: reply.tokens,
    tokensPerSecond: reply.tokensPerSecond,
    totalMs: reply.totalMs,
  };
}
