/**
 * Answer streaming: tokens per second of raw wllama vs the same greedy generation through the
 * app's engine, answer state and rendered pane, in one Chromium page (stories260K, WASM).
 * Goal: the app keeps at least 95% of the raw rate.
 *
 *   node bench/answer-streaming.bench.mjs [--rounds 6]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from '../test/e2e/chromium.mjs';
import { serveIsolated } from './serve-isolated.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODEL = join(root, 'test/fixtures/models/grounded-test/stories260K/stories260K.gguf');
/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * @typedef {{ path: 'raw' | 'app', tokens: number, tokensPerSecond: number }} Run
 * @typedef {{ name: string, rows: string[][], ok: boolean }} BenchResult
 */

/** Runs the benchmark; returns rows for the report. @returns {Promise<BenchResult>} */
export async function run({ rounds = 6 } = {}) {
  const outDir = await mkdtemp(join(tmpdir(), 'grounded-bench-'));
  /** @type {import('node:http').Server | undefined} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  try {
    await build({
      root,
      base: './',
      logLevel: 'warn',
      publicDir: false,
      build: {
        outDir,
        emptyOutDir: true,
        chunkSizeWarningLimit: 8192,
        rolldownOptions: { input: join(root, 'bench/answer-streaming/index.html') },
      },
    });
    const served = await serveIsolated(outDir, { '/model.gguf': MODEL });
    server = served.server;
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${served.url}bench/answer-streaming/index.html`);
    await page.waitForFunction(() => document.title === 'ready');
    const samples = join(root, 'static/samples');
    const texts = [
      (await readFile(join(samples, 'employee-handbook.md'), 'utf8')).slice(0, 500),
      (await readFile(join(samples, 'customer-support-faq.txt'), 'utf8')).slice(0, 500),
    ];
    /** @type {{ path: 'raw' | 'state' | 'app', tokens: number, tokensPerSecond: number }[]} */
    const runs = await page.evaluate(
      ({ rounds, texts }) =>
        /** @type {any} */ (window).bench(`${location.origin}/model.gguf`, rounds, texts),
      { rounds, texts },
    );
    const raw = runs.filter((r) => r.path === 'raw');
    const app = runs.filter((r) => r.path === 'app');
    const state = runs.filter((r) => r.path === 'state');
    const stateRate = median(state.map((r) => r.tokensPerSecond));
    const rawRate = median(raw.map((r) => r.tokensPerSecond));
    const appRate = median(app.map((r) => r.tokensPerSecond));
    return {
      name: 'Answer streaming (stories260K, wllama WASM, Chromium)',
      rows: [
        [
          'raw wllama stream',
          `${rawRate.toFixed(0)} tokens/s`,
          `${median(raw.map((r) => r.tokens))} tokens, median of ${raw.length}`,
        ],
        [
          'app without drawing: engine → answer state',
          `${stateRate.toFixed(0)} tokens/s`,
          `${median(state.map((r) => r.tokens))} tokens, median of ${state.length}`,
        ],
        [
          'app: engine → answer state → rendered pane',
          `${appRate.toFixed(0)} tokens/s`,
          `${median(app.map((r) => r.tokens))} tokens, median of ${app.length}`,
        ],
        ['app ÷ raw', `${((appRate / rawRate) * 100).toFixed(1)}%`, 'goal ≥ 95%'],
      ],
      ok: appRate / rawRate >= 0.95,
    };
  } finally {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await rm(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--rounds');
  const result = await run({ rounds: at > 0 ? Number(process.argv[at + 1]) : 8 });
  console.log(`\n${result.name}`);
  for (const row of result.rows)
    console.log(`  ${(row[0] ?? '').padEnd(44)} ${(row[1] ?? '').padStart(14)}   ${row[2]}`);
}
