/**
 * Retrieval quality of the app's own search code on a BEIR-format dataset, in Node.
 *
 *   npm run eval:retrieval -- --data DIR [--mode bm25,dense,hybrid] [--fusion rrf,weighted]
 *       [--model ID] [--models URL] [--cache DIR] [--queries all|odd|even] [--tune]
 *       [--rrf-k 60] [--dense-weight 0.5] [--k1 1.2] [--b 0.75]
 *
 * DIR holds corpus.jsonl, queries.jsonl (either may be gzipped: .jsonl.gz) and qrels/test.tsv or
 * qrels-test.tsv. Prints a Markdown table on stdout, one row per mode (and fusion, for hybrid):
 * nDCG@10, Recall@100, MRR@10 and queries per second; what it is doing goes to stderr.
 *
 * Dense and hybrid embed with transformers.js on onnxruntime-node's bundled CPU binary, int8
 * weights (onnx/model_quantized.onnx, what the app uses on WASM), from the Hugging Face hub or a
 * --models mirror (scripts/serve-mirror.mjs), with the catalogue's query and passage prefixes.
 * --cache DIR keeps each model's corpus vectors there (keyed by model and corpus text), so
 * later runs embed only the queries.
 *
 * --queries odd|even keeps the queries whose numeric id is odd or even. --tune picks the RRF k and
 * the dense weight by nDCG@10 on the even queries and reports them on the odd ones, beside the
 * untuned defaults on the odd queries and on all of them.
 */
import { messageOf } from '../src/lib/core/text/format';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { env } from '@huggingface/transformers';
import { parseCorpus, parseQrels, parseQueries, type BeirQuery } from '../src/lib/core/eval/beir';
import {
  DEFAULT_DENSE_WEIGHT,
  DEFAULT_RRF_K,
  type FusionOptions,
} from '../src/lib/core/retrieval/fusion';
import {
  corpusPassageTexts,
  prepareEval,
  runEval,
  type EvalEmbedder,
  type EvalReport,
  type PreparedEval,
} from '../src/lib/core/eval/retrieval-eval';
import type { RetrievalMode } from '../src/lib/core/retrieval/retrieval';
import { embedByLength } from '../src/lib/core/text/embedding-input';
import {
  DEFAULT_EMBEDDING_MODEL,
  embeddingModelSpec,
  isValidModelId,
} from '../src/lib/core/models/embedding-catalogue';
import { loadTransformersEmbedder } from '../src/lib/engines/embedding/transformers-embedder';

const USAGE =
  'Usage: npm run eval:retrieval -- --data DIR [--mode bm25,dense,hybrid] [--fusion rrf,weighted]\n' +
  '  [--model ID] [--models URL] [--cache DIR] [--queries all|odd|even] [--tune]\n' +
  '  [--rrf-k 60] [--dense-weight 0.5] [--k1 1.2] [--b 0.75]';
/** The loader's dtype on CPU (transformers-embedder.ts). */
const DTYPE = 'int8';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function readData(dir: string, names: string[]): string {
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path)) return readFileSync(path, 'utf8');
    if (existsSync(`${path}.gz`)) return gunzipSync(readFileSync(`${path}.gz`)).toString('utf8');
  }
  fail(`${dir} has no ${names.join(' or ')} (nor .gz).`);
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`--${name} must be a number, not “${value}”.`);
  return n;
}

function list<T extends string>(value: string, name: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim());
  const wrong = items.find((item) => !allowed.includes(item as T));
  if (wrong !== undefined) fail(`--${name} takes ${allowed.join(', ')}, not “${wrong}”.`);
  return items as T[];
}

/** Which half a query falls in: its id's parity when numeric (BEIR's usually are), else a hash. */
function isOdd(query: BeirQuery): boolean {
  if (/^\d+$/.test(query.id)) return Number(query.id.slice(-1)) % 2 === 1;
  return createHash('sha256').update(query.id).digest()[0]! % 2 === 1;
}

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    mode: { type: 'string', default: 'bm25' },
    model: { type: 'string' },
    models: { type: 'string' },
    cache: { type: 'string' },
    queries: { type: 'string', default: 'all' },
    tune: { type: 'boolean', default: false },
    fusion: { type: 'string', default: 'rrf' },
    'rrf-k': { type: 'string' },
    'dense-weight': { type: 'string' },
    k1: { type: 'string' },
    b: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.data) fail('--data is required.');
