import {
  NOT_STARTED,
  TOUR_STEPS,
  goTo,
  isDone,
  leaveTour,
  observe,
  parseProgress,
  startTour,
  type TourProgress,
  type TourSnapshot,
  type TourStep,
} from '../core/tour/steps';
import type { GroundedApp } from './app.svelte';
import type { Guide } from './guide.svelte';

const STORAGE_KEY = 'grounded:tour';

/** What only the page shows (an opened citation, the prompt view): the tour panel watches it. */
export interface PageFacts {
  sourceShown: boolean;
  promptOpen: boolean;
}

export type AppFacts = Omit<TourSnapshot, keyof PageFacts>;

export interface TourDeps {
  /** Where the progress is kept over a reload; none in tests or without localStorage. */
  storage: Storage | undefined;
  /** `?tour=1` starts the tour (or shows it, when it is going). */
  url: URL;
  /** The app now, except what only the page shows. */
  read(): AppFacts;
  /** Puts a question in the Question box, for the person to ask. */
  setQuestion(text: string): void;
}

/**
 * The guided tour: which step is shown, which are done, and the app as each step began. A step
 * is seen done by watching the app's state (`watch`), never by a timer; it stays done.
 */
export class Tour {
  progress = $state.raw<TourProgress>(NOT_STARTED);
  /** The panel is folded to a bar; the tour goes on. */
  collapsed = $state(false);
  page = $state.raw<PageFacts>({ sourceShown: false, promptOpen: false });
  readonly snapshot: TourSnapshot = $derived.by(() => ({ ...this.#deps.read(), ...this.page }));
  readonly step: TourStep = $derived(TOUR_STEPS[this.progress.step]!);
  readonly stepDone: boolean = $derived(isDone(this.progress, this.step.id));
  readonly count = TOUR_STEPS.length;
  /** The app when the shown step began, and which step that was. */
  #start: { step: number; snapshot: TourSnapshot } | null = null;
  #deps: TourDeps;

  constructor(deps: TourDeps) {
    this.#deps = deps;
    try {
      const raw = deps.storage?.getItem(STORAGE_KEY);
      if (raw) this.progress = parseProgress(JSON.parse(raw));
    } catch {
      // Unreadable: not started.
    }
    if (deps.url.searchParams.get('tour') === '1') {
      // A shared link starts the tour; reloading it mid-way resumes instead.
      if (!this.progress.active) this.progress = startTour();
      this.collapsed = false;
      this.#save();
    }
  }

  /** Marks the shown step done whenever the app says its action is; returns the stop function. */
  watch(): () => void {
    return $effect.root(() => {
      $effect(() => this.check());
    });
  }

  /** Marks the shown step done if the app now says its action is. */
  check(): void {
    const now = this.snapshot;
    const progress = this.progress;
    if (!progress.active || !now.ready) return;
    // The step's starting point: the first ready snapshot since it was shown (after a reload
    // too: nothing of the app's answers survives one).
    if (this.#start?.step !== progress.step) {
      this.#start = { step: progress.step, snapshot: now };
    }
    const next = observe(progress, this.#start.snapshot, now);
    if (next !== progress) this.#set(next);
  }

  start(): void {
    this.collapsed = false;
    this.#set(startTour());
  }

  leave(): void {
    this.#set(leaveTour(this.progress));
  }

  next(): void {
    this.#set(goTo(this.progress, this.progress.step + 1));
  }

  goTo(index: number): void {
    this.#set(goTo(this.progress, index));
  }

  back(): void {
    this.#set(goTo(this.progress, this.progress.step - 1));
  }

  /** Puts the shown step's question in the Question box. */
  useQuestion(): void {
    if (this.step.question) this.#deps.setQuestion(this.step.question);
  }

  /** What came out of the shown step's action, once it is done. */
  get outcome(): string | null {
    return this.stepDone ? (this.step.outcome?.(this.snapshot) ?? null) : null;
  }

  #set(progress: TourProgress): void {
    if (progress.step !== this.progress.step || !progress.active) this.#start = null;
    this.progress = progress;
    this.#save();
  }

  #save(): void {
    try {
      this.#deps.storage?.setItem(STORAGE_KEY, JSON.stringify(this.progress));
    } catch {
      // Private browsing or a full quota: the tour then lasts for this visit only.
    }
  }
}

/**
 * The app's facts for the tour. Runs are told apart by the objects a new run makes: the answers
 * to every question get a new prompt (none until it is built, so the last question's finished
 * answers are never taken for the next one's), and every evaluation run ends with a new outcome.
 */
export function appFacts(app: GroundedApp, guide: Guide): () => AppFacts {
  const ids = new WeakMap<object, number>();
  let last = 0;
  const idOf = (o: object) => {
    let id = ids.get(o);
    if (id === undefined) ids.set(o, (id = ++last));
    return id;
  };
  // A finished run's outcome counts once, whenever it is read.
  const finished = new WeakSet<object>();
  let evaluations = 0;
  return () => {
    const { library, ingest, models, answers, evaluation } = app;
    const outcome = evaluation.outcome;
    if (outcome?.status === 'finished' && !finished.has(outcome)) {
      finished.add(outcome);
      evaluations++;
    }
    const prompt = answers.grounded.budget;
    return {
      ready: library.loaded,
      documents: library.documents.map(({ id, name }) => ({ id, name })),
      adding: ingest.running || app.loadingSamples,
      modelReady: models.status === 'ready' && models.loaded !== null,
      answers: prompt
        ? {
            run: idOf(prompt),
            finished: answers.grounded.status === 'done' && answers.ungrounded.status === 'done',
            declined: answers.grounded.declined,
          }
        : null,
      evaluationsFinished: evaluations,
      guideAnswered: guide.recommendation.verdict !== null,
    };
  };
}
