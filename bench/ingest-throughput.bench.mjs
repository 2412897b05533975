/**
 * Ingest throughput with the real all-MiniLM-L6-v2 (models/, filled by `npm run models`), on the
 * same chunks — the sample corpus (static/samples) chunked by the app's own chunker with the
 * default settings — on the same machine, in one run:
 *
 * - the app's embedding worker in headless Chromium (WASM): documents added through its `ingest`
 *   (read, chunk, embed, store in IndexedDB), as the Documents panel adds them;
 * - onnxruntime-node on the same ONNX file, token ids from transformers.js's tokenizer, the same
 *   batches, mean pooling by hand (tokenizing and pooling are timed too);
 * - a naive loop calling the transformers.js pipeline once per chunk, in Chromium;
 * - embedding variants in Chromium through the app's `loadTransformersEmbedder`: batch size,
 *   length-sorted batches or document order, onnxruntime-web's thread count, q8 or fp32.
 *
 * Goals: the app's worker ≥ 50 % of onnxruntime-node, and ≥ 2× the naive loop. Each variant runs
 * in a fresh worker, every round in a rotated order, and the table shows medians; vectors are
 * compared with fp32 onnxruntime-node embedding each chunk alone (cosine, worst chunk).
 *
 *   npm run bench -- ingest-throughput
 *   GROUNDED_BENCH_ROUNDS=5 npm run bench -- ingest-throughput     # 3 rounds by default
 *   GROUNDED_BENCH_ONLY=naive,b16,b4s,app,ort-q8 npm run bench -- ingest-throughput
 */
import { AutoTokenizer, env } from '@huggingface/transformers';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { build } from 'vite';
import { chunkDocument, DEFAULT_CHUNKING } from '../src/lib/core/text/chunking.ts';
import { chunkEmbeddingText } from '../src/lib/core/text/embedding-input.ts';
import { withCharacterFloor } from '../src/lib/core/text/token-estimate.ts';
import { readDocument } from '../src/lib/ingest/read-document.ts';
import { startMirror } from '../scripts/serve-mirror.mjs';
import { launchChromium } from '../test/e2e/chromium.mjs';
import { serveIsolated } from './serve-isolated.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODEL = 'Xenova/all-MiniLM-L6-v2';
const modelsDir = join(root, 'models');
const ROUNDS = Number(process.env.GROUNDED_BENCH_ROUNDS ?? 3);
const DIM = 384;
const MAX_TOKENS = 512;

/**
 * @typedef {import('./ingest-throughput/worker').EmbedVariant} EmbedVariant
 * @typedef {{ name: string, columns?: string[], rows: string[][], ok: boolean }} BenchResult
 * @typedef {{ ms: number, vectors?: Float32Array, threads?: number }} Run
 */

/** @type {(EmbedVariant & { key: string, label: string })[]} */
const VARIANTS = [
  {
    key: 'naive',
    label: 'naive: pipeline once per chunk',
    dtype: 'q8',
    threads: 0,
    batch: 1,
    sorted: false,
  },
  {
    key: 'b16',
    label: 'batches of 16, document order',
    dtype: 'q8',
    threads: 0,
    batch: 16,
    sorted: false,
  },
  {
    key: 'b16s',
    label: 'batches of 16, length-sorted',
    dtype: 'q8',
    threads: 0,
    batch: 16,
    sorted: true,
  },
  {
    key: 'b4s',
    label: 'batches of 4, length-sorted',
    dtype: 'q8',
    threads: 0,
    batch: 4,
    sorted: true,
  },
  { key: 'b1-t2', label: 'one chunk a call', dtype: 'q8', threads: 2, batch: 1, sorted: false },
  { key: 'fp32-b1', label: 'one chunk a call', dtype: 'fp32', threads: 0, batch: 1, sorted: false },
];

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
const load = () => loadavg()[0]?.toFixed(1) ?? '?';

/** The sample corpus chunked as the app chunks it: per document, the texts that get embedded. */
async function sampleChunks(
  /** @type {import('@huggingface/transformers').PreTrainedTokenizer} */ tokenizer,
) {
  const samples = join(root, 'static/samples');
  /** @type {{ documents: { file: string }[] }} */
  const manifest = JSON.parse(await readFile(join(samples, 'manifest.json'), 'utf8'));
  const countTokens = withCharacterFloor(
    (text) => tokenizer.encode(text, { add_special_tokens: false }).length,
  );
  const files = manifest.documents.map((d) => d.file);
  /** @type {string[][]} */
  const docs = [];
  for (const file of files) {
    const read = await readDocument(new Blob([await readFile(join(samples, file))]), file);
    const chunks = chunkDocument(
      read.text,
      read.format,
      DEFAULT_CHUNKING,
      countTokens,
      read.pageStarts,
    );
    docs.push(chunks.map(chunkEmbeddingText));
  }
  // What the model reads of each chunk: its tokens with [CLS] and [SEP], at most 512.
  const tokens = docs.map((texts) =>
    texts.map((t) => Math.min(MAX_TOKENS, tokenizer.encode(t).length)),
  );
  return { files, docs, tokens };
}