const modeNames = list(values.mode, 'mode', ['bm25', 'keyword', 'dense', 'hybrid'] as const);
const modes = [...new Set(modeNames.map((m): RetrievalMode => (m === 'bm25' ? 'keyword' : m)))];
if (values.tune && !modes.includes('hybrid')) modes.push('hybrid');
const fusions = list(values.fusion, 'fusion', ['rrf', 'weighted'] as const);
const rrfK = number(values['rrf-k'], 'rrf-k') ?? DEFAULT_RRF_K;
const denseWeight = number(values['dense-weight'], 'dense-weight') ?? DEFAULT_DENSE_WEIGHT;
const [querySet] = list(values.queries, 'queries', ['all', 'odd', 'even'] as const);
const bm25 = {
  ...(values.k1 !== undefined && { k1: number(values.k1, 'k1') }),
  ...(values.b !== undefined && { b: number(values.b, 'b') }),
};

const started = performance.now();
const data = {
  corpus: parseCorpus(readData(values.data, ['corpus.jsonl'])),
  queries: parseQueries(readData(values.data, ['queries.jsonl'])),
  qrels: parseQrels(readData(values.data, ['qrels/test.tsv', 'qrels-test.tsv'])),
};
console.error(
  `${values.data}: ${data.corpus.length} documents, ${data.queries.length} queries, ` +
    `${data.qrels.size} judged (read in ${(performance.now() - started).toFixed(0)} ms)`,
);

const needsDense = modes.some((m) => m !== 'keyword');
const modelId = values.model ?? DEFAULT_EMBEDDING_MODEL;
let embedder: EvalEmbedder | undefined;
let corpusVectors: Float32Array | undefined;
let embedSeconds: number | undefined;
let dispose = async () => {};
if (needsDense) {
  if (!isValidModelId(modelId)) fail(`--model must be a repository id like owner/name.`);
  const spec = embeddingModelSpec(modelId);
  // onnxruntime-node opens the model from a file: transformers.js keeps downloads in this cache,
  // outside the repository (by default it writes beside its own code in node_modules).
  env.cacheDir = join(homedir(), '.cache', 'grounded', 'transformers');
  console.error(`Loading ${modelId} from ${values.models ?? 'the Hugging Face hub'} (CPU)…`);
  const loaded = await loadTransformersEmbedder({
    model: spec,
    backend: 'cpu',
    remoteHost: values.models,
  }).catch((error: unknown) => fail(messageOf(error)));
  embedder = {
    // As the app embeds chunks and questions (workers/embed/handler.ts).
    embedPassages: (texts) => loaded.embed(texts.map((text) => spec.passagePrefix + text)),
    embedQueries: (texts) => loaded.embed(texts.map((text) => spec.queryPrefix + text)),
  };
  dispose = () => loaded.dispose();
  console.error(`${modelId}: ${loaded.dimension} dimensions, up to ${loaded.maxTokens} tokens.`);

  const texts = corpusPassageTexts(data.corpus);
  const key = createHash('sha256')
    .update(JSON.stringify([modelId, DTYPE, spec.passagePrefix, texts]))
    .digest('hex')
    .slice(0, 16);
  const cacheFile = values.cache && join(values.cache, `${modelId.replace('/', '--')}-${key}.f32`);
  if (cacheFile && existsSync(cacheFile)) {
    const bytes = readFileSync(cacheFile);
    corpusVectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    console.error(`Corpus vectors read from ${cacheFile}.`);
  } else {
    let lastReport = 0;
    const embedStarted = performance.now();
    corpusVectors = await embedByLength(texts, embedder.embedPassages, {
      batchSize: 32,
      longestFirst: true,
      onBatch: (done, total) => {
        if (done === 0 || (performance.now() - lastReport < 5000 && done < total)) return;
        lastReport = performance.now();
        console.error(`  embedding ${done}/${total}`);
      },
    });
    embedSeconds = (performance.now() - embedStarted) / 1000;
    console.error(
      `Corpus embedded in ${embedSeconds.toFixed(0)} s ` +
        `(${(data.corpus.length / embedSeconds).toFixed(1)} documents/s).`,
    );
    if (cacheFile) {
      mkdirSync(values.cache!, { recursive: true });
      writeFileSync(cacheFile, new Uint8Array(corpusVectors.buffer, 0, corpusVectors.byteLength));
      console.error(`Corpus vectors saved in ${cacheFile}.`);
    }
  }
}

