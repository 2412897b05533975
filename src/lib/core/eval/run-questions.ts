/**
 * The evaluation loop: each question of a set retrieved and answered twice, one question at a
 * time, with the retrieval and the answers handed in, so the same loop runs against the app's
 * engines and against fakes in tests. The caller builds the EvalRun from what it returns.
 */

import { messageOf } from '../text/format';
import type { EvalQuestion } from './questions';
import type { EvalAnswer, EvalPassage, EvalResult } from './run';

/** The grounded answer and how many retrieved passages, from the first, its prompt held. */
export interface GroundedAnswer {
  answer: EvalAnswer;
  /** See EvalResult.promptPassages: at most the number of passages it was given. */
  promptPassages: number;
}

/**
 * What a run does per question, with the settings and model of Ask already bound in. Each step
 * should stop soon after `signal` aborts, but the loop does not wait for it to (see runQuestions).
 * A step that throws, or an answer that ends 'failed', is recorded on its question and the run
 * goes on.
 */
export interface RunSteps {
  /** The passages for the question, best first, at most top-k. */
  retrieve(question: EvalQuestion, signal: AbortSignal): Promise<EvalPassage[]>;
  /** The answer from the question and `passages` (the context budget may drop the last ones). */
  answerGrounded(
    question: EvalQuestion,
    passages: readonly EvalPassage[],
    signal: AbortSignal,
  ): Promise<GroundedAnswer>;
  /** The answer from the question alone. */
  answerUngrounded(question: EvalQuestion, signal: AbortSignal): Promise<EvalAnswer>;
}

export interface RunProgress {
  /** Questions finished, failed ones included. */
  done: number;
  total: number;
  /**
   * Time left: the mean time a finished question took, times the questions left; null before
   * the first question finishes, 0 when all have.
   */
  etaMs: number | null;
}

export interface RunQuestionsOptions {
  /** Aborting it ends the run at once; see runQuestions. */
  signal: AbortSignal;
  /** Called before the first question (done 0) and after each one finishes. */
  onProgress?: (progress: RunProgress) => void;
  /** Called with each question's result as it finishes, in order, e.g. to keep it. */
  onResult?: (result: EvalResult) => void;
  /** Milliseconds from any fixed start; performance.now by default. */
  now?: () => number;
}

export interface RunOutcome {
  /** One per finished question, in the order asked. */
  results: EvalResult[];
  /** The signal aborted before every question finished: the questions after `results` were not asked. */
  cancelled: boolean;
}

/**
 * Asks `questions` in order, one at a time: retrieval, then the grounded answer, then the
 * ungrounded one. When retrieval fails, the grounded answer is recorded as failed with the reason
 * and not asked (it would have had no passages), and the ungrounded answer is still asked; when an
 * answer step throws, that answer is recorded as failed with the error's message.
 *
 * When `signal` aborts, the returned promise settles at once, without waiting for the step in
 * flight (whose outcome is then ignored, and which should stop on the signal itself); no further
 * step is called. The question in flight is dropped, not kept half-answered: a run holds results
 * only for questions asked in full, so a cancelled run scores like a shorter one and the dropped
 * question counts as not asked. An already-aborted signal calls no step and returns no results.
 */
export async function runQuestions(
  questions: readonly EvalQuestion[],
  steps: RunSteps,
  { signal, onProgress, onResult, now = () => performance.now() }: RunQuestionsOptions,
): Promise<RunOutcome> {
  const results: EvalResult[] = [];
  if (signal.aborted) return { results, cancelled: true };
  const total = questions.length;
  let spentMs = 0;
  onProgress?.({ done: 0, total, etaMs: null });
  for (const question of questions) {
    const started = now();
    let result: EvalResult;
    try {
      result = await askOne(question, steps, signal, now);
    } catch (error) {
      if (error instanceof Cancelled) return { results, cancelled: true };
      throw error;
    }
    spentMs += now() - started;
    results.push(result);
    onResult?.(result);
    const done = results.length;
    onProgress?.({ done, total, etaMs: (spentMs / done) * (total - done) });
  }
  return { results, cancelled: false };
}

/** Thrown inside the loop when the signal aborts; never escapes runQuestions. */
class Cancelled extends Error {}

async function askOne(
  question: EvalQuestion,
  steps: RunSteps,
  signal: AbortSignal,
  now: () => number,
): Promise<EvalResult> {
  const retrievalStarted = now();
  let passages: EvalPassage[] = [];
  let retrievalError: string | null = null;
  try {
    passages = await step(() => steps.retrieve(question, signal), signal);
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    retrievalError = messageOf(error);
  }
  const retrievalMs = now() - retrievalStarted;

  let grounded: EvalAnswer;
  let promptPassages = 0;
  if (retrievalError !== null) {
    grounded = failedAnswer(
      `Retrieval failed, so the grounded answer was not asked: ${retrievalError}`,
      0,
    );
  } else {
    const answerStarted = now();
    try {
      const reply = await step(() => steps.answerGrounded(question, passages, signal), signal);
      grounded = reply.answer;
      promptPassages = Math.max(0, Math.min(reply.promptPassages, passages.length));
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      grounded = failedAnswer(messageOf(error), now() - answerStarted);
    }
  }

  const answerStarted = now();
  let ungrounded: EvalAnswer;
  try {
    ungrounded = await step(() => steps.answerUngrounded(question, signal), signal);
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    ungrounded = failedAnswer(messageOf(error), now() - answerStarted);
  }

  return { questionId: question.id, passages, promptPassages, retrievalMs, grounded, ungrounded };
}

/**
 * What `work` gives, or Cancelled as soon as `signal` aborts, whichever comes first. A step that
 * throws synchronously rejects like one that rejects.
 */
function step<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled());
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    // A step still running when the signal aborts settles later into a promise already rejected:
    // its value or error is dropped here, never left unhandled.
    Promise.resolve()
      .then(work)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function failedAnswer(error: string, totalMs: number): EvalAnswer {
  return {
    text: '',
    end: 'failed',
    error,
    firstTokenMs: null,
    tokens: 0,
    tokensPerSecond: null,
    totalMs,
  };
}
