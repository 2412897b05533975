/**
 * Retrieval on the bundled sample corpus (static/samples/), as the app does it, in Node: each
 * document read with the app's reader, chunked with the default settings, embedded with the
 * model's int8 weights (onnxruntime-node's CPU binary, the file the app uses on WASM) and
 * searched with retrieve() at the default top-k. For each question of the sample set
 * (core/eval/sample-set.ts, read from QUESTIONS.md) that names a **Source:** file, a hit is that
 * file among the retrieved passages.
 *
 *   npm run eval:samples -- [--models URL] [--model ID,ID…] [--rounds 3] [--samples DIR]
 *
 * Prints two Markdown tables: hit@1, hit@5 and MRR per model and mode, then how fast each model
 * chunked and embedded the corpus (as the app's worker does; the median of --rounds, models taking turns within a round, so a
 * change in the machine's load hits them alike). Missed questions go to stderr.
 */
import { messageOf } from '../src/lib/core/text/format';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { env } from '@huggingface/transformers';
import { KeywordIndex } from '../src/lib/core/retrieval/bm25';
import { DEFAULT_CHUNKING } from '../src/lib/core/text/chunking';
import {
  DEFAULT_DENSE_WEIGHT,
  DEFAULT_RRF_K,
  type FusionOptions,
} from '../src/lib/core/retrieval/fusion';
import { retrieve, type RetrievalMode } from '../src/lib/core/retrieval/retrieval';
import { VectorIndex } from '../src/lib/core/retrieval/vector-index';
import { embeddingModelSpec, isValidModelId } from '../src/lib/core/models/embedding-catalogue';
import type { EvalQuestion } from '../src/lib/core/eval/questions';
import { parseSampleSet } from '../src/lib/core/eval/sample-set';
import type { Embedder } from '../src/lib/engines/embedding/embedder';
import { loadTransformersEmbedder } from '../src/lib/engines/embedding/transformers-embedder';
import { readDocument } from '../src/lib/ingest/read-document';
import { DEFAULT_RETRIEVAL, DEFAULT_TOP_K } from '../src/lib/state/settings.svelte';
import { chunkAndEmbed } from '../src/lib/workers/embed/handler';

const USAGE =
  'Usage: npm run eval:samples -- [--models URL] [--model ID,ID…] [--rounds 3] [--samples DIR]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    model: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    samples: { type: 'string', default: 'static/samples' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
/** The catalogue's models measured by default (models/ holds no copy of gte-small). */
const MEASURED = ['Xenova/all-MiniLM-L6-v2', 'Xenova/bge-small-en-v1.5', 'Xenova/e5-small-v2'];
const modelIds = values.model?.split(',') ?? MEASURED;
for (const id of modelIds) if (!isValidModelId(id)) fail(`--model: “${id}” is not owner/name.`);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) fail('--rounds must be a whole number, 1 or more.');

const dir = values.samples;
let sampleSet;
try {
  sampleSet = parseSampleSet(readFileSync(join(dir, 'QUESTIONS.md'), 'utf8'));
} catch (error) {
  fail(messageOf(error));
}
const questions = sampleSet.questions.filter(
  (q): q is EvalQuestion & { source: string } => q.source !== undefined,
);
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
  documents: { file: string }[];
};
const files = manifest.documents.map(({ file }) => file);
for (const q of questions) {
  if (!files.includes(q.source)) fail(`Question ${q.id}'s source ${q.source} is not in ${dir}.`);
}
const documents = await Promise.all(
  files.map(async (name) => ({
    name,
    read: await readDocument(new Blob([readFileSync(join(dir, name))]), name),
  })),
);
console.error(
  `${dir}: ${documents.length} documents, ${questions.length} questions with a source.`,
);

env.cacheDir = join(homedir(), '.cache', 'grounded', 'transformers');
const embedders = new Map<string, Embedder>();
for (const id of modelIds) {
  console.error(`Loading ${id} from ${values.models ?? 'the Hugging Face hub'} (CPU, int8)…`);
  const embedder = await loadTransformersEmbedder({
    model: embeddingModelSpec(id),
    backend: 'cpu',
    remoteHost: values.models,
  }).catch((error: unknown) => fail(messageOf(error)));
  embedders.set(id, embedder);
}

/** Each document chunked and embedded as the app's embedding worker does it (chunkAndEmbed). */
async function embedCorpus(id: string) {
  const loadedModel = { embedder: embedders.get(id)!, model: embeddingModelSpec(id) };
  const signal = new AbortController().signal;
  const started = performance.now();
  const docs = [];
  const vectors = [];
  for (const { name, read } of documents) {
    const embedded = await chunkAndEmbed(
      read.text,
      read.format,
      read.pageStarts,
      name,
      DEFAULT_CHUNKING,
      loadedModel,
      signal,
    );
    docs.push({ name, chunks: embedded.chunks });
    vectors.push(embedded.vectors);
  }
  const seconds = (performance.now() - started) / 1000;
  return { docs, vectors, chunks: docs.reduce((n, d) => n + d.chunks.length, 0), seconds };
}

