/**
 * The answer inspector's cost, in headless Chromium with the real all-MiniLM-L6-v2 (int8, WASM,
 * from models/ through the mirror), through the app's own embedding worker and SupportChecker:
 * what it adds after an answer of about 300 tokens checked against 8 passages. Goal (issue
 * "Answer inspector"): under 300 ms for the first answer of a question, when every passage
 * sentence must be embedded too.
 *
 * The passages are the first 200-token chunk of each of the 8 sample documents, chunked as the
 * app does. The answers are made for timing, not for quality: the first alternates sentences of
 * the passages (each cited) with sentences that change a detail or invent one, to about 300
 * tokens; the second, the question's other answer, is the same sentences in reverse order with
 * their details changed, as long. Median of the rounds after one warm-up. The check embeds only
 * what meaning can decide (planEmbedding); the worst case embeds every claim and passage sentence,
 * as if words decided nothing.
 *
 *   npm run bench -- inspector
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import {
  planEmbedding,
  prepareSupport,
  supportThresholds,
  textsToEmbed,
  type SupportPassage,
} from '../src/lib/core/answers/support';
import { splitSentences } from '../src/lib/core/answers/sentences';
import { chunkDocument, DEFAULT_CHUNKING } from '../src/lib/core/text/chunking';
import { estimateTokens } from '../src/lib/core/text/token-estimate';
import { readDocument } from '../src/lib/ingest/read-document';
import { startMirror } from '../scripts/serve-mirror.mjs';
import { launchChromium } from '../test/e2e/chromium.mjs';
import { serveIsolated } from './serve-isolated.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { InspectorRequest, InspectorResult } from './answer-inspector/page';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODEL = 'Xenova/all-MiniLM-L6-v2';
const ROUNDS = 7;
const GOAL_MS = 300;
const ANSWER_TOKENS = 300;

async function samplePassages(): Promise<SupportPassage[]> {
  const dir = join(root, 'static/samples');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    documents: { file: string }[];
  };
  const passages: SupportPassage[] = [];
  for (const { file } of manifest.documents.slice(0, 8)) {
    const read = await readDocument(new Blob([readFileSync(join(dir, file))]), file);
    const [chunk] = chunkDocument(read.text, read.format, DEFAULT_CHUNKING);
    passages.push({ number: passages.length + 1, text: chunk!.text, source: file });
  }
  return passages;
}

/** See the file's comment. */
function answers(passages: SupportPassage[]): [string, string] {
  const stated = passages.map((p) =>
    splitSentences(p.text)
      .filter((s) => s.kind === 'text' && s.text.split(' ').length >= 6)
      .map((s) => `${s.text.replace(/[.!?]$/, '')} [${p.number}].`),
  );
  const changed = (sentence: string) =>
    sentence.replace(/\d+/g, (n) => String(Number(n) + 7)).replace(/\[\d+\]/, '[2]');
  const out: string[] = [];
  // Sentences until the answer has at least ANSWER_TOKENS tokens.
  for (let i = 0; i < 1000 && estimateTokens(out.join(' ')) < ANSWER_TOKENS; i++) {
    const own = stated[i % stated.length]![Math.floor(i / stated.length)];
    if (own) out.push(i % 3 === 2 ? changed(own) : own);
  }
  const other = [...out].reverse().map(changed);
  return [out.join(' '), other.join(' ')];
}

/** What the plan embeds for the real answers of test/fixtures/support/answers.json. */
function fixturePlans(): string {
  const fixture = JSON.parse(
    readFileSync(join(root, 'test/fixtures/support/answers.json'), 'utf8'),
  ) as { answers: { question: string; answer: string; passages: SupportPassage[] }[] };
  let claims = 0;
  let planned = 0;
  let units = 0;
  let plannedUnits = 0;
  for (const a of fixture.answers) {
    const prepared = prepareSupport(a.question, a.answer, a.passages);
    const plan = planEmbedding(prepared, supportThresholds(MODEL));
    const all = textsToEmbed(prepared);
    claims += all.sentences.length;
    planned += plan.sentences.length;
    units += all.units.length;
    plannedUnits += plan.unitTexts.length;
  }
  return `embedded ${planned} of ${claims} claims and ${plannedUnits} of ${units} passage sentences (planned in Node, not timed)`;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ms = (v: number) => `${v.toFixed(0)} ms`;

export async function run() {
  const passages = await samplePassages();
  const [answer, other] = answers(passages);
  const prepared = prepareSupport('What does the handbook say?', answer, passages);
  const texts = textsToEmbed(prepared);
  const plan = planEmbedding(prepared, supportThresholds(MODEL));
  const planOther = planEmbedding(
    prepareSupport('What does the handbook say?', other, passages),
    supportThresholds(MODEL),
  );
  const tmp = await mkdtemp(join(tmpdir(), 'grounded-bench-'));
  const outDir = join(tmp, 'build');
  const mirror = await startMirror({ dir: join(root, 'models') });
  let server: import('node:http').Server | undefined;
  const browser = await launchChromium('wasm');
  try {
    await build({
      root,
      logLevel: 'warn',
      build: {
        outDir,
        emptyOutDir: true,
        chunkSizeWarningLimit: 8192,
        rolldownOptions: { input: { bench: join(root, 'bench/answer-inspector/index.html') } },
      },
    });
    const served = await serveIsolated(outDir);
    server = served.server;
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error(m.text()));
    await page.goto(`${served.url}bench/answer-inspector/index.html`);
    await page.waitForFunction(() => document.title === 'ready');
    const request: InspectorRequest = {
      model: MODEL,
      remoteHost: mirror.url,
      question: 'What does the handbook say?',
      answers: [answer, other],
      passages,
      rounds: ROUNDS,
    };
    const result = await page.evaluate(
      (r) =>
        (window as unknown as { bench: (r: InspectorRequest) => Promise<InspectorResult> }).bench(
          r,
        ),
      request,
    );
    const first = median(result.first);
    return {
      name: `Answer inspector: an answer of ~${estimateTokens(answer)} tokens (${result.sentences} sentences) against 8 passages (${texts.units.length} sentences), ${MODEL} int8 on ${result.backend}, median of ${ROUNDS}`,
      columns: ['check', 'median', 'all rounds', 'note'],
      rows: [
        [
          'first answer (nothing kept)',
          ms(first),
          result.first.map((v) => v.toFixed(0)).join(', '),
          `goal < ${GOAL_MS} ms; embedded ${plan.sentences.length} of ${texts.sentences.length} claims and ${plan.unitTexts.length} of ${texts.units.length} passage sentences, the rest decided by words`,
        ],
        [
          'second answer (passages kept)',
          ms(median(result.second)),
          result.second.map((v) => v.toFixed(0)).join(', '),
          `embedded ${planOther.sentences.length} claims; the passage sentences it needs were kept, or are embedded now`,
        ],
        [
          'worst case: every claim and passage sentence embedded',
          ms(median(result.everything)),
          result.everything.map((v) => v.toFixed(0)).join(', '),
          `${texts.sentences.length + texts.units.length} texts: what the check costs if words decide nothing`,
        ],
        ['the 44 real SmolLM2 answers of the labelled set', '', '', fixturePlans()],
        [
          'words and details only',
          ms(median(result.lexical)),
          result.lexical.map((v) => v.toFixed(1)).join(', '),
          `levels of the first answer: ${JSON.stringify(result.levels)}`,
        ],
      ],
      ok: first < GOAL_MS,
    };
  } finally {
    await browser.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await mirror.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
