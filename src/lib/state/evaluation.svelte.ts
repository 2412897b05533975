import { compareRuns, type RunComparison } from '../core/eval/compare-runs';
import {
  parseGeneratedQuestion,
  questionGenerationMessages,
  samplePassages,
} from '../core/eval/generate-questions';
import { importQuestions, QuestionImportError } from '../core/eval/question-import';
import type { EvalQuestion, QuestionSet } from '../core/eval/questions';
import { parseRunJson, RunFileError } from '../core/eval/run-export';
import { runQuestions, type RunProgress } from '../core/eval/run-questions';
import {
  knowledgeBaseStamp,
  type EvalRun,
  type KnowledgeBaseStamp,
  type RunSettings,
} from '../core/eval/run';
import { parseSampleSet } from '../core/eval/sample-set';
import { messageOf } from '../core/text/format';
import type { KnowledgeBase } from '../storage/knowledge-base';
import { RunStorageFullError, type EvalRunSummary } from '../storage/eval-runs';
import type { Alerts } from './alerts.svelte';
import type { Answers } from './answers.svelte';
import { evaluationSteps } from './evaluation-steps';
import type { Ask } from './ask.svelte';
import { generate } from './generate';
import type { Library } from './library.svelte';
import type { Models } from './models.svelte';
import type { Settings } from './settings.svelte';
import type { SupportChecker } from './support-checker';

/** Which question set a run asks. */
export type SetChoice = 'sample' | 'imported' | 'generated';

export const GENERATED_SET_NAME = 'Generated questions';

/** The most questions one generation writes; each takes the model a while. */
export const MAX_GENERATE = 50;

/** Room for a generated question and its answer: two short lines. */
const GENERATION_MAX_TOKENS = 96;

const STORAGE_KEY = 'grounded.evaluation';

export interface EvaluationDeps {
  kb: Promise<KnowledgeBase>;
  library: Library;
  ask: Ask;
  answers: Answers;
  models: Models;
  settings: Settings;
  alerts: Alerts;
  /** The model the knowledge base's vectors are made with. */
  embeddingModel(): string;
  /** Stops a question Ask is answering, so the run has the engine to itself. */
  stopQuestion(): void;
  /** Where the imported and generated sets are kept across reloads. */
  storage: Storage | undefined;
  /** Ask's answer inspector: each answer of a run is checked as Ask checks its answers. */
  checker: SupportChecker | null;
}

/** A generated question the model's reply could not be read into, and why. */
export interface SkippedGeneration {
  source: string;
  reason: string;
}

export interface GenerationProgress {
  done: number;
  total: number;
}

/** What the last run did, for the status line. */
export interface RunOutcomeNote {
  status: 'finished' | 'cancelled' | 'not-kept';
  message: string;
}

/**
 * The Evaluation panel's state: the question sets, a run of one through the app's own retrieval
 * and language model, the kept runs, and two of them compared. A run and Ask never use the engine
 * at once: Ask waits while a run goes, and a run starts only once Ask's answers have stopped.
 */
export class Evaluation {
  choice = $state<SetChoice>('sample');
  sample = $state.raw<QuestionSet | null>(null);
  sampleError = $state<string | null>(null);
  imported = $state.raw<QuestionSet | null>(null);
  /** The last import's problem, naming the file and the line; the set before it stays. */
  importError = $state<string | null>(null);
  generated = $state.raw<QuestionSet>({ name: GENERATED_SET_NAME, questions: [] });
  skipped = $state.raw<SkippedGeneration[]>([]);
  generating = $state.raw<GenerationProgress | null>(null);
  generateCount = $state(10);
  generationError = $state<string | null>(null);

  /** A run is going, or a cancelled one is waiting for the engine to stop. */
  running = $state(false);
  stopping = $state(false);
  progress = $state.raw<RunProgress | null>(null);
  /** The run going now, its results so far. */
  live = $state.raw<EvalRun | null>(null);
  outcome = $state.raw<RunOutcomeNote | null>(null);
  runError = $state<string | null>(null);

  runs = $state.raw<EvalRunSummary[]>([]);
  /** The run whose scoreboard is shown. */
  shown = $state.raw<EvalRun | null>(null);
  comparison = $state.raw<{ before: EvalRun; after: EvalRun; result: RunComparison } | null>(null);
  runFileError = $state<string | null>(null);

  /** A run or a generation has the language model: Ask and the model panel wait. */
  readonly busy: boolean = $derived(this.running || this.generating !== null);