/**
 * Tokens the model computes over, padding included, for batches of `batch` per document.
 * @param {number[][]} tokens @param {number} batch @param {boolean} sorted
 */
function paddedTokens(tokens, batch, sorted) {
  let total = 0;
  for (const lengths of tokens) {
    const order = sorted ? [...lengths].sort((a, b) => a - b) : lengths;
    for (let from = 0; from < order.length; from += batch) {
      const rows = order.slice(from, from + batch);
      total += rows.length * Math.max(...rows);
    }
  }
  return total;
}

/**
 * onnxruntime-node on the ONNX file itself: transformers.js tokenizes, the pooling is done here.
 * @param {InferenceSession} session @param {import('@huggingface/transformers').PreTrainedTokenizer} tokenizer
 * @param {string[][]} docs @param {number} batch @param {boolean} sorted
 * @returns {Promise<Run>}
 */
async function ortNode(session, tokenizer, docs, batch, sorted) {
  const vectors = new Float32Array(docs.flat().length * DIM);
  const started = performance.now();
  let offset = 0;
  for (const texts of docs) {
    const order = texts.map((_, i) => i);
    if (sorted) order.sort((a, b) => (texts[a] ?? '').length - (texts[b] ?? '').length);
    for (let from = 0; from < order.length; from += batch) {
      const rows = order.slice(from, from + batch);
      const encoded = tokenizer(
        rows.map((i) => texts[i] ?? ''),
        { padding: true, truncation: true, max_length: MAX_TOKENS },
      );
      /** @type {Record<string, Tensor>} */
      const feeds = {};
      /** @type {Record<string, { data: BigInt64Array, dims: number[] }>} */
      const inputs = /** @type {any} */ (encoded);
      for (const name of session.inputNames) {
        const input = inputs[name];
        if (!input) throw new Error(`the tokenizer gave no ${name}`);
        feeds[name] = new Tensor('int64', input.data, input.dims);
      }
      const output = await session.run(feeds);
      const hidden = /** @type {Float32Array} */ (output['last_hidden_state']?.data);
      const mask = inputs['attention_mask']?.data ?? new BigInt64Array();
      const length = inputs['input_ids']?.dims[1] ?? 0;
      rows.forEach((row, b) => {
        const pooled = new Float32Array(DIM);
        let n = 0;
        for (let t = 0; t < length; t++) {
          if (!mask[b * length + t]) continue;
          n++;
          const base = (b * length + t) * DIM;
          for (let d = 0; d < DIM; d++) pooled[d] = (pooled[d] ?? 0) + (hidden[base + d] ?? 0);
        }
        let norm = 0;
        for (let d = 0; d < DIM; d++) norm += ((pooled[d] ?? 0) / n) ** 2;
        const scale = 1 / (n * Math.sqrt(norm));
        for (let d = 0; d < DIM; d++) vectors[(offset + row) * DIM + d] = (pooled[d] ?? 0) * scale;
      });
    }
    offset += texts.length;
  }
  return { ms: performance.now() - started, vectors };
}

/** Cosine of each row with the reference's: worst and mean. @param {Float32Array} a @param {Float32Array} ref */
function agreement(a, ref) {
  let worst = 1;
  let sum = 0;
  const rows = ref.length / DIM;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let d = 0; d < DIM; d++) dot += (a[r * DIM + d] ?? 0) * (ref[r * DIM + d] ?? 0);
    worst = Math.min(worst, dot);
    sum += dot;
  }
  return { worst, mean: sum / rows };
}