const speeds = new Map<string, number[]>(modelIds.map((id) => [id, []]));
const corpora = new Map<string, Awaited<ReturnType<typeof embedCorpus>>>();
// One batch each first, so no model's first round pays for warming up.
for (const [, embedder] of embedders) await embedder.embed(['warm up'.repeat(50)]);
for (let round = 0; round < rounds; round++) {
  const order = modelIds.map((_, i) => modelIds[(i + round) % modelIds.length]!);
  for (const id of order) {
    const corpus = await embedCorpus(id);
    corpora.set(id, corpus);
    speeds.get(id)!.push(corpus.chunks / corpus.seconds);
  }
}

type Run = { mode: RetrievalMode; fusion?: FusionOptions; label: string };
const runs: Run[] = [
  { mode: 'dense', label: 'dense' },
  { mode: 'keyword', label: 'keyword (BM25)' },
  {
    mode: 'hybrid',
    fusion: { method: 'rrf', k: DEFAULT_RRF_K },
    label: `hybrid, RRF k = ${DEFAULT_RRF_K}`,
  },
  {
    mode: 'hybrid',
    fusion: { method: 'weighted', denseWeight: DEFAULT_DENSE_WEIGHT },
    label: `hybrid, weighted ${DEFAULT_DENSE_WEIGHT}`,
  },
];
const appDefault = (run: Run) =>
  run.mode === DEFAULT_RETRIEVAL.mode &&
  (run.mode !== 'hybrid' || run.fusion?.method === DEFAULT_RETRIEVAL.fusion);

const titleOf = (name: string) => name.replace(/\.[^.\s]{1,8}$/, ''); // as search-handler.ts
const k = DEFAULT_TOP_K;
console.log(
  `${questions.length} questions, top ${k} passages, default chunking ` +
    `(${DEFAULT_CHUNKING.targetTokens} tokens, overlap ${DEFAULT_CHUNKING.overlapTokens})`,
);
console.log('');
console.log(`| model | mode | hit@1 | hit@${k} | MRR@${k} |`);
console.log('| --- | --- | --- | --- | --- |');
for (const id of modelIds) {
  const embedder = embedders.get(id)!;
  const { docs, vectors } = corpora.get(id)!;
  const vectorIndex = new VectorIndex(embedder.dimension);
  const keywordIndex = new KeywordIndex();
  docs.forEach((doc, i) => {
    vectorIndex.add(doc.name, 0, vectors[i]!);
    keywordIndex.add(doc.name, titleOf(doc.name), doc.chunks);
  });
  keywordIndex.flush();
  const { queryPrefix } = embeddingModelSpec(id);
  const questionVectors = await embedder.embed(questions.map((q) => queryPrefix + q.question));
  const dim = embedder.dimension;
  for (const run of runs) {
    if (run.mode === 'keyword' && id !== modelIds[0]) continue; // the same for every model
    let hit1 = 0;
    let hitK = 0;
    let reciprocal = 0;
    const missed: string[] = [];
    questions.forEach((q, i) => {
      const { chunks } = retrieve(
        { vectors: vectorIndex, keywords: keywordIndex },
        { text: q.question, vector: questionVectors.subarray(i * dim, (i + 1) * dim) },
        { mode: run.mode, k, fusion: run.fusion },
      );
      const at = chunks.findIndex((c) => c.docId === q.source);
      if (at === 0) hit1++;
      if (at >= 0) {
        hitK++;
        reciprocal += 1 / (at + 1);
      } else missed.push(q.id);
    });
    const n = questions.length;
    const name = run.mode === 'keyword' ? '(any)' : embeddingModelSpec(id).label;
    const label = run.label + (appDefault(run) ? ' (app default)' : '');
    console.log(
      `| ${name} | ${label} | ${hit1}/${n} | ${hitK}/${n} | ${(reciprocal / n).toFixed(3)} |`,
    );
    if (missed.length) console.error(`${name}, ${run.label}: missed ${missed.join(', ')}`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('');
console.log('| model | chunks | chunks/s (median) | each round | int8 download |');
console.log('| --- | --- | --- | --- | --- |');
for (const id of modelIds) {
  const spec = embeddingModelSpec(id);
  const s = speeds.get(id)!;
  console.log(
    `| ${spec.label} | ${corpora.get(id)!.chunks} | ${median(s).toFixed(1)} | ` +
      `${s.map((x) => x.toFixed(1)).join(', ')} | ` +
      `${spec.downloadBytes ? `${(spec.downloadBytes.q8 / 1e6).toFixed(0)} MB` : '?'} |`,
  );
}
// Nothing to dispose of at exit: with three models loaded the process once kept running after
// printing, so it ends here.
process.exit(0);
