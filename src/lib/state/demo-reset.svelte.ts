import { messageOf } from '../core/text/format';
import type { Alerts } from './alerts.svelte';
import type { Answers } from './answers.svelte';
import type { Ask } from './ask.svelte';
import { busyProblem } from './busy';
import type { Evaluation } from './evaluation.svelte';
import type { Library } from './library.svelte';
import type { Settings } from './settings.svelte';

/** The parts of the app (state/app.svelte.ts) a reset goes through. */
export interface ResetApp {
  readonly library: Pick<Library, 'clear'>;
  readonly ingest: { readonly running: boolean; clearFinished(): void };
  readonly reembedding: unknown;
  readonly evaluation: Pick<Evaluation, 'running' | 'cancelGeneration' | 'resetQuestions'>;
  readonly settings: Pick<Settings, 'reset'>;
  readonly ask: Pick<Ask, 'clear'>;
  readonly answers: Pick<Answers, 'stop' | 'grounded' | 'ungrounded'>;
  readonly alerts: Alerts;
  stopQuestion(): void;
  /** Adds the bundled sample corpus, as Load sample documents does; reports its own failures. */
  loadSamples(): Promise<void>;
}

/**
 * "Reset the demo": Grounded as a new visitor finds it, with the sample documents loaded, for
 * the next group of a workshop. The documents, the questions, the guide's answers and the
 * settings go; downloaded models (and the loaded one), kept evaluation runs and the presenter's
 * larger text stay.
 */
export class DemoReset {
  resetting = $state(false);
  readonly #app: ResetApp;
  readonly #guide: { startOver(): void };

  constructor(app: ResetApp, guide: { startOver(): void }) {
    this.#app = app;
    this.#guide = guide;
  }

  /**
   * Resolves false, having changed nothing, when something is busy or the documents could not be
   * deleted (both said in an alert); the samples' own failures are reported as Load sample
   * documents reports them.
   */
  async reset(): Promise<boolean> {
    const app = this.#app;
    const busy = busyProblem(app, 'Reset the demo', 'Nothing was reset');
    if (busy) {
      app.alerts.push(busy);
      return false;
    }
    this.resetting = true;
    try {
      app.stopQuestion();
      app.evaluation.cancelGeneration();
      try {
        // The one step that can fail on the way: the documents go in one transaction, or stay.
        await app.library.clear();
      } catch (error) {
        app.alerts.push(
          `Could not reset the demo: the documents could not be deleted (${messageOf(error)}), ` +
            'so nothing was changed. Reload the page and try again.',
        );
        return false;
      }
      app.ingest.clearFinished();
      app.ask.clear();
      app.answers.stop();
      app.answers.grounded.reset('idle');
      app.answers.ungrounded.reset('idle');
      app.evaluation.resetQuestions();
      this.#guide.startOver();
      app.settings.reset();
      await app.loadSamples();
      return true;
    } finally {
      this.resetting = false;
    }
  }
}
