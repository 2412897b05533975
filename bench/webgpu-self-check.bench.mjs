/**
 * The WebGPU self-check (core/vector-agreement.ts) on the real embedding models, in the built app
 * in headless Chromium with WebGPU on SwiftShader (a software adapter: real code paths, CPU
 * speed, so the times below are no GPU figures):
 *
 * 1. the cosine per check sentence between each model's WebGPU vectors (onnx/model.onnx, fp32)
 *    and WASM vectors (onnx/model_quantized.onnx, int8), as the app measures and remembers them:
 *    what MIN_AGREEMENT_COSINE is calibrated from. Goal: the real models and the tiny test model
 *    agree, tiny-embedder-disagree does not;
 * 2. what the check costs: the page's load until the banner names a backend, with the model in
 *    the browser's cache, with the check (its verdict forgotten) against without (remembered).
 *
 * Needs the real models in models/ (Xenova/all-MiniLM-L6-v2, bge-small-en-v1.5, e5-small-v2).
 *
 *   npm run bench -- self-check
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { makeTestModels } from '../scripts/make-tiny-embedder.mjs';
import { startMirror } from '../scripts/serve-mirror.mjs';
import { launchChromium } from '../test/e2e/chromium.mjs';
import { serveIsolated } from './serve-isolated.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const testModels = join(root, 'test/fixtures/models');
const realModels = join(root, 'models');

/** Model id, and whether its two backends should agree. */
const MODELS = /** @type {const} */ ([
  ['Xenova/all-MiniLM-L6-v2', true],
  ['Xenova/bge-small-en-v1.5', true],
  ['Xenova/e5-small-v2', true],
  ['grounded-test/tiny-embedder', true],
  ['grounded-test/tiny-embedder-disagree', false],
]);
const KEY = 'grounded:webgpu-self-checks';
const BADGE = '[aria-label="Embedding model"] .badge';

/** @typedef {{ name: string, columns?: string[], rows: string[][], ok: boolean }} BenchResult */
/** @typedef {{ modelId: string, device: string, agree: boolean, cosines: (number | null)[] }} SelfCheck */

/**
 * Milliseconds from navigation until the banner names a backend, and that backend.
 * @param {import('playwright-core').Page} page
 */
async function untilLoaded(page) {
  const handle = await page.waitForFunction(
    (selector) => {
      const badge = document.querySelector(selector);
      return badge ? { ms: performance.now(), backend: badge.textContent?.trim() ?? '' } : null;
    },
    BADGE,
    { polling: 20, timeout: 900_000 },
  );
  return /** @type {{ ms: number, backend: string }} */ (await handle.jsonValue());
}

/** @param {import('playwright-core').Page} page @returns {Promise<SelfCheck[]>} */
const verdicts = (page) =>
  page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]'), KEY);

/** @param {(number | null)[]} cosines */
const figures = (cosines) => cosines.map((c) => (c === null ? 'NaN' : c.toFixed(3))).join(' ');

/** @returns {Promise<BenchResult[]>} */
export async function run() {
  await makeTestModels(testModels);
  const tmp = await mkdtemp(join(tmpdir(), 'grounded-bench-'));
  const outDir = join(tmp, 'build');
  /** @type {import('node:http').Server | undefined} */
  let server;
  const mirror = await startMirror({ dir: [testModels, realModels] });
  const browser = await launchChromium('webgpu');
  try {
    await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const served = await serveIsolated(outDir);
    server = served.server;
    const agreement = [];
    const cost = [];
    let ok = true;
    let device = '';
    for (const [modelId, shouldAgree] of MODELS) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const url = new URL(served.url);
      url.searchParams.set('models', mirror.url);
      url.searchParams.set('embedder', modelId);
      url.searchParams.set('backend', 'webgpu');
      await page.goto(url.href);
      // The model loads on first use: a document.
      await page.getByLabel('Add documents').setInputFiles({
        name: 'note.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('The greenhouse heater is serviced every October.'),
      });
      const first = await untilLoaded(page);
      const check = (await verdicts(page)).find((c) => c.modelId === modelId);
      device = check?.device ?? device;
      const agrees = check?.agree === true;
      ok &&= check !== undefined && agrees === shouldAgree;
      agreement.push([
        modelId,
        first.backend,
        check ? figures(check.cosines) : 'no check',
        check ? figures([Math.min(...check.cosines.map((c) => c ?? -Infinity))]) : '',
        check ? (agrees ? 'agree' : 'disagree') : '',
      ]);
      // Cached model: once with the verdict remembered, once with it forgotten (checked again).
      await page
        .getByRole('list', { name: 'Documents' })
        .getByRole('listitem')
        .first()
        .waitFor({ timeout: 600_000 });
      await page.reload();
      const remembered = await untilLoaded(page);
      await page.evaluate((key) => localStorage.removeItem(key), KEY);
      await page.reload();
      const checked = await untilLoaded(page);
      cost.push([
        modelId,
        `${(checked.ms / 1000).toFixed(1)} s`,
        `${(remembered.ms / 1000).toFixed(1)} s`,
        `${(checked.ms / remembered.ms).toFixed(2)}×`,
        `${checked.backend} / ${remembered.backend}`,
      ]);
      await context.close();
    }
    return [
      {
        name: `WebGPU (fp32) against WASM (int8): cosine per check sentence, on ${device}`,
        columns: ['model', 'kept', 'cosines', 'lowest', 'verdict'],
        rows: agreement,
        ok,
      },
      {
        name: 'Loading a cached model until the banner names its backend: with the check, without',
        columns: ['model', 'checked', 'remembered', 'ratio', 'backend'],
        rows: cost,
        ok: true,
      },
    ];
  } finally {
    await browser.close();
    await mirror.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await rm(tmp, { recursive: true, force: true });
  }
}
