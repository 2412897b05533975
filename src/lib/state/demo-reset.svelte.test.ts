import { describe, expect, test } from 'vitest';
import { Alerts } from './alerts.svelte';
import { DemoReset, type ResetApp } from './demo-reset.svelte';

/** The app's parts as a reset sees them, recording each step it takes. */
function fakeApp(options: { clearFails?: boolean; evaluating?: boolean; adding?: boolean } = {}) {
  const steps: string[] = [];
  const pane = (name: string) => ({ reset: () => void steps.push(`${name} pane`) });
  const app = {
    alerts: new Alerts(),
    library: {
      clear: async () => {
        if (options.clearFails) throw new Error('The database is closed.');
        steps.push('documents');
      },
    },
    ingest: { running: options.adding ?? false, clearFinished: () => void steps.push('jobs') },
    reembedding: null,
    evaluation: {
      running: options.evaluating ?? false,
      cancelGeneration: () => void steps.push('generation stopped'),
      resetQuestions: () => void steps.push('evaluation questions'),
    },
    settings: { reset: () => void steps.push('settings') },
    ask: { clear: () => void steps.push('question') },
    answers: { stop: () => {}, grounded: pane('grounded'), ungrounded: pane('ungrounded') },
    stopQuestion: () => void steps.push('question stopped'),
    loadSamples: async () => void steps.push('samples'),
  };
  return { app: app as unknown as ResetApp, steps };
}

const guide = (steps: string[]) => ({ startOver: () => void steps.push('guide') });

describe('DemoReset', () => {
  test('deletes the documents, clears the rest, resets the settings, then loads the samples', async () => {
    const { app, steps } = fakeApp();
    const reset = new DemoReset(app, guide(steps));
    expect(await reset.reset()).toBe(true);
    expect(steps).toEqual([
      'question stopped',
      'generation stopped',
      'documents',
      'jobs',
      'question',
      'grounded pane',
      'ungrounded pane',
      'evaluation questions',
      'guide',
      'settings',
      'samples',
    ]);
    expect(reset.resetting).toBe(false);
    expect(app.alerts.items).toEqual([]);
  });

  test('changes nothing else when the documents cannot be deleted, and says so', async () => {
    const { app, steps } = fakeApp({ clearFails: true });
    expect(await new DemoReset(app, guide(steps)).reset()).toBe(false);
    expect(steps).toEqual(['question stopped', 'generation stopped']);
    expect(app.alerts.items.map((a) => a.message)).toEqual([
      'Could not reset the demo: the documents could not be deleted (The database is closed.), so nothing was changed. Reload the page and try again.',
    ]);
  });

  test('refuses while an evaluation runs or documents are being added, as Delete everything does', async () => {
    for (const busy of [{ evaluating: true }, { adding: true }]) {
      const { app, steps } = fakeApp(busy);
      expect(await new DemoReset(app, guide(steps)).reset()).toBe(false);
      expect(steps).toEqual([]);
      expect(app.alerts.items[0]!.message).toMatch(
        /^Nothing was reset: .* then press Reset the demo again\.$/,
      );
    }
  });
});
