/**
 * Retrieval quality of the app's own search code on a BEIR-format dataset, in Node.
 *
 *   npm run eval:retrieval -- --data DIR --mode bm25|dense|hybrid [--model ID] [--models URL]
 *       [--fusion rrf|weighted] [--rrf-k 60] [--dense-weight 0.5] [--k1 1.2] [--b 0.75]
 *
 * DIR holds corpus.jsonl, queries.jsonl (either may be gzipped: .jsonl.gz) and qrels/test.tsv or
 * qrels-test.tsv. Prints nDCG@10, Recall@100 and MRR@10 one per line, then queries per second,
 * on stdout; what it is doing goes to stderr. Dense and hybrid embed with transformers.js on
 * onnxruntime-node's bundled CPU binary, from the Hugging Face hub or a --models mirror (see
 * scripts/serve-mirror.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parseCorpus, parseQrels, parseQueries } from '../src/lib/core/beir';
import type { FusionOptions } from '../src/lib/core/fusion';
import { evaluateRetrieval, type EvalEmbedder } from '../src/lib/core/retrieval-eval';
import type { RetrievalMode } from '../src/lib/core/retrieval';
import {
  DEFAULT_EMBEDDING_MODEL,
  embeddingModelSpec,
  isValidModelId,
} from '../src/lib/engines/embedding/catalogue';
import { loadTransformersEmbedder } from '../src/lib/engines/embedding/transformers-embedder';

const USAGE =
  'Usage: npm run eval:retrieval -- --data DIR --mode bm25|dense|hybrid [--model ID] [--models URL]\n' +
  '  [--fusion rrf|weighted] [--rrf-k 60] [--dense-weight 0.5] [--k1 1.2] [--b 0.75]';

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

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    mode: { type: 'string', default: 'bm25' },
    model: { type: 'string' },
    models: { type: 'string' },
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
const modes: Record<string, RetrievalMode> = {
  bm25: 'keyword',
  keyword: 'keyword',
  dense: 'dense',
  hybrid: 'hybrid',
};
const mode = modes[values.mode];
if (!mode) fail(`--mode must be bm25, dense or hybrid, not “${values.mode}”.`);
if (values.fusion !== 'rrf' && values.fusion !== 'weighted') {
  fail(`--fusion must be rrf or weighted, not “${values.fusion}”.`);
}
const fusion: FusionOptions =
  values.fusion === 'rrf'
    ? { method: 'rrf', k: number(values['rrf-k'], 'rrf-k') }
    : { method: 'weighted', denseWeight: number(values['dense-weight'], 'dense-weight') };
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

let embedder: EvalEmbedder | undefined;
let dispose = async () => {};
if (mode !== 'keyword') {
  const modelId = values.model ?? DEFAULT_EMBEDDING_MODEL;
  if (!isValidModelId(modelId)) fail(`--model must be a repository id like owner/name.`);
  const spec = embeddingModelSpec(modelId);
  console.error(`Loading ${modelId} from ${values.models ?? 'the Hugging Face hub'} (CPU)…`);
  const loaded = await loadTransformersEmbedder({
    model: spec,
    backend: 'cpu',
    remoteHost: values.models,
  }).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
  embedder = {
    embedPassages: (texts) => loaded.embed(texts),
    // As the app embeds questions (workers/embed-handler.ts).
    embedQueries: (texts) => loaded.embed(texts.map((text) => spec.queryPrefix + text)),
  };
  dispose = () => loaded.dispose();
  console.error(`${modelId}: ${loaded.dimension} dimensions, up to ${loaded.maxTokens} tokens.`);
}

let lastReport = 0;
const report = await evaluateRetrieval(data, {
  mode,
  embedder,
  bm25,
  fusion,
  onProgress(stage, done, total) {
    if (performance.now() - lastReport < 2000 && done < total) return;
    lastReport = performance.now();
    console.error(`  ${stage} ${done}/${total}`);
  },
});
await dispose();

if (report.keywordIndexMs > 0) {
  console.error(`Keyword index built in ${report.keywordIndexMs.toFixed(0)} ms.`);
}
if (report.vectorIndexMs > 0) {
  console.error(`Corpus embedded and indexed in ${(report.vectorIndexMs / 1000).toFixed(1)} s.`);
}
console.error(`${values.mode} over ${report.queries} queries:`);
console.log(`nDCG@10     ${report.ndcgAt10.toFixed(4)}`);
console.log(`Recall@100  ${report.recallAt100.toFixed(4)}`);
console.log(`MRR@10      ${report.mrrAt10.toFixed(4)}`);
console.log(
  `queries/s   ${report.queriesPerSecond.toFixed(0)}` +
    (mode === 'keyword' ? '' : ` (search alone: ${report.searchesPerSecond.toFixed(0)})`),
);
