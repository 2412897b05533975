/**
 * Calibrates the answer inspector's support check (src/lib/core/answers/support.ts) on labelled
 * answer sentences, for each embedding model and for words and details alone, and prints how
 * well it tells "not found in the passages" from the rest.
 *
 *   npm run calibrate:support -- [--models URL] [--model ID,ID…] [--write]
 *
 * Data: test/fixtures/support/answers.json — real answers of the sample set (see its README):
 * - hand labels: every claim sentence labelled supported / partial / missing against the passages
 *   its answer was checked against;
 * - sample-set labels, derived without a person: a sentence that states one of its question's
 *   expected facts (core/eval/facts.ts) while the fact's source document was among the passages
 *   is "supported"; an ungrounded sentence that states a number, amount or date the expected fact
 *   contradicts (another value where the fact has one) is "missing".
 *
 * For each model: every sentence and passage sentence is embedded as the app does (the model's
 * int8 weights, onnxruntime-node's CPU binary, the file the app uses on WASM, passage prefix), then
 * a grid search over the cosine's weight and the detail penalty picks the "partial" threshold
 * with the best recall of "missing" among those whose precision is at least 0.9 (ties: the best
 * three-way accuracy), then the "supported" threshold with the best accuracy above it. Figures are
 * given twice: fitted on all the hand labels (what ships), and leave-one-question-out (fitted
 * without a question's sentences, tested on them: what to expect on new answers). The sample-set
 * labels are only tested on, never fitted.
 *
 * --write rewrites src/lib/core/answers/support-calibration.ts with the fitted values.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { env } from '@huggingface/transformers';
import { format, resolveConfig } from 'prettier';
import {
  checkSupport,
  fullSimilarity,
  prepareSupport,
  type PreparedSupport,
  type SupportLevel,
  type SupportPassage,
  type SupportThresholds,
} from '../src/lib/core/answers/support';
import { extractDetails } from '../src/lib/core/answers/details';
import { matchFacts, normaliseForMatching } from '../src/lib/core/eval/facts';
import { parseSampleSet } from '../src/lib/core/eval/sample-set';
import { embeddingModelSpec } from '../src/lib/core/models/embedding-catalogue';
import { messageOf } from '../src/lib/core/text/format';
import { embedByLength } from '../src/lib/core/text/embedding-input';
import { loadTransformersEmbedder } from '../src/lib/engines/embedding/transformers-embedder';
import { startMirror } from './serve-mirror.mjs';

type Label = Exclude<SupportLevel, 'none'>;

export interface LabelledAnswer {
  id: string;
  questionId: string;
  question: string;
  kind: 'grounded' | 'ungrounded';
  answer: string;
  passages: SupportPassage[];
  /** The source document of the expected facts, when the passages include it. */
  sourceRetrieved: boolean;
  /** One per claim sentence, in order; the sentence is repeated so a change of split shows. */
  labels: { sentence: string; label: Label }[];
}

const USAGE =
  'Usage: npm run calibrate:support -- [--models URL] [--model ID,ID…] [--write] [--errors]';
const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    model: { type: 'string' },
    fixture: { type: 'string', default: 'test/fixtures/support/answers.json' },
    write: { type: 'boolean', default: false },
    errors: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const fixture = JSON.parse(readFileSync(values.fixture, 'utf8')) as { answers: LabelledAnswer[] };
const sampleSet = parseSampleSet(readFileSync('static/samples/QUESTIONS.md', 'utf8'));
const questions = new Map(sampleSet.questions.map((q) => [q.id, q]));

interface Item {
  answer: number;
  sentence: number;
  questionId: string;
  label: Label;
}

