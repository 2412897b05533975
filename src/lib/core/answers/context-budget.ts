/**
 * Fits a prompt into the model's context window, which holds the prompt and the answer together.
 * Room for the answer is reserved first; passages go in best first, and the lowest-ranked are
 * dropped until the prompt fits. A prompt that overflows would be cut by the engine or fail, and
 * a cut grounded prompt loses its question, which comes last.
 */

import type { ChatMessage } from './chat';
import {
  GROUNDED_SYSTEM_PROMPT,
  UNGROUNDED_SYSTEM_PROMPT,
  formatPassage,
  groundedMessages,
  groundedUserContent,
  passagesSection,
  questionHeader,
  questionSection,
  ungroundedMessages,
  type PromptPassage,
} from './prompt';
import { estimateTokens } from '../text/token-estimate';

/** Counts tokens with the model's own tokenizer (it may live in a worker, hence the promise). */
export type CountTokens = (text: string) => Promise<number> | number;

/**
 * A passage that made it into the prompt. `number` is the number the prompt shows and the answer
 * cites; `rank` is the number it had among the retrieved passages. Kept passages are renumbered
 * 1..k so citations stay contiguous; as passages are dropped from the bottom, the two are equal
 * whenever the retrieved passages were numbered 1..n.
 */
export interface BudgetedPassage extends PromptPassage {
  rank: number;
}

/** Where the window's tokens go; the parts add up to the window. */
export interface BudgetParts {
  system: number;
  /** The passages and their labels, or the "no passages" line. */
  passages: number;
  /** The question and the reminder before it. */
  question: number;
  /** Role markers and special tokens the chat template adds around each message. */
  template: number;
  /** Reserved for the answer. */
  answer: number;
  free: number;
}

export interface PromptBudget {
  messages: ChatMessage[];
  included: BudgetedPassage[];
  /** Passages left out for want of room, with their retrieved numbers; lowest-ranked last. */
  dropped: PromptPassage[];
  parts: BudgetParts;
  contextWindow: number;
  /** True when counted with the model's tokenizer; false when estimated (with a margin). */
  exact: boolean;
  /** Set when the answer gets less room than asked for. */
  warning?: string;
}

export interface GroundedBudgetInput {
  question: string;
  passages: PromptPassage[];
  contextWindow: number;
  maxAnswerTokens: number;
  countTokens?: CountTokens;
  /**
   * Without `countTokens`: how many times more tokens this model spends than the estimate says
   * (≥ 1; measured once per model, e.g. for small-vocabulary tokenizers). Default 1.
   */
  tokenScale?: number;
}

export type UngroundedBudgetInput = Omit<GroundedBudgetInput, 'passages'>;

/** The question and instructions alone leave no useful room for an answer. */
export class PromptTooLongError extends Error {
  override name = 'PromptTooLongError';
  constructor(
    readonly promptTokens: number,
    readonly contextWindow: number,
    readonly minAnswerTokens: number,
    exact: boolean,
  ) {
    super(
      `The question is too long for this model: with the instructions it takes ` +
        `${exact ? '' : 'about '}${promptTokens.toLocaleString('en')} tokens, and the model's ` +
        `context window of ${contextWindow.toLocaleString('en')} tokens must also hold at least ` +
        `${minAnswerTokens} tokens of answer. Shorten the question or choose a model with a ` +
        `larger context window.`,
    );
  }
}

/**
 * Tokens a chat template adds per message (ChatML: "<|im_start|>system\n" … "<|im_end|>\n" is
 * 5; Llama 3: 5; Phi-3: 3) and once per prompt (BOS and the assistant header, 3–5). Rounded up,
 * as these are not counted with the tokenizer.
 */
export const TEMPLATE_TOKENS_PER_MESSAGE = 8;
export const TEMPLATE_TOKENS_PER_PROMPT = 8;
/** Headroom on estimated counts, which are made without the model's tokenizer. */
export const ESTIMATE_MARGIN = 1.25;
/** Fewer tokens than this (or than asked for, if less) is no answer at all. */
export const MIN_ANSWER_TOKENS = 32;

/**
 * LLM tokens of `text` without the model's tokenizer, meant to over-count: `estimateTokens`
 * (sized for embedding tokenizers) plus what the models we run spend beyond it — Qwen splits
 * numbers into single digits, and byte-level tokenizers with small vocabularies (SmolLM2's 49k)
 * spend two or three tokens on a CJK character and up to four on an emoji — all × 1.25.
 */
export function estimateLlmTokens(text: string): number {
  let extra = 0;
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp >= 0x10000) extra += 2;
    else if (cp >= 0x800) extra += 1;
    else if (cp >= 48 && cp <= 57) extra += 0.5;
  }
  return Math.ceil(ESTIMATE_MARGIN * (estimateTokens(text) + extra));
}

/**
 * The grounded prompt with as many passages as fit, best first, after reserving room for the
 * answer. Throws PromptTooLongError when even the prompt without passages leaves too little room.
 */
