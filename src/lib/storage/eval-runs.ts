import {
  knowledgeBaseStamp,
  runLabel,
  type EvalRun,
  type KnowledgeBaseStamp,
  type RunSettings,
} from '../core/eval/run';
import { SCORING_METHOD, scoreRun, type ScoreSummary } from '../core/eval/scoring';
import type { GroundedDB } from './db';
import { EVAL_RUN_STORES } from './schema';
import { StorageFullError, writeAllOrNothing } from './storage-full';

/** How a kept run ended: every question asked, or cancelled part way (what finished is kept). */
export type RunStatus = 'finished' | 'cancelled';

/** What a picker of runs shows about one, without its passages and answers. */
export interface EvalRunSummary {
  id: string;
  /** The question set's name: "Sample questions", an imported file's name, … */
  name: string;
  startedAt: number;
  finishedAt: number;
  status: RunStatus;
  /** Questions in the set; `scores.questions` counts those asked (fewer when cancelled). */
  questionCount: number;
  settings: RunSettings;
  knowledgeBase: KnowledgeBaseStamp;
  /** scoring.ts's SCORING_METHOD when `scores` were computed; list() rescores when it differs. */
  scoredWith: string;
  scores: ScoreSummary;
}

/**
 * The run's summary, scored now. Throws (from scoreRun) when a result names a question the set
 * does not hold: such a run was built wrongly and is not kept.
 */
export function summarizeRun(run: EvalRun): EvalRunSummary {
  if (run.finishedAt === undefined) {
    throw new Error(
      `Evaluation run ${run.id} is still running: keep it once it has finished or been cancelled.`,
    );
  }
  return {
    id: run.id,
    name: run.questionSet.name,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    status: run.cancelled ? 'cancelled' : 'finished',
    questionCount: run.questionSet.questions.length,
    settings: run.settings,
    knowledgeBase: run.knowledgeBase,
    scoredWith: SCORING_METHOD,
    scores: scoreRun(run).summary,
  };
}

/** A full disk refused a run: nothing of it was kept, and the runs kept before are unchanged. */
export class RunStorageFullError extends StorageFullError {
  override name = 'RunStorageFullError';
  constructor(run: EvalRun, options?: ErrorOptions) {
    super(runLabel(run), options);
    this.message =
      `There is no room left in this browser's storage for the evaluation run ${runLabel(run)}, ` +
      'so it was not kept; the runs kept before are unchanged. Export it as JSON to keep it, or ' +
      'free space under Storage (old runs, downloaded models) and save it again.';
  }
}

/**
 * Evaluation runs kept in the database: each whole in `evalRuns` and summarized in
 * `evalRunSummaries`, both written and deleted in one transaction, so a listed run can always be
 * opened. Only finished or cancelled runs are kept: a run is saved once, when it ends (saving it
 * again replaces it, as does saving an imported run with the same id).
 */
export class EvalRuns {
  constructor(private readonly db: GroundedDB) {}

  /**
   * Keeps `run` and returns its summary. Refuses a run still in progress (no `finishedAt`) or
   * one whose results do not match its questions; a full disk becomes a RunStorageFullError
   * naming the run. Either way nothing is written.
   */
  async save(run: EvalRun): Promise<EvalRunSummary> {
    const summary = summarizeRun(run);
    await writeAllOrNothing(
      this.db.transaction(EVAL_RUN_STORES, 'readwrite'),
      (tx, writes) => {
        writes.push(tx.objectStore('evalRuns').put(run));
        writes.push(tx.objectStore('evalRunSummaries').put(summary));
      },
      (cause) => new RunStorageFullError(run, { cause }),
    );
    return summary;
  }

  /**
   * Every kept run's summary, newest first, read without the runs themselves — except that a
   * summary scored by an older scorer is rescored from its run and stored again.
   */
  async list(): Promise<EvalRunSummary[]> {
    const summaries = await this.db.getAll('evalRunSummaries');
    const fresh = await Promise.all(
      summaries.map((summary) =>
        summary.scoredWith === SCORING_METHOD ? summary : this.#rescore(summary),
      ),
    );
    return fresh.sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id));
  }

  async #rescore(stale: EvalRunSummary): Promise<EvalRunSummary> {
    const run = await this.db.get('evalRuns', stale.id);
    // Deleted meanwhile (another tab): its summary is going too.
    if (!run) return stale;
    const summary = summarizeRun(run);
    // Only a cache: if it cannot be written, the next list() rescores again.
    await this.db.put('evalRunSummaries', summary).catch(() => {});
    return summary;
  }

  get(id: string): Promise<EvalRun | undefined> {
    return this.db.get('evalRuns', id);
  }

  /** Forgets a run; returns whether it was kept. */
  async delete(id: string): Promise<boolean> {
    const tx = this.db.transaction(EVAL_RUN_STORES, 'readwrite');
    const existed = (await tx.objectStore('evalRuns').getKey(id)) !== undefined;
    await Promise.all([
      tx.objectStore('evalRuns').delete(id),
      tx.objectStore('evalRunSummaries').delete(id),
      tx.done,
    ]);
    return existed;
  }

  /** Forgets every run. */
  async clear(): Promise<void> {
    const tx = this.db.transaction(EVAL_RUN_STORES, 'readwrite');
    await Promise.all([...EVAL_RUN_STORES.map((name) => tx.objectStore(name).clear()), tx.done]);
  }

  /**
   * What the knowledge base holds now, stamped as a run starting now would be: compare a kept
   * run's stamp with it (knowledgeBaseChanged) to tell whether the knowledge base changed since.
   */
  async currentKnowledgeBase(): Promise<KnowledgeBaseStamp> {
    return knowledgeBaseStamp(await this.db.getAll('documents'));
  }
}