const prepared: PreparedSupport[] = fixture.answers.map((a) =>
  prepareSupport(a.question, a.answer, a.passages),
);
/** Hand labels, matched to the sentences as split today. */
const hand: Item[] = [];
const seen = new Set<string>();
let mismatches = 0;
fixture.answers.forEach((a, i) => {
  const claims = prepared[i]!.sentences.map((s, j) => ({ s, j })).filter(({ s }) => s.claim);
  if (claims.length !== a.labels.length) {
    mismatches++;
    console.error(
      `${a.id}: ${a.labels.length} labels for ${claims.length} claim sentences — skipped.`,
    );
    return;
  }
  claims.forEach(({ s, j }, k) => {
    const labelled = a.labels[k]!;
    if (normaliseForMatching(labelled.sentence) !== normaliseForMatching(s.text)) {
      mismatches++;
      console.error(`${a.id}: “${labelled.sentence}” is now “${s.text}” — skipped.`);
      return;
    }
    // A sentence a model repeats word for word within an answer counts once.
    const key = `${a.id}\n${normaliseForMatching(s.text)}`;
    if (seen.has(key)) return;
    seen.add(key);
    hand.push({ answer: i, sentence: j, questionId: a.questionId, label: labelled.label });
  });
});

/** Sample-set labels, derived from the expected facts (see the file's comment). */
const derived: Item[] = [];
fixture.answers.forEach((a, i) => {
  const question = questions.get(a.questionId);
  if (!question || question.kind !== 'answerable') return;
  prepared[i]!.sentences.forEach((s, j) => {
    if (!s.claim) return;
    const found = matchFacts(s.text, question.facts).some((m) => m.found);
    if (found && a.sourceRetrieved) {
      derived.push({ answer: i, sentence: j, questionId: a.questionId, label: 'supported' });
      return;
    }
    if (found || a.kind !== 'ungrounded') return;
    // Contradiction: a number, amount or date where an expected fact has another.
    const valued = (text: string) =>
      extractDetails(text).filter((d) => d.kind !== 'name' && d.kind !== 'code');
    const factValues = question.facts.flat().flatMap(valued);
    const sentenceValues = valued(s.text);
    if (factValues.length > 0 && sentenceValues.length > 0) {
      derived.push({ answer: i, sentence: j, questionId: a.questionId, label: 'missing' });
    }
  });
});

console.error(
  `${fixture.answers.length} answers: ${hand.length} hand-labelled sentences (${count(hand, 'supported')} supported, ${count(hand, 'partial')} partial, ${count(hand, 'missing')} missing), ${derived.length} sample-set labels (${count(derived, 'supported')} supported, ${count(derived, 'missing')} missing)${mismatches ? `, ${mismatches} labels skipped` : ''}.`,
);

function count(items: Item[], label: Label): number {
  return items.filter((i) => i.label === label).length;
}

/** Each answer's sentences × passage-sentences cosines, for one model; null for words only. */
type Similarities = (number[][] | null)[];

async function similarities(modelId: string, remoteHost: string): Promise<Similarities> {
  const spec = embeddingModelSpec(modelId);
  const embedder = await loadTransformersEmbedder({ model: spec, backend: 'cpu', remoteHost });
  const out: Similarities = [];
  try {
    // One text a call, as the worker's 'embed-texts' does on WASM.
    const embed = (texts: string[]) =>
      embedByLength(
        texts.map((t) => spec.passagePrefix + t),
        (batch) => embedder.embed(batch),
        { batchSize: 1 },
      );
    for (const p of prepared) out.push(await fullSimilarity(p, embed));
  } finally {
    await embedder.dispose();
  }
  return out;
}

const WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const PENALTIES = [0, 0.1, 0.2, 0.3, 0.5];
const MIN_PRECISION = 0.9;

interface Scored {
  item: Item;
  score: number;
  unfound: boolean;
}

function score(items: Item[], sims: Similarities, cosineWeight: number, detailPenalty: number) {
  const open: SupportThresholds = {
    cosineWeight,
    detailPenalty,
    partial: -Infinity,
    supported: Infinity,
  };
  const reports = new Map<number, ReturnType<typeof checkSupport>>();
  return items.map((item): Scored => {
    let report = reports.get(item.answer);
    if (!report) {
      report = checkSupport(prepared[item.answer]!, sims[item.answer] ?? null, open);
      reports.set(item.answer, report);
    }
    const s = report.sentences[item.sentence]!;
    return { item, score: s.score, unfound: s.unfoundDetails.length > 0 };
  });
}

