/**
 * Time to the first token of a grounded answer in the real app: the built app served as
 * `vite preview` serves it (cross-origin isolated, with its CSP), the sample corpus embedded by
 * the real Xenova/all-MiniLM-L6-v2 (int8, WASM) from a model mirror of models/, a GGUF language
 * model from the same mirror, and questions typed into the Ask box. The numbers are the ones the
 * app shows under the grounded answer: Retrieval and First token (from sending the prompt).
 */
import { startApp as serveApp } from '../../scripts/serve-app.mjs';

const EMBEDDER = 'Xenova/all-MiniLM-L6-v2';

/**
 * "850 ms", "1.2 s", "1 min 5 s" (core/format.ts formatDuration) in milliseconds.
 * @param {string | null} text
 */
function parseDuration(text) {
  const units = { ms: 1, s: 1000, min: 60_000 };
  const parts = [...(text ?? '').matchAll(/([\d.]+)\s*(ms|s|min)\b/g)];
  if (parts.length === 0) throw new Error(`Not a duration: “${text}”`);
  return parts.reduce(
    (sum, [, n, unit]) => sum + Number(n) * units[/** @type {keyof typeof units} */ (unit)],
    0,
  );
}

/**
 * Builds and serves the app and a mirror of `models`; its pages embed with EMBEDDER.
 * @param {{ root: string, models: string }} where the repository and the models folder
 */
export function startApp({ root, models }) {
  return serveApp({ root, models: [models], params: { embedder: EMBEDDER } });
}

/**
 * Opens the app in `page` at `url` (which names a gguf= model), loads the sample documents unless
 * they are stored already, loads the model, then asks each question in turn and waits for both
 * answers. Returns the grounded answer's numbers per question, and the model status line.
 * @param {import('playwright-core').Page} page
 * @param {string} url @param {string[]} questions
 */
export async function askInApp(page, url, questions) {
  await page.goto(url);
  const documents = page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
  await page.waitForTimeout(1500);
  if ((await documents.count()) < 8) {
    await page.getByRole('button', { name: 'Load sample documents' }).click();
    await waitFor(async () => (await documents.count()) === 8, 600_000, 'the 8 sample documents');
  }
  await page.getByRole('button', { name: 'Load model', exact: true }).click();
  const status = page.getByRole('status', { name: 'Language model status' });
  await waitFor(
    async () => / is ready/.test((await status.textContent()) ?? ''),
    600_000,
    'the language model',
  );
  const statusText = ((await status.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const grounded = page.getByRole('region', { name: 'Grounded answer', exact: true });
  const ungrounded = page.getByRole('region', { name: 'Ungrounded answer', exact: true });
  /** @param {import('playwright-core').Locator} pane */
  const stateOf = (pane) => pane.getByTestId('answer-state').textContent();
  const answers = [];
  for (const question of questions) {
    await page.getByLabel('Question', { exact: true }).fill(question);
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    // The pane still shows the previous answer until retrieval is done and the new one starts.
    await waitFor(
      async () => (await stateOf(grounded)) !== 'Done',
      60_000,
      'the question to start',
    );
    await waitFor(
      async () => {
        const state = await stateOf(grounded);
        if (state === 'Failed' || state === 'Stopped')
          throw new Error(`The grounded answer to “${question}”: ${await grounded.textContent()}`);
        return state === 'Done';
      },
      600_000,
      'the grounded answer',
    );
    const numbers = grounded.getByRole('definition');
    const retrievalMs = parseDuration(await numbers.nth(0).textContent());
    const firstTokenMs = parseDuration(await numbers.nth(1).textContent());
    answers.push({ question, retrievalMs, firstTokenMs });
    console.log(`  app: retrieval ${retrievalMs} ms, first token ${firstTokenMs} ms: ${question}`);
    await waitFor(
      async () => (await stateOf(ungrounded)) === 'Done',
      600_000,
      'the ungrounded answer',
    );
  }
  return { status: statusText, answers };
}

/**
 * Polls `check` every 100 ms; throws naming `what` after `timeout` ms.
 * @param {() => Promise<boolean>} check @param {number} timeout @param {string} what
 */
async function waitFor(check, timeout, what) {
  const until = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