  /** The questions a run would ask now. */
  readonly selected: QuestionSet | null = $derived(
    this.choice === 'sample'
      ? this.sample
      : this.choice === 'imported'
        ? this.imported
        : this.generated.questions.length > 0
          ? this.generated
          : null,
  );

  /** What the knowledge base holds now, as a run starting now would be stamped. */
  readonly knowledgeBase: KnowledgeBaseStamp = $derived.by(() =>
    knowledgeBaseStamp(this.deps.library.documents),
  );

  /** Why Run evaluation cannot start now; null when it can. */
  readonly blocked: string | null = $derived.by(() => {
    const { models, library } = this.deps;
    if (this.running) return null;
    if (this.generating) return 'Questions are being generated.';
    if (!this.selected || this.selected.questions.length === 0) {
      return this.choice === 'imported'
        ? 'Import a question file first.'
        : this.choice === 'generated'
          ? 'Generate questions from your documents first.'
          : 'The sample questions have not loaded.';
    }
    if (library.documents.length === 0) return 'Add documents (or load the samples) first.';
    if (!models.loaded || models.status !== 'ready') {
      return models.status === 'loading'
        ? 'The language model is still loading.'
        : 'Load a language model first (under Language model).';
    }
    return null;
  });

  #abort: AbortController | null = null;
  #generateAbort: AbortController | null = null;

  constructor(private readonly deps: EvaluationDeps) {
    this.#restore();
  }