function predict(s: Scored, t: SupportThresholds): Label {
  return s.score >= t.supported && !s.unfound
    ? 'supported'
    : s.score >= t.partial
      ? 'partial'
      : 'missing';
}

interface Figures {
  precision: number;
  recall: number;
  accuracy: number;
  n: number;
  flagged: number;
}

function figures(scored: { label: Label; predicted: Label }[]): Figures {
  const tp = scored.filter((s) => s.predicted === 'missing' && s.label === 'missing').length;
  const flagged = scored.filter((s) => s.predicted === 'missing').length;
  const actual = scored.filter((s) => s.label === 'missing').length;
  return {
    precision: flagged ? tp / flagged : NaN,
    recall: actual ? tp / actual : NaN,
    accuracy: scored.filter((s) => s.predicted === s.label).length / scored.length,
    n: scored.length,
    flagged,
  };
}

/** The best thresholds on `items` (see the file's comment). */
function fit(items: Item[], sims: Similarities, semantic: boolean): SupportThresholds {
  let best: { t: SupportThresholds; key: number[] } | null = null;
  for (const cosineWeight of semantic ? WEIGHTS.slice(1) : [0]) {
    for (const detailPenalty of PENALTIES) {
      const scored = score(items, sims, cosineWeight, detailPenalty);
      // Thresholds halfway between consecutive scores: rounding them moves no sentence.
      const distinct = [...new Set(scored.map((s) => s.score))].sort((a, b) => a - b);
      const cuts = distinct.map((v, k) => (k === 0 ? v - 0.01 : (distinct[k - 1]! + v) / 2));
      cuts.push(distinct[distinct.length - 1]! + 0.01);
      for (const partial of cuts) {
        // Only "missing" below partial: its precision and recall.
        const below = scored.filter((s) => s.score < partial);
        const tp = below.filter((s) => s.item.label === 'missing').length;
        const precision = below.length ? tp / below.length : 0;
        const recall = tp / Math.max(1, scored.filter((s) => s.item.label === 'missing').length);
        if (precision < MIN_PRECISION) continue;
        // The supported threshold: best accuracy above partial.
        let bestSupported = Infinity;
        let bestAccuracy = -1;
        for (const supported of cuts.filter((c) => c >= partial)) {
          const t = { cosineWeight, detailPenalty, partial, supported };
          const accuracy =
            scored.filter((s) => predict(s, t) === s.item.label).length / scored.length;
          if (accuracy > bestAccuracy) {
            bestAccuracy = accuracy;
            bestSupported = supported;
          }
        }
        const key = [recall, bestAccuracy];
        if (!best || key[0]! > best.key[0]! || (key[0] === best.key[0] && key[1]! > best.key[1]!)) {
          best = { t: { cosineWeight, detailPenalty, partial, supported: bestSupported }, key };
        }
      }
    }
  }
  if (!best) throw new Error('No threshold reaches the precision wanted.');
  return round(best.t);
}

function round(t: SupportThresholds): SupportThresholds {
  const r = (v: number) => Math.round(v * 10000) / 10000;
  return {
    cosineWeight: r(t.cosineWeight),
    detailPenalty: r(t.detailPenalty),
    partial: r(t.partial),
    supported: r(t.supported),
  };
}

function evaluate(items: Item[], sims: Similarities, t: SupportThresholds): Figures {
  return figures(
    score(items, sims, t.cosineWeight, t.detailPenalty).map((s) => ({
      label: s.item.label,
      predicted: predict(s, t),
    })),
  );
}