const prepared = await prepareEval(data, {
  embedder,
  corpusVectors,
  keyword: modes.some((m) => m !== 'dense'),
  bm25,
});
await dispose();
if (prepared.keywordIndexMs > 0) {
  console.error(`Keyword index built in ${prepared.keywordIndexMs.toFixed(0)} ms.`);
}

const halves = {
  all: () => true,
  odd: isOdd,
  even: (q: BeirQuery) => !isOdd(q),
};
const fusionLabel = (fusion: FusionOptions) =>
  fusion.method === 'rrf' ? `RRF k = ${fusion.k}` : `weighted, dense ${fusion.denseWeight}`;
const label = (mode: RetrievalMode, fusion?: FusionOptions) =>
  mode === 'keyword' ? 'bm25' : mode === 'dense' ? 'dense' : `hybrid, ${fusionLabel(fusion!)}`;

console.log(
  needsDense
    ? `${modelId} (${DTYPE}), ${data.corpus.length} documents` +
        (embedSeconds ? `, embedded in ${embedSeconds.toFixed(0)} s` : '')
    : `${data.corpus.length} documents`,
);
console.log('');
console.log('| run | queries | nDCG@10 | Recall@100 | MRR@10 | queries/s (search alone) |');
console.log('| --- | --- | --- | --- | --- | --- |');
const row = (name: string, report: EvalReport) =>
  console.log(
    `| ${name} | ${report.queries} | ${report.ndcgAt10.toFixed(4)} | ` +
      `${report.recallAt100.toFixed(4)} | ${report.mrrAt10.toFixed(4)} | ` +
      `${report.queriesPerSecond.toFixed(0)} (${report.searchesPerSecond.toFixed(0)}) |`,
  );

const defaults: FusionOptions[] = fusions.map((method) =>
  method === 'rrf' ? { method, k: rrfK } : { method, denseWeight },
);
for (const mode of modes) {
  for (const fusion of mode === 'hybrid' ? defaults : [undefined]) {
    const report = runEval(prepared, { mode, fusion, include: halves[querySet!] });
    row(`${label(mode, fusion)}${querySet === 'all' ? '' : ` (${querySet} ids)`}`, report);
  }
}

if (values.tune) tune(prepared);

/** Grid search on the even ids, then the best setting and the defaults on the odd ids. */
function tune(prepared: PreparedEval) {
  const grids: FusionOptions[][] = [
    [1, 2, 5, 10, 20, 30, 40, 60, 80, 100, 150, 200].map((k) => ({ method: 'rrf', k })),
    Array.from({ length: 19 }, (_, i) => ({
      method: 'weighted',
      denseWeight: Math.round((i + 1) * 5) / 100,
    })),
  ];
  for (const grid of grids) {
    const scored = grid.map((fusion) => ({
      fusion,
      ndcg: runEval(prepared, { mode: 'hybrid', fusion, include: halves.even }).ndcgAt10,
    }));
    console.error(
      `Tuning on the even ids: ` +
        scored.map((s) => `${fusionLabel(s.fusion)}: ${s.ndcg.toFixed(4)}`).join('; '),
    );
    const best = scored.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
    const untuned: FusionOptions =
      grid[0]!.method === 'rrf' ? { method: 'rrf', k: rrfK } : { method: 'weighted', denseWeight };
    row(
      `hybrid, ${fusionLabel(untuned)}, untuned (odd ids)`,
      runEval(prepared, { mode: 'hybrid', fusion: untuned, include: halves.odd }),
    );
    row(
      `hybrid, ${fusionLabel(best.fusion)}, tuned on even ids (odd ids)`,
      runEval(prepared, { mode: 'hybrid', fusion: best.fusion, include: halves.odd }),
    );
    row(
      `hybrid, ${fusionLabel(best.fusion)}, tuned on even ids (all ids)`,
      runEval(prepared, { mode: 'hybrid', fusion: best.fusion }),
    );
  }
}