  /** Reads the sample set and the kept runs. */
  async start(base: string): Promise<void> {
    await Promise.all([this.#loadSample(base), this.refreshRuns()]);
  }

  async #loadSample(base: string): Promise<void> {
    try {
      const response = await fetch(`${base}samples/QUESTIONS.md`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.sample = parseSampleSet(await response.text());
    } catch (error) {
      this.sampleError = `Could not load the sample questions (QUESTIONS.md: ${messageOf(error)}). Reload the page to try again, or import a question file.`;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Question sets

  /** Reads a JSONL or CSV question file; a bad one leaves the set before it as it was. */
  async importFile(file: File): Promise<void> {
    this.importError = null;
    try {
      const set = importQuestions(await file.text(), file.name);
      if (set.questions.length === 0) {
        throw new Error(`“${file.name}” holds no questions. Each line needs at least a question.`);
      }
      this.imported = set;
      this.choice = 'imported';
      this.#save();
    } catch (error) {
      this.importError =
        error instanceof QuestionImportError
          ? error.message
          : `Could not import “${file.name}”: ${messageOf(error)}`;
    }
  }

  /**
   * Has the loaded language model write one question and its answer from each of `count`
   * passages sampled across the documents; they join the generated set for review.
   */
  async generate(count: number): Promise<void> {
    const { models, library, kb } = this.deps;
    const engine = models.engine;
    if (this.generating || this.running || !engine) return;
    const n = Math.max(1, Math.min(MAX_GENERATE, Math.round(count)));
    this.generationError = null;
    this.skipped = [];
    this.deps.stopQuestion();
    const controller = new AbortController();
    this.#generateAbort = controller;
    const picks = samplePassages(library.documents, n, Date.now() % 2 ** 32);
    this.generating = { done: 0, total: picks.length };
    try {
      await this.deps.answers.settled();
      const { documents } = await kb;
      const sampling = { ...$state.snapshot(this.deps.settings.sampling) };
      for (const pick of picks) {
        if (controller.signal.aborted) break;
        const [chunk] = await documents.getChunks([[pick.document.id, pick.ordinal]]);
        if (!chunk) {
          this.#skip(pick.document.name, 'The passage is gone (the document changed meanwhile).');
        } else {
          const replying = generate(
            engine,
            questionGenerationMessages({
              docName: pick.document.name,
              headingPath: chunk.headingPath,
              text: chunk.text,
              ...(chunk.page !== undefined && { page: chunk.page }),
            }),
            { ...sampling, maxTokens: GENERATION_MAX_TOKENS },
            controller.signal,
          );
          const reply = await untilAborted(replying, controller.signal);
          if (!reply) {
            // Stopped at once; the engine finishes on its own time, and Ask waits for it.
            this.deps.answers.occupy(replying);
            break;
          }
          if (reply.error !== undefined) throw reply.error;
          const parsed = parseGeneratedQuestion(reply.text, pick.document.name);
          if (typeof parsed === 'string') this.#skip(pick.document.name, parsed);
          else this.#addGenerated(parsed);
        }
        this.generating = { done: this.generating.done + 1, total: picks.length };
      }
    } catch (error) {
      this.generationError = `Could not generate questions with ${models.loaded?.label ?? 'the language model'}: ${messageOf(error)} The questions written before this are kept.`;
    } finally {
      this.generating = null;
      this.#generateAbort = null;
    }
  }

  cancelGeneration(): void {
    this.#generateAbort?.abort();
  }

  #skip(source: string, reason: string): void {
    this.skipped = [...this.skipped, { source, reason }];
  }

  #addGenerated(question: EvalQuestion): void {
    const questions = this.generated.questions.filter((q) => q.id !== question.id);
    this.generated = { ...this.generated, questions: [...questions, question] };
    this.choice = 'generated';
    this.#save();
  }

  /** Replaces a generated question after review (its id stays, so runs still compare). */
  editGenerated(id: string, changes: Partial<Omit<EvalQuestion, 'id' | 'generated'>>): void {
    this.generated = {
      ...this.generated,
      questions: this.generated.questions.map((q) => (q.id === id ? { ...q, ...changes } : q)),
    };
    this.#save();
  }

  removeGenerated(id: string): void {
    this.generated = {
      ...this.generated,
      questions: this.generated.questions.filter((q) => q.id !== id),
    };
    this.#save();
  }

  clearGenerated(): void {
    this.generated = { name: GENERATED_SET_NAME, questions: [] };
    this.skipped = [];
    this.#save();
  }

  /** Forgets the imported and generated questions and picks the sample set; runs are kept. */
  resetQuestions(): void {
    this.imported = null;
    this.choice = 'sample';
    this.clearGenerated();
  }

  choose(choice: SetChoice): void {
    this.choice = choice;
    this.#save();
  }

  #save(): void {
    try {
      this.deps.storage?.setItem(
        STORAGE_KEY,
        JSON.stringify({ choice: this.choice, imported: this.imported, generated: this.generated }),
      );
    } catch {
      // A full or disabled localStorage only costs the sets after a reload.
    }
  }

  #restore(): void {
    try {
      const raw = this.deps.storage?.getItem(STORAGE_KEY);
      if (!raw) return;
      const saved = JSON.parse(raw) as Partial<{
        choice: SetChoice;
        imported: QuestionSet | null;
        generated: QuestionSet;
      }>;
      if (isSet(saved.imported)) this.imported = saved.imported;
      if (isSet(saved.generated)) this.generated = saved.generated;
      if (saved.choice === 'sample' || saved.choice === 'imported' || saved.choice === 'generated')
        this.choice = saved.choice;
    } catch {
      // Unreadable: start with the sample set.
    }
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /**
   * Asks every question of the chosen set with the current retrieval settings, language model
   * and sampling, both answers each, and keeps the run when it ends or is cancelled.
   */
  async run(): Promise<void> {
    if (this.running || this.blocked) return;
    const { models, settings, library, ask, answers, kb, checker } = this.deps;
    const engine = models.engine!;
    const model = models.loaded!;
    const set: QuestionSet = $state.snapshot(this.selected!);
    this.running = true;
    this.runError = null;
    this.outcome = null;
    this.comparison = null;
    const controller = new AbortController();
    this.#abort = controller;
    let inFlight = (): Promise<unknown> => Promise.resolve();
    try {
      this.deps.stopQuestion();
      await answers.settled();
      const sampling = $state.snapshot(settings.sampling);
      const runSettings: RunSettings = {
        embeddingModel: this.deps.embeddingModel(),
        retrieval: $state.snapshot(settings.retrieval),
        topK: settings.topK,
        reranker: settings.rerank ? settings.rerankModel : null,
        languageModel: model.id,
        sampling,
        chunking: $state.snapshot(library.documents[0]?.chunking ?? settings.chunking),
      };
      this.live = {
        id: `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        startedAt: Date.now(),
        cancelled: false,
        settings: runSettings,
        questionSet: set,
        results: [],
        knowledgeBase: this.knowledgeBase,
      };
      this.shown = null;
      // Settings changed during the run apply to Ask afterwards, not to the run's questions.
      const retrieval = ask.settings();
      const run = evaluationSteps({
        retrieve: (question, current) => ask.retrieve(question, { current, settings: retrieval }),
        engine,
        model,
        sampling,
        onEngineError: (error) => models.crashed(error),
        check: checker
          ? (question, text, passages) => checker.check(question, text, passages)
          : null,
      });
      inFlight = run.inFlight;
      const outcome = await runQuestions(set.questions, run.steps, {
        signal: controller.signal,
        onProgress: (progress) => (this.progress = progress),
        onResult: (result) => {
          if (this.live) this.live = { ...this.live, results: [...this.live.results, result] };
        },
      });
      if (outcome.cancelled) {
        // The answer in flight stops on the signal, which may take the engine a while (llama.cpp
        // finishes reading a prompt first). The run ends now; Ask's next answers wait for it.
        answers.occupy(inFlight());
      }
      const finished: EvalRun = {
        ...this.live,
        results: outcome.results,
        cancelled: outcome.cancelled,
        finishedAt: Date.now(),
      };
      await this.#keep(finished, await kb);
    } catch (error) {
      this.runError = `The evaluation stopped: ${messageOf(error)}`;
      answers.occupy(inFlight());
    } finally {
      this.running = false;
      this.stopping = false;
      this.progress = null;
      this.live = null;
      this.#abort = null;
    }
  }

  /** Stops the run at once; the questions that finished are kept. */
  cancel(): void {
    if (!this.#abort) return;
    this.stopping = true;
    this.#abort.abort();
  }

  async #keep(run: EvalRun, kb: KnowledgeBase): Promise<void> {
    const total = run.questionSet.questions.length;
    const asked = run.results.length;
    if (asked === 0) {
      this.outcome = {
        status: 'not-kept',
        message: 'Cancelled before the first question finished: there is nothing to keep.',
      };
      return;
    }
    this.shown = run;
    try {
      await kb.evalRuns.save(run);
      this.outcome = run.cancelled
        ? {
            status: 'cancelled',
            message: `Cancelled after ${asked} of ${total} questions; ${asked === 1 ? 'the one that finished is' : `the ${asked} that finished are`} kept.`,
          }
        : { status: 'finished', message: `Finished: ${asked} of ${total} questions, kept.` };
      await this.refreshRuns();
    } catch (error) {
      const why =
        error instanceof RunStorageFullError
          ? error.message
          : `Could not keep the run: ${messageOf(error)} Export it as JSON to keep it.`;
      this.outcome = {
        status: run.cancelled ? 'cancelled' : 'finished',
        message: `${run.cancelled ? 'Cancelled' : 'Finished'}: ${asked} of ${total} questions, not kept.`,
      };
      this.deps.alerts.push(why);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Kept runs

  async refreshRuns(): Promise<void> {
    try {
      this.runs = await (await this.deps.kb).evalRuns.list();
    } catch (error) {
      this.deps.alerts.push(`Could not read the kept evaluation runs: ${messageOf(error)}`);
    }
  }

  /** The kept runs were deleted (with the documents): nothing of them is shown any more. */
  async cleared(): Promise<void> {
    this.shown = null;
    this.comparison = null;
    this.outcome = null;
    await this.refreshRuns();
  }

  async show(id: string): Promise<void> {
    const run = await (await this.deps.kb).evalRuns.get(id);
    if (!run) {
      await this.refreshRuns();
      return;
    }
    this.shown = run;
  }

  async deleteRun(id: string): Promise<void> {
    await (await this.deps.kb).evalRuns.delete(id);
    if (this.shown?.id === id) this.shown = null;
    const { comparison } = this;
    if (comparison && (comparison.before.id === id || comparison.after.id === id)) {
      this.comparison = null;
    }
    await this.refreshRuns();
  }

  /** Shows `afterId` against `beforeId`: settings and scores that differ, per question. */
  async compare(beforeId: string, afterId: string): Promise<void> {
    const { evalRuns } = await this.deps.kb;
    const [before, after] = await Promise.all([evalRuns.get(beforeId), evalRuns.get(afterId)]);
    if (!before || !after) {
      this.deps.alerts.push('One of the runs to compare was deleted meanwhile.');
      await this.refreshRuns();
      return;
    }
    this.comparison = { before, after, result: compareRuns(before, after) };
  }

  closeComparison(): void {
    this.comparison = null;
  }

  /** Keeps a run exported as JSON (from this device or another) and shows it. */
  async importRun(file: File): Promise<void> {
    this.runFileError = null;
    try {
      const run = parseRunJson(await file.text(), file.name);
      await (await this.deps.kb).evalRuns.save(run);
      this.shown = run;
      await this.refreshRuns();
    } catch (error) {
      this.runFileError =
        error instanceof RunFileError || error instanceof RunStorageFullError
          ? error.message
          : `Could not import the run “${file.name}”: ${messageOf(error)}`;
    }
  }
}

function isSet(value: unknown): value is QuestionSet {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as QuestionSet).name === 'string' &&
    Array.isArray((value as QuestionSet).questions)
  );
}

/** What `work` gives, or null as soon as `signal` aborts (without waiting for `work`). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
