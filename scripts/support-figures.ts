/**
 * The answer inspector's figures for the answers of evaluation runs, with today's check: each
 * answer of each run (an `npm run eval:answers -- --json` or Export JSON file) checked against its
 * passages as the app checks it — the grounded answer against the passages its prompt held,
 * numbered as the prompt numbers them, the ungrounded one against all the retrieved passages —
 * with the calibrated thresholds and the embedding model's int8 weights (onnxruntime-node's CPU
 * binary, the file the app runs on WASM). Prints support rate and citation precision, grounded
 * and ungrounded, per run: a run recorded before a change of the check is scored again the same
 * way.
 *
 *   npx tsx scripts/support-figures.ts [--model ID] [--models URL] run.json…
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { env } from '@huggingface/transformers';
import {
  checkSupport,
  fullSimilarity,
  prepareSupport,
  summarise,
  supportPassages,
  supportThresholds,
  type SupportPassage,
  type SupportSummary,
} from '../src/lib/core/answers/support';
import type { EvalRun } from '../src/lib/core/eval/run';
import { embeddingModelSpec } from '../src/lib/core/models/embedding-catalogue';
import { embedByLength } from '../src/lib/core/text/embedding-input';
import { loadTransformersEmbedder } from '../src/lib/engines/embedding/transformers-embedder';
import { startMirror } from './serve-mirror.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: 'Xenova/all-MiniLM-L6-v2' },
    models: { type: 'string' },
  },
});
if (positionals.length === 0) {
  console.error('Usage: npx tsx scripts/support-figures.ts [--model ID] [--models URL] run.json…');
  process.exit(2);
}

env.cacheDir = join(homedir(), '.cache', 'grounded', 'transformers');
const mirror = values.models ? null : await startMirror({ dir: 'models' });
const spec = embeddingModelSpec(values.model);
const embedder = await loadTransformersEmbedder({
  model: spec,
  backend: 'cpu',
  remoteHost: values.models ?? mirror!.url,
});
const thresholds = supportThresholds(spec.id);

// One text a call, as the worker's 'embed-texts' does on WASM.
const embed = (texts: string[]) =>
  embedByLength(
    texts.map((t) => spec.passagePrefix + t),
    (batch) => embedder.embed(batch),
    { batchSize: 1 },
  );

async function check(question: string, answer: string, passages: SupportPassage[]) {
  const prepared = prepareSupport(question, answer, passages);
  const similarity = await fullSimilarity(prepared, embed);
  return checkSupport(prepared, similarity, similarity ? thresholds : supportThresholds(null))
    .summary;
}

const add = (a: SupportSummary, b: SupportSummary): SupportSummary => ({
  sentences: a.sentences + b.sentences,
  supported: a.supported + b.supported,
  partial: a.partial + b.partial,
  missing: a.missing + b.missing,
  citations: a.citations + b.citations,
  citationsHolding: a.citationsHolding + b.citationsHolding,
  unfoundDetails: a.unfoundDetails + b.unfoundDetails,
});
const share = (n: number, of: number) =>
  of === 0 ? '–' : `${n} / ${of} (${Math.round((100 * n) / of)} %)`;

console.log(
  `| run | answer | sentences | supported | partly | not found | citations holding | details in no passage |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
try {
  for (const path of positionals) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as { run?: EvalRun } & EvalRun;
    const run = file.run ?? file;
    const questions = new Map(run.questionSet.questions.map((q) => [q.id, q.question]));
    let grounded = summarise([]);
    let ungrounded = summarise([]);
    for (const result of run.results) {
      const question = questions.get(result.questionId) ?? '';
      if (result.grounded.end !== 'failed' && result.grounded.end !== 'stopped') {
        const passages = supportPassages(result.passages.slice(0, result.promptPassages), 'prompt');
        grounded = add(grounded, await check(question, result.grounded.text, passages));
      }
      if (result.ungrounded.end !== 'failed' && result.ungrounded.end !== 'stopped') {
        ungrounded = add(
          ungrounded,
          await check(question, result.ungrounded.text, supportPassages(result.passages, 'rank')),
        );
      }
    }
    for (const [kind, s] of [
      ['grounded', grounded],
      ['ungrounded', ungrounded],
    ] as const) {
      console.log(
        `| ${path.split('/').pop()} | ${kind} | ${s.sentences} | ${share(s.supported, s.sentences)} | ${share(s.partial, s.sentences)} | ${share(s.missing, s.sentences)} | ${kind === 'grounded' ? share(s.citationsHolding, s.citations) : '–'} | ${s.unfoundDetails} |`,
      );
    }
  }
} finally {
  await embedder.dispose();
  await mirror?.close();
}