export async function fitGroundedPrompt(input: GroundedBudgetInput): Promise<PromptBudget> {
  const { question, passages, contextWindow, maxAnswerTokens } = input;
  checkSizes(contextWindow, maxAnswerTokens);
  const { count, exact, scale } = counter(input.countTokens, input.tokenScale);
  const template = Math.ceil(
    scale * (2 * TEMPLATE_TOKENS_PER_MESSAGE + TEMPLATE_TOKENS_PER_PROMPT),
  );
  const system = await count(GROUNDED_SYSTEM_PROMPT);
  const questionTokens =
    (await count(questionHeader(question))) + (await count(questionSection(question)));
  const bare = system + template + (await count(groundedUserContent(question, [])));
  const { answer, warning } = answerRoom(bare, contextWindow, maxAnswerTokens, exact);
  const fits = (userTokens: number): boolean =>
    system + template + userTokens + answer <= contextWindow;

  // First guess from per-passage counts, then the whole message is counted, since tokens can
  // merge across the joins; each miss drops one more passage. With no passages it is `bare`.
  const renumbered = passages.map((p, i): BudgetedPassage => ({
    ...p,
    number: i + 1,
    rank: p.number,
  }));
  let kept = 0;
  let total = questionTokens + (await count(passagesSection([])));
  while (kept < renumbered.length) {
    const next = total + (await count(formatPassage(renumbered[kept]!)));
    if (!fits(next)) break;
    total = next;
    kept++;
  }
  let included = renumbered.slice(0, kept);
  let user = await count(groundedUserContent(question, included));
  while (included.length > 0 && !fits(user)) {
    included = included.slice(0, -1);
    user = await count(groundedUserContent(question, included));
  }

  const questionPart = Math.min(questionTokens, user);
  return {
    messages: groundedMessages(question, included),
    included,
    dropped: passages.slice(included.length),
    parts: parts(contextWindow, system, user - questionPart, questionPart, template, answer),
    contextWindow,
    exact,
    ...(warning ? { warning } : {}),
  };
}

/** The ungrounded prompt, sized the same way so both answers can be given the same room. */
export async function fitUngroundedPrompt(input: UngroundedBudgetInput): Promise<PromptBudget> {
  const { question, contextWindow, maxAnswerTokens } = input;
  checkSizes(contextWindow, maxAnswerTokens);
  const { count, exact, scale } = counter(input.countTokens, input.tokenScale);
  const template = Math.ceil(
    scale * (2 * TEMPLATE_TOKENS_PER_MESSAGE + TEMPLATE_TOKENS_PER_PROMPT),
  );
  const messages = ungroundedMessages(question);
  const system = await count(UNGROUNDED_SYSTEM_PROMPT);
  const user = await count(messages[1]!.content);
  const { answer, warning } = answerRoom(
    system + user + template,
    contextWindow,
    maxAnswerTokens,
    exact,
  );
  return {
    messages,
    included: [],
    dropped: [],
    parts: parts(contextWindow, system, 0, user, template, answer),
    contextWindow,
    exact,
    ...(warning ? { warning } : {}),
  };
}

function checkSizes(contextWindow: number, maxAnswerTokens: number): void {
  if (!Number.isInteger(contextWindow) || contextWindow <= 0) {
    throw new RangeError(
      `The context window must be a positive whole number of tokens, not ${contextWindow}.`,
    );
  }
  if (!Number.isInteger(maxAnswerTokens) || maxAnswerTokens <= 0) {
    throw new RangeError(
      `The answer length must be a positive whole number of tokens, not ${maxAnswerTokens}.`,
    );
  }
}

function counter(
  countTokens?: CountTokens,
  tokenScale = 1,
): {
  count: (text: string) => Promise<number>;
  exact: boolean;
  /** Applied to estimates, including the chat template's tokens. */
  scale: number;
} {
  if (!countTokens) {
    const scale = Number.isFinite(tokenScale) ? Math.max(1, tokenScale) : 1;
    return {
      count: async (text) => Math.ceil(estimateLlmTokens(text) * scale),
      exact: false,
      scale,
    };
  }
  return {
    count: async (text) => {
      const n = await countTokens(text);
      // A broken counter would make every later sum wrong in ways no test of the prompt shows.
      if (!Number.isInteger(n) || n < 0) throw new TypeError(`Token counter returned ${n}.`);
      return n;
    },
    exact: true,
    scale: 1,
  };
}

/** The answer's room: as asked for, or what the prompt without passages leaves, if less. */
function answerRoom(
  bare: number,
  contextWindow: number,
  maxAnswerTokens: number,
  exact: boolean,
): { answer: number; warning?: string } {
  const room = contextWindow - bare;
  const least = Math.min(MIN_ANSWER_TOKENS, maxAnswerTokens);
  if (room < least) throw new PromptTooLongError(bare, contextWindow, least, exact);
  if (room >= maxAnswerTokens) return { answer: maxAnswerTokens };
  return {
    answer: room,
    warning:
      `The answer is limited to ${room} tokens instead of ${maxAnswerTokens}: the question ` +
      `leaves no more room in the model's ${contextWindow}-token context window.`,
  };
}

function parts(
  contextWindow: number,
  system: number,
  passages: number,
  question: number,
  template: number,
  answer: number,
): BudgetParts {
  const free = contextWindow - system - passages - question - template - answer;
  return { system, passages, question, template, answer, free };
}