/** @returns {Promise<BenchResult[]>} */
export async function run() {
  const missing = ['onnx/model_quantized.onnx', 'onnx/model.onnx', 'tokenizer.json'].filter(
    (f) => !existsSync(join(modelsDir, MODEL, f)),
  );
  if (missing.length > 0) {
    throw new Error(
      `${MODEL} is not in models/ (missing ${missing.join(', ')}): run \`npm run models\` first.`,
    );
  }
  env.localModelPath = `${modelsDir}/`;
  env.allowRemoteModels = false;
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL);
  const { files, docs, tokens } = await sampleChunks(tokenizer);
  const chunkCount = docs.flat().length;
  const tokenCount = tokens.flat().reduce((a, b) => a + b, 0);
  const sessions = {
    q8: await InferenceSession.create(join(modelsDir, MODEL, 'onnx/model_quantized.onnx')),
    fp32: await InferenceSession.create(join(modelsDir, MODEL, 'onnx/model.onnx')),
  };
  // The model's own vectors: full precision, each chunk alone (no padding, no batch neighbours).
  const referenceRun = await ortNode(sessions.fp32, tokenizer, docs, 1, false);
  const reference = /** @type {Float32Array} */ (referenceRun.vectors);

  const tmp = await mkdtemp(join(tmpdir(), 'grounded-ingest-bench-'));
  const mirror = await startMirror({ dir: modelsDir });
  /** @type {import('node:http').Server | undefined} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {Map<string, Run[]>} */
  const runs = new Map();
  const record = (/** @type {string} */ key, /** @type {Run} */ r) =>
    runs.set(key, [...(runs.get(key) ?? []), r]);
  const loads = [load()];
  record('ort-fp32', referenceRun);
  let appChunks = 0;
  try {
    await build({
      root,
      logLevel: 'warn',
      build: {
        outDir: join(tmp, 'build'),
        emptyOutDir: true,
        chunkSizeWarningLimit: 8192,
        rolldownOptions: { input: { bench: join(root, 'bench/ingest-throughput/index.html') } },
      },
    });
    const served = await serveIsolated(join(tmp, 'build'));
    server = served.server;
    const chromiumBrowser = await launchChromium();
    browser = chromiumBrowser;

    /** @type {{ key: string, go: () => Promise<Run> }[]} */
    const jobs = [
      {
        key: 'app',
        go: async () => {
          // A fresh context: an empty IndexedDB, so every document is added again.
          const context = await chromiumBrowser.newContext();
          try {
            const page = await context.newPage();
            await page.goto(`${served.url}bench/ingest-throughput/index.html`);
            await page.waitForFunction(() => document.title === 'ready');
            const r = await page.evaluate(
              (request) => /** @type {any} */ (window).bench.app(request),
              { model: MODEL, mirror: mirror.url, files },
            );
            if (r.added !== files.length)
              throw new Error(`the app added ${r.added} of ${files.length} files`);
            appChunks = r.chunks;
            return { ms: r.ms };
          } finally {
            await context.close();
          }
        },
      },
      ...VARIANTS.map((v) => ({
        key: v.key,
        go: async () => {
          const context = await chromiumBrowser.newContext();
          try {
            const page = await context.newPage();
            await page.goto(`${served.url}bench/ingest-throughput/index.html`);
            await page.waitForFunction(() => document.title === 'ready');
            const { dtype, threads, batch, sorted } = v;
            const r = await page.evaluate(
              (request) => /** @type {any} */ (window).bench.embed(request),
              { model: MODEL, mirror: mirror.url, docs, dtype, threads, batch, sorted },
            );
            if (!r.isolated) throw new Error('the benchmark page is not cross-origin isolated');
            return { ms: r.ms, vectors: Float32Array.from(r.vectors), threads: r.threads };
          } finally {
            await context.close();
          }
        },
      })),
      { key: 'ort-q8', go: () => ortNode(sessions.q8, tokenizer, docs, 1, false) },
      { key: 'ort-q8-b16s', go: () => ortNode(sessions.q8, tokenizer, docs, 16, true) },
    ];
    // GROUNDED_BENCH_ONLY=naive,b16,app,… runs only those rows (ort-fp32, the reference, always).
    const only = process.env.GROUNDED_BENCH_ONLY?.split(',');
    // The summary compares the app with the naive loop and onnxruntime-node: those rows must run.
    if (
      only &&
      !(['app', 'naive'].every((k) => only.includes(k)) && only.some((k) => k.startsWith('ort-q8')))
    ) {
      throw new Error('GROUNDED_BENCH_ONLY must name app, naive and ort-q8 or ort-q8-b16s.');
    }
    if (only) jobs.splice(0, jobs.length, ...jobs.filter((job) => only.includes(job.key)));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated, so a slow moment of the shared machine does not always hit the same variant.
      for (let j = 0; j < jobs.length; j++) {
        const job = jobs[(j + round * 3) % jobs.length];
        if (job) record(job.key, await job.go());
      }
      loads.push(load());
      console.log(`  round ${round + 1} of ${ROUNDS} done (load average ${load()})`);
    }
  } finally {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await mirror.close();
    await rm(tmp, { recursive: true, force: true });
  }

  const ms = (/** @type {string} */ key) => median((runs.get(key) ?? []).map((r) => r.ms));
  const perSecond = (/** @type {string} */ key) => ({
    chunks: chunkCount / (ms(key) / 1000),
    tokens: tokenCount / (ms(key) / 1000),
  });
  const quality = (/** @type {string} */ key) => {
    const vectors = runs.get(key)?.[0]?.vectors;
    if (!vectors) return '';
    const { worst, mean } = agreement(vectors, reference);
    return `${mean.toFixed(4)} / ${worst.toFixed(4)}`;
  };
  const app = perSecond('app');
  // onnxruntime-node's better way of the two.
  const ort = ['ort-q8', 'ort-q8-b16s']
    .filter((key) => runs.has(key))
    .map(perSecond)
    .reduce((a, b) => (a.tokens >= b.tokens ? a : b));
  const naive = perSecond('naive');
  const ofOrt = app.tokens / ort.tokens;
  const ofNaive = app.tokens / naive.tokens;
  /** @param {string} key @param {string} what @param {string} threads @param {string} padded @param {string} note */
  const line = (key, what, threads, padded, note) => {
    const r = perSecond(key);
    return [
      what,
      threads,
      r.chunks.toFixed(1),
      Math.round(r.tokens).toLocaleString('en'),
      padded,
      `${(ms(key) / 1000).toFixed(2)} s`,
      quality(key),
      note,
    ];
  };
  const threadsOf = (/** @type {string} */ key) => String(runs.get(key)?.[0]?.threads ?? '');
  const pad = (/** @type {number} */ batch, /** @type {boolean} */ sorted) =>
    Math.round(paddedTokens(tokens, batch, sorted)).toLocaleString('en');
  const rows = [
    line(
      'app',
      "the app's embedding worker: ingest (read, chunk, embed, store)",
      '',
      '',
      `${ofOrt >= 0.5 ? '✓' : '✗'} ${(ofOrt * 100).toFixed(0)} % of onnxruntime-node (goal ≥ 50 %); ` +
        `${ofNaive >= 2 ? '✓' : '✗'} ${ofNaive.toFixed(1)}× the naive loop (goal ≥ 2×)`,
    ),
    line(
      'ort-q8',
      'onnxruntime-node, q8, one chunk a call',
      'default',
      pad(1, false),
      'tokenizing and pooling included',
    ),
    line(
      'ort-q8-b16s',
      'onnxruntime-node, q8, batches of 16, length-sorted',
      'default',
      pad(16, true),
      '',
    ),
    line(
      'ort-fp32',
      'onnxruntime-node, fp32, one chunk a call',
      'default',
      pad(1, false),
      'once, before the rounds: the reference vectors',
    ),
    ...VARIANTS.map((v) =>
      line(
        v.key,
        `WASM, ${v.dtype}, ${v.label}`,
        threadsOf(v.key),
        pad(v.batch, v.sorted),
        v.key === 'naive' ? 'the baseline of the 2× goal' : '',
      ),
    ),
  ];
  // The rows of the jobs that ran (see GROUNDED_BENCH_ONLY), in the order of `rows`.
  const keys = ['app', 'ort-q8', 'ort-q8-b16s', 'ort-fp32', ...VARIANTS.map((v) => v.key)];
  const shown = rows.filter((_, i) => runs.has(keys[i] ?? ''));
  const chunksNote = appChunks === chunkCount ? '' : ` (the app's worker made ${appChunks})`;
  return [
    {
      name:
        `Ingest throughput, real ${MODEL}: ${files.length} sample documents, ${chunkCount} chunks${chunksNote}, ` +
        `${tokenCount.toLocaleString('en')} tokens; medians of ${ROUNDS} rounds; load average ${loads.join(' → ')}`,
      columns: [
        'path',
        'threads',
        'chunks/s',
        'tokens/s',
        'tokens padded',
        'time',
        'cos to fp32 (mean / worst)',
        'note',
      ],
      rows: shown,
      ok: ofOrt >= 0.5 && ofNaive >= 2 && appChunks === chunkCount,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const result of await run()) {
    console.log(`\n${result.name} ${result.ok ? '✓' : '✗'}`);
    for (const row of result.rows) console.log(`  ${row.join('   ')}`);
  }
}