/** Leave one question out: each question's sentences predicted by thresholds fitted without them. */
function crossValidate(sims: Similarities, semantic: boolean): Figures {
  const out: { label: Label; predicted: Label }[] = [];
  for (const q of new Set(hand.map((i) => i.questionId))) {
    const train = hand.filter((i) => i.questionId !== q);
    const test = hand.filter((i) => i.questionId === q);
    const t = fit(train, sims, semantic);
    for (const s of score(test, sims, t.cosineWeight, t.detailPenalty)) {
      out.push({ label: s.item.label, predicted: predict(s, t) });
    }
  }
  return figures(out);
}

const MODELS = values.model?.split(',') ?? [
  'Xenova/all-MiniLM-L6-v2',
  'Xenova/bge-small-en-v1.5',
  'Xenova/e5-small-v2',
];
env.cacheDir = join(homedir(), '.cache', 'grounded', 'transformers');
let mirror: { url: string; close(): Promise<void> } | null = null;
let remoteHost = values.models;
if (!remoteHost) {
  mirror = await startMirror({ dir: 'models' });
  remoteHost = mirror.url;
}

const pct = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(2));
const rows: string[] = [];
const fitted: Record<string, SupportThresholds> = {};
try {
  const runs: [string, Similarities | null][] = [['words and details only', null]];
  for (const id of MODELS) {
    console.error(`Embedding with ${id}…`);
    runs.push([id, await similarities(id, remoteHost)]);
  }
  for (const [name, sims] of runs) {
    const semantic = sims !== null;
    const s = sims ?? prepared.map(() => null);
    const t = fit(hand, s, semantic);
    fitted[semantic ? name : 'lexical'] = t;
    const all = evaluate(hand, s, t);
    const cv = crossValidate(s, semantic);
    const sample = evaluate(derived, s, t);
    if (values.errors) {
      for (const x of score(hand, s, t.cosineWeight, t.detailPenalty)) {
        const predicted = predict(x, t);
        if (predicted === x.item.label) continue;
        const sentence = prepared[x.item.answer]!.sentences[x.item.sentence]!;
        console.error(
          `${name}: ${x.item.label} → ${predicted} (${x.score.toFixed(3)}) ${fixture.answers[x.item.answer]!.id}: ${sentence.text.replace(/\s+/g, ' ')}`,
        );
      }
    }
    rows.push(
      `| ${name} | ${t.cosineWeight} / ${t.detailPenalty} / ${t.partial} / ${t.supported} | ${pct(all.precision)} / ${pct(all.recall)} / ${pct(all.accuracy)} | ${pct(cv.precision)} / ${pct(cv.recall)} / ${pct(cv.accuracy)} | ${pct(sample.precision)} / ${pct(sample.recall)} / ${pct(sample.accuracy)} |`,
    );
  }
} catch (error) {
  console.error(messageOf(error));
  process.exitCode = 1;
} finally {
  await mirror?.close();
}

console.log(
  `Hand labels: ${hand.length} sentences; sample-set labels: ${derived.length}. Figures: precision / recall of "not found", then three-way accuracy.\n`,
);
console.log(
  '| model | weight / penalty / partial / supported | hand labels, fitted | hand labels, leave one question out | sample-set labels |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);

if (values.write && process.exitCode !== 1) {
  const { lexical, ...models } = fitted;
  const file = `/**
 * The support check's thresholds, per embedding model, written by \`npm run calibrate:support --
 * --write\` (scripts/calibrate-support.ts) from ${hand.length} hand-labelled answer sentences in
 * test/fixtures/support/answers.json; figures in BENCHMARKS.md. Do not edit by hand: run it again.
 */
import type { SupportThresholds } from './support';

export const SUPPORT_CALIBRATION: {
  /** Words and details only: no embedding model, or one not calibrated. */
  lexical: SupportThresholds;
  models: Readonly<Record<string, SupportThresholds>>;
} = ${JSON.stringify({ lexical, models }, null, 2)};
`;
  const path = 'src/lib/core/answers/support-calibration.ts';
  // Formatted as the linter expects the file.
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(file, { ...options, filepath: path }));
  console.error('Wrote src/lib/core/answers/support-calibration.ts.');
}
