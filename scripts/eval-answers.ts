/**
 * An evaluation run of the app's Evaluation panel, driven in headless Chromium as a person would
 * drive it: the app built and served as `vite preview` serves it (scripts/serve-app.mjs), the
 * documents added and the language model loaded through its panels, the question set picked,
 * **Run evaluation** clicked, and the finished run exported with **Export JSON**. The scoreboard
 * printed is the app's own scoring (core/eval/scoring.ts) of that exported run.
 *
 * Progress goes to stderr; the scoreboard (Markdown) to stdout. Ctrl-C during the run clicks
 * Cancel and prints what finished; before the run, or a second time, it stops everything.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/chromium.mjs';
import { startApp } from './serve-app.mjs';
import { SAMPLING_LIMITS } from '../src/lib/core/answers/sampling';
import { importQuestions, questionsToJsonl } from '../src/lib/core/eval/question-import';
import type { QuestionSet } from '../src/lib/core/eval/questions';
import { categoryTable, parseRunJson, runToJson } from '../src/lib/core/eval/run-export';
import { describeSettings, type EvalRun } from '../src/lib/core/eval/run';
import { parseSampleSet } from '../src/lib/core/eval/sample-set';
import {
  GROUNDED_MISS_LABELS,
  groundedMisses,
  scoreRun,
  SUMMARY_LABELS,
  type GroundedMiss,
  type RunScore,
} from '../src/lib/core/eval/scoring';
import { isValidModelId } from '../src/lib/core/models/embedding-catalogue';
import { GGUF_MODELS, parseGgufParam } from '../src/lib/core/models/gguf-catalogue';
import { WEB_LLM_MODELS } from '../src/lib/core/models/web-llm-catalogue';
import { RETRIEVAL_MODES, type RetrievalMode } from '../src/lib/core/retrieval/retrieval';
import { formatDuration, messageOf, plural } from '../src/lib/core/text/format';
import { TOP_K_LIMITS } from '../src/lib/core/web/share-link';

export const USAGE = `Usage: npm run eval:answers -- --docs DIR|samples --set FILE|samples --model ID|FILE.gguf
    [--models URL] [--embedder ID] [--retrieval hybrid|dense|keyword] [--topk N]
    [--max-tokens N] [--temperature T] [--seed S] [--limit N] [--json OUT]

  --docs DIR|samples   every file directly in DIR (not its subfolders) through Add documents,
                       or the app's Load sample documents
  --set FILE|samples   a question file (JSONL or CSV) through Import questions, or the app's
                       Sample questions
  --model ID|FILE.gguf a language model of the app's catalogue (a web-llm id, or gguf:owner/
                       name/file.gguf, which may also be outside the catalogue), or a .gguf file
                       through Load model file
  --models URL         where model files come from (default: models/ served as a local mirror)
  --embedder ID        the embedding model (default: the app's)
  --retrieval, --topk, --max-tokens, --temperature, --seed
                       the app's settings of those names (default: the app's)
  --limit N            only the first N questions of the set (imported as a JSONL file)
  --json OUT           also write the run, with its summary, as the app's JSON export

Prints the scoreboard (Markdown) to stdout (npm run -s keeps npm's own lines out of it) and
progress to stderr. Ctrl-C during the run cancels it and prints what finished (exit code 130).`;

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Something went wrong on the way: printed alone, exit code 1. */
class RunError extends Error {
  override name = 'RunError';
}

export type ModelChoice =
  /** A web-llm or GGUF id of the app's catalogue: `llm=`. */
  | { kind: 'catalogue'; id: string; engine: 'web-llm' | 'wllama' }
  /** A GGUF on a model source that the catalogue does not list: `gguf=`. */
  | { kind: 'gguf'; id: string; path: string }
  /** A .gguf file on this machine: Load model file. */
  | { kind: 'file'; path: string };

export interface Options {
  /** 'samples', or a folder. */
  docs: string;
  /** 'samples', or a question file. */
  set: string;
  model: ModelChoice;
  models?: string;
  embedder?: string;
  retrieval?: RetrievalMode;
  topK?: number;
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  limit?: number;
  json?: string;
}

/** The command line's options, checked; throws UsageError saying what is wrong with which. */
export function parseOptions(args: readonly string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        docs: { type: 'string' },
        set: { type: 'string' },
        model: { type: 'string' },
        models: { type: 'string' },
        embedder: { type: 'string' },
        retrieval: { type: 'string' },
        topk: { type: 'string' },
        'max-tokens': { type: 'string' },
        temperature: { type: 'string' },
        seed: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  if (values.help) return 'help';
  const required = (name: 'docs' | 'set' | 'model') => {
    const value = values[name];
    if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required.`);
    return value;
  };
  const options: Options = {
    docs: required('docs'),
    set: required('set'),
    model: parseModel(required('model')),
  };
  if (values.models !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(values.models);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(
        `--models “${values.models}” is not an http(s) URL like http://localhost:8080/.`,
      );
    }
    options.models = values.models;
  }
  if (values.embedder !== undefined) {
    if (!isValidModelId(values.embedder)) {
      throw new UsageError(`--embedder “${values.embedder}” is not a model id like owner/name.`);
    }
    options.embedder = values.embedder;
  }
  if (values.retrieval !== undefined) {
    if (!RETRIEVAL_MODES.includes(values.retrieval as RetrievalMode)) {
      throw new UsageError(
        `--retrieval “${values.retrieval}” is not one of ${RETRIEVAL_MODES.join(', ')}.`,
      );
    }
    options.retrieval = values.retrieval as RetrievalMode;
  }
  const number = (name: string, text: string | undefined, limits: Limits, whole: boolean) => {
    if (text === undefined) return undefined;
    const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
    if (!(value >= limits.min && value <= limits.max) || (whole && !Number.isInteger(value))) {
      throw new UsageError(
        `--${name} “${text}” is not a ${whole ? 'whole ' : ''}number from ${limits.min} to ${limits.max}.`,
      );
    }
    return value;
  };
  const set = <K extends keyof Options>(key: K, value: Options[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('topK', number('topk', values.topk, TOP_K_LIMITS, true));
  set('maxTokens', number('max-tokens', values['max-tokens'], SAMPLING_LIMITS.maxTokens, true));
  set('temperature', number('temperature', values.temperature, SAMPLING_LIMITS.temperature, false));
  set('seed', number('seed', values.seed, SAMPLING_LIMITS.seed, true));
  set('limit', number('limit', values.limit, { min: 1, max: 1_000_000 }, true));
  set('json', values.json);
  return options;
}

interface Limits {
  min: number;
  max: number;
}

/** A catalogue id, a gguf: id outside it, or a local .gguf file. */
export function parseModel(value: string): ModelChoice {
  if (WEB_LLM_MODELS.some((m) => m.id === value)) {
    return { kind: 'catalogue', id: value, engine: 'web-llm' };
  }
  if (GGUF_MODELS.some((m) => m.id === value)) {
    return { kind: 'catalogue', id: value, engine: 'wllama' };
  }
  if (value.startsWith('gguf:')) {
    const model = parseGgufParam(value.slice('gguf:'.length));
    if ('problem' in model) {
      throw new UsageError(
        `--model “${value}” is not gguf:owner/name/file.gguf, a GGUF in a Hugging Face-style repository.`,
      );
    }
    return { kind: 'gguf', id: model.id, path: `${model.repo}/${model.file}` };
  }
  if (extname(value).toLowerCase() === '.gguf') return { kind: 'file', path: value };
  throw new UsageError(
    `--model “${value}” is neither a language model of the app's catalogue nor a .gguf file. ` +
      `Catalogue ids include ${GGUF_MODELS[0]?.id} and ${WEB_LLM_MODELS[0]?.id}.`,
  );
}

/** The app's URL parameters for these options (settings.svelte.ts and core/web/share-link.ts). */
export function pageParams(options: Options): Record<string, string> {
  // Embeddings on WASM: WebGPU in headless Chromium, when there is any, is for the language model.
  const params: Record<string, string> = { backend: 'wasm' };
  if (options.embedder) params.embedder = options.embedder;
  if (options.retrieval) params.retrieval = options.retrieval;
  if (options.topK !== undefined) params.topk = String(options.topK);
  if (options.maxTokens !== undefined) params.max_tokens = String(options.maxTokens);
  if (options.temperature !== undefined) params.temperature = String(options.temperature);
  if (options.seed !== undefined) params.seed = String(options.seed);
  if (options.model.kind === 'catalogue') params.llm = options.model.id;
  if (options.model.kind === 'gguf') params.gguf = options.model.path;
  return params;
}

/** The first `limit` questions of `set` as a JSONL file to import, named after the set. */
export function limitedSetFile(set: QuestionSet, limit: number): { name: string; text: string } {
  const stem = set.name
    .replace(/\.[^.\s]{1,8}$/, '')
    .replace(/[^\w-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return {
    name: `${stem || 'questions'}-first-${Math.min(limit, set.questions.length)}.jsonl`,
    text: questionsToJsonl(set.questions.slice(0, limit)),
  };
}

// --- The scoreboard ---------------------------------------------------------------------------

/** "12 / 20 (60 %)", or "–" out of nothing. */
function fraction(part: number, whole: number): string {
  return whole === 0 ? '–' : `${part} / ${whole} (${Math.round((100 * part) / whole)} %)`;
}

/** A table cell: on one line, unable to end the cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;

/**
 * The run's scoreboard in Markdown: what was run, each summary figure (counts out of what they
 * count, with the percentage; support figures only when answers were checked), why grounded
 * answers missed, then one line per category.
 */
export function scoreboard(run: EvalRun, score: RunScore = scoreRun(run)): string {
  const s = score.summary;
  const asked = score.questions.length;
  const total = run.questionSet.questions.length;
  const settings = new Map(describeSettings(run.settings).map((line) => [line.key, line.value]));
  const out: string[] = [
    `## ${cell(run.questionSet.name)}: ${run.cancelled ? `cancelled after ${asked} of ${total} questions` : plural(asked, 'question')}`,
    '',
    [
      run.settings.languageModel,
      `${plural(run.knowledgeBase.documents, 'document')}, ${plural(run.knowledgeBase.chunks, 'passage')}`,
      run.settings.embeddingModel,
      `${settings.get('retrieval.mode')}, top ${run.settings.topK}`,
      `temperature ${run.settings.sampling.temperature}, seed ${run.settings.sampling.seed}, ` +
        `max tokens ${run.settings.sampling.maxTokens}`,
    ].join(' · '),
    '',
  ];
  const scored = s.answerable - s.answerableWithoutFacts;
  const label = (key: keyof typeof SUMMARY_LABELS) => SUMMARY_LABELS[key];
  const time = (ms: number | null) => (ms === null ? '–' : formatDuration(ms));
  const rate = (value: number | null) => (value === null ? '–' : value.toFixed(1));
  const rows: [string, string][] = [
    [label('questions'), String(s.questions)],
    [label('answerable'), String(s.answerable)],
    ...(s.answerableWithoutFacts > 0
      ? [[label('answerableWithoutFacts'), String(s.answerableWithoutFacts)] as [string, string]]
      : []),
    [label('groundedCorrect'), fraction(s.groundedCorrect, scored)],
    [label('ungroundedCorrect'), fraction(s.ungroundedCorrect, scored)],
    [label('groundedDeclinedAnswerable'), fraction(s.groundedDeclinedAnswerable, s.answerable)],
    [label('unanswerable'), String(s.unanswerable)],
    [label('groundedAbstained'), fraction(s.groundedAbstained, s.unanswerable)],
    [label('ungroundedAbstained'), fraction(s.ungroundedAbstained, s.unanswerable)],
    [label('withSource'), String(s.withSource)],
    [label('sourceHitAt1'), fraction(s.sourceHitAt1, s.withSource)],
    [
      label('sourceHitAtK').replace('top k (hit@k)', `top ${s.k} (hit@${s.k})`),
      fraction(s.sourceHitAtK, s.withSource),
    ],
    [label('mrr'), s.withSource === 0 ? '–' : s.mrr.toFixed(3)],
    [label('sourceInPrompt'), fraction(s.sourceInPrompt, s.withSource)],
    [label('groundedCitesSource'), fraction(s.groundedCitesSource, s.withSource)],
    [label('groundedAnswersChecked'), fraction(s.groundedAnswersChecked, s.questions)],
    [label('ungroundedAnswersChecked'), fraction(s.ungroundedAnswersChecked, s.questions)],
    // The answer inspector's figures, over the sentences and citations of the checked answers.
    ...(s.groundedAnswersChecked + s.ungroundedAnswersChecked === 0
      ? []
      : ([
          ...(['grounded', 'ungrounded'] as const).flatMap((side) =>
            (['Supported', 'Partial', 'NotFound'] as const).map((level): [string, string] => [
              label(`${side}Sentences${level}`),
              fraction(s[`${side}Sentences${level}`], s[`${side}SentencesChecked`]),
            ]),
          ),
          [
            `${label('groundedCitationsHolding')} (citation precision)`,
            fraction(s.groundedCitationsHolding, s.groundedCitationsChecked),
          ],
          [label('groundedDetailsInNoPassage'), String(s.groundedDetailsInNoPassage)],
          [label('ungroundedDetailsInNoPassage'), String(s.ungroundedDetailsInNoPassage)],
        ] as [string, string][])),
    [label('groundedMeanFirstTokenMs').replace(' (ms)', ''), time(s.groundedMeanFirstTokenMs)],
    [label('ungroundedMeanFirstTokenMs').replace(' (ms)', ''), time(s.ungroundedMeanFirstTokenMs)],
    [label('groundedMeanTokensPerSecond'), rate(s.groundedMeanTokensPerSecond)],
    [label('ungroundedMeanTokensPerSecond'), rate(s.ungroundedMeanTokensPerSecond)],
  ];
  out.push('| Figure | Value |', '| --- | --- |', ...rows.map(row), '');

  const misses = Object.entries(groundedMisses(score)).filter(([, n]) => n > 0);
  if (misses.length > 0) {
    out.push('| Why grounded answers missed a fact | Answers |', '| --- | --- |');
    for (const [reason, n] of misses) {
      out.push(row([GROUNDED_MISS_LABELS[reason as GroundedMiss], fraction(n, scored)]));
    }
    out.push('');
  }

  if (score.groups.length > 0) out.push(...categoryTable(score), '');
  if (score.notAsked.length > 0) {
    out.push(
      `Not asked (the run was cancelled): ${plural(score.notAsked.length, 'question')}.`,
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Answers that ended 'failed', as lines naming the question and the engine's error. */
export function failedAnswers(score: RunScore): string[] {
  const lines: string[] = [];
  for (const q of score.questions) {
    for (const [which, answer] of [
      ['grounded', q.result.grounded],
      ['ungrounded', q.result.ungrounded],
    ] as const) {
      if (answer.end === 'failed') {
        lines.push(`“${q.question.question}” (${which}): ${answer.error ?? 'failed'}`);
      }
    }
  }
  return lines;
}

// --- Driving the app --------------------------------------------------------------------------

const root = fileURLToPath(new URL('..', import.meta.url));
const SAMPLES = join(root, 'static', 'samples');

const started = Date.now();
function log(message: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  const stamp = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  console.error(`[${stamp}] ${message}`);
}

const crashed = new WeakSet<Page>();
/** Ctrl-C is stopping everything. */
let stopping = false;

/** Texts of every alert on the page (the app's alerts, a panel's own). */
async function alertsOn(page: Page): Promise<string[]> {
  const texts = await page.getByRole('alert').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').replace(/×$/, '').trim()).filter(Boolean);
}

/**
 * Polls `check` every half second until it returns a value other than undefined; throws when an
 * alert appears on the page, the page crashes, or `timeoutMs` passes (naming `what`).
 */
async function until<T>(
  page: Page,
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (crashed.has(page)) {
      throw new RunError(
        `The page crashed while waiting for ${what} (out of memory?). Close other programs, or ` +
          'try a smaller model or fewer documents.',
      );
    }
    if (page.isClosed()) throw new RunError(`The page closed while waiting for ${what}.`);
    const alerts = await alertsOn(page);
    if (alerts.length > 0) {
      throw new RunError(
        `While waiting for ${what}, the app said:\n${alerts.map((a) => `  ${a}`).join('\n')}`,
      );
    }
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new RunError(
        `Timed out after ${formatDuration(timeoutMs)} waiting for ${what}. The machine may be ` +
          'too busy, or the app stuck: try again with fewer documents or questions (--limit).',
      );
    }
    await page.waitForTimeout(500);
  }
}

/** Adds the documents; resolves with how many the Documents list shows. */
async function addDocuments(page: Page, docs: string): Promise<number> {
  let expected: number;
  if (docs === 'samples') {
    const manifest = JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8')) as {
      documents: unknown[];
    };
    expected = manifest.documents.length;
    log(`Adding the ${expected} sample documents (Load sample documents)…`);
    await page.getByRole('button', { name: 'Load sample documents' }).click();
  } else {
    const files = await filesOf(docs);
    expected = files.length;
    log(`Adding ${plural(expected, 'file')} of ${docs} (Add documents)…`);
    await page.getByLabel('Add documents', { exact: true }).setInputFiles(files);
  }
  const documents = page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
  const jobs = page.getByRole('list', { name: 'Files being added' });
  let shown = -1;
  let idleSince: number | null = null;
  return until(page, 'the documents to be added', 60 * 60_000, async () => {
    const count = await documents.count();
    if (count !== shown) {
      shown = count;
      if (count > 0) log(`  ${count} of ${plural(expected, 'document')} added`);
    }
    if (count >= expected) return count;
    // Every job finished (none has a progress bar) but documents are missing: skipped ones.
    const idle =
      (await jobs.count()) > 0 &&
      (await jobs.getByRole('listitem').count()) > 0 &&
      (await jobs.getByRole('progressbar').count()) === 0;
    idleSince = idle ? (idleSince ?? Date.now()) : null;
    if (idleSince !== null && Date.now() - idleSince > 10_000) {
      const items = await jobs.getByRole('listitem').allInnerTexts();
      const missing = items
        .map((t) => t.replace(/\s+/g, ' ').trim())
        .filter((t) => !/\bAdded · /.test(t));
      throw new RunError(
        `Only ${count} of ${plural(expected, 'document')} were added:\n` +
          missing.map((t) => `  ${t}`).join('\n') +
          '\nRemove or fix those files and run again.',
      );
    }
    return undefined;
  });
}

/** The files directly in `dir`, not hidden ones; throws when there is none or no such folder. */
async function filesOf(dir: string): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new RunError(`--docs ${dir}: no such folder. Give a folder of documents, or samples.`);
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
    .sort();
  if (files.length === 0) {
    throw new RunError(
      `--docs ${dir} holds no files (subfolders are not read). Put the documents directly in it.`,
    );
  }
  return files;
}

/** Loads the language model; resolves with the Language model status line. */
async function loadModel(page: Page, model: ModelChoice): Promise<string> {
  const status = page.getByRole('status', { name: 'Language model status' });
  if (model.kind === 'file') {
    log(`Loading ${model.path} (Load model file)…`);
    await page.getByLabel('Load model file', { exact: true }).setInputFiles(model.path);
  } else {
    const load = page.getByRole('button', { name: 'Load model', exact: true });
    const selected = page
      .getByRole('list', { name: 'Language models' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('radio', { checked: true }) });
    if (await load.isDisabled()) {
      const why = ((await selected.textContent()) ?? '').replace(/\s+/g, ' ').trim();
      throw new RunError(`The app cannot load ${model.id} on this browser: ${why}`);
    }
    log(`Loading ${model.id} (Load model)…`);
    await load.click();
  }
  let last = '';
  return until(page, 'the language model to load', 30 * 60_000, async () => {
    // innerText: as shown, without the progress bar's fallback text.
    const text = (await status.innerText())
      .replace(/\s+/g, ' ')
      .replace(/\s*·\s*/g, ' · ')
      .trim();
    if (/ is ready\b/.test(text)) return text;
    if (/stopped working/.test(text)) throw new RunError(`The language model failed: ${text}`);
    // Loading lines change with every byte; a line per tenth is enough.
    const shown = text.replace(/(\d+)%/, (_, p: string) => `${Math.floor(Number(p) / 10) * 10}%`);
    if (text && shown !== last) {
      last = shown;
      log(`  ${text}`);
    }
    return undefined;
  });
}

/** Picks the question set in the Evaluation panel; resolves with a description of it. */
async function chooseSet(page: Page, evaluation: Locator, options: Options): Promise<string> {
  if (options.set === 'samples' && options.limit === undefined) {
    // Enabled once the app has read the sample set (QUESTIONS.md).
    await evaluation.getByRole('radio', { name: 'Sample questions' }).check({ timeout: 60_000 });
    return 'Sample questions';
  }
  let path = options.set;
  let temp: string | undefined;
  if (options.limit !== undefined) {
    const set =
      options.set === 'samples'
        ? parseSampleSet(readFileSync(join(SAMPLES, 'QUESTIONS.md'), 'utf8'))
        : importQuestions(await readQuestionFile(options.set), basename(options.set));
    const file = limitedSetFile(set, options.limit);
    temp = await mkdtemp(join(tmpdir(), 'grounded-eval-set-'));
    path = join(temp, file.name);
    await writeFile(path, file.text);
  } else {
    await readQuestionFile(path); // says so when it is missing
  }
  try {
    await evaluation.getByLabel('Import questions', { exact: true }).setInputFiles(path);
    const imported = evaluation.getByRole('radio', { name: 'Imported questions' });
    await until(page, 'the questions to be imported', 60_000, async () =>
      (await imported.isChecked()) ? true : undefined,
    );
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
  return basename(path);
}

async function readQuestionFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new RunError(
      `--set ${path}: ${messageOf(error)}. Give a JSONL or CSV question file, or samples.`,
    );
  }
}

/**
 * Clicks Run evaluation and waits for the run to end, printing the progress bar's words as they
 * change; `cancelRequested` is polled, and once true, Cancel is clicked.
 */
async function runEvaluation(
  page: Page,
  evaluation: Locator,
  cancelRequested: () => boolean,
): Promise<string> {
  const run = evaluation.getByRole('button', { name: 'Run evaluation', exact: true });
  if (await run.isDisabled()) {
    // The panel says why beside the button (aria-describedby).
    const ids = (await run.getAttribute('aria-describedby'))?.split(/\s+/).filter(Boolean) ?? [];
    const why = (
      await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()))
    ).join(' ');
    throw new RunError(`Run evaluation is disabled${why.trim() ? `: ${why.trim()}` : ''}.`);
  }
  await run.click();
  const progress = evaluation.getByRole('progressbar', { name: 'Evaluation progress' });
  const status = evaluation.getByRole('status', { name: 'Evaluation status' });
  let said = '';
  let cancelled = false;
  let lastChange = Date.now();
  return until(page, 'the evaluation to finish', 24 * 60 * 60_000, async () => {
    const text = ((await status.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    if (/^(Finished|Cancelled)/.test(text)) return text;
    if (cancelRequested() && !cancelled) {
      cancelled = true;
      log('Cancelling (Ctrl-C again stops at once)…');
      await evaluation.getByRole('button', { name: 'Cancel', exact: true }).click();
    }
    const words =
      (await progress.count()) > 0 ? ((await progress.getAttribute('aria-valuetext')) ?? '') : '';
    if (words && words !== said) {
      said = words;
      lastChange = Date.now();
      log(`  ${words}`);
    }
    // No question in this long: something is stuck, not slow.
    if (Date.now() - lastChange > 60 * 60_000) {
      throw new RunError(`No progress for an hour (last: “${said || text}”).`);
    }
    return undefined;
  });
}

/** Exports the shown run with Export JSON; resolves with the file's name and text. */
async function exportRun(page: Page): Promise<{ name: string; text: string }> {
  const scoreboardRegion = page.getByRole('region', { name: 'Scoreboard', exact: true });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    scoreboardRegion.getByRole('button', { name: 'Export JSON', exact: true }).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

async function main(options: Options): Promise<number> {
  if (options.docs !== 'samples') await filesOf(options.docs);
  if (options.set !== 'samples') await readQuestionFile(options.set);
  if (options.model.kind === 'file' && !existsSync(options.model.path)) {
    throw new RunError(`--model ${options.model.path}: no such file.`);
  }
  if (!options.models && !existsSync(join(root, 'models'))) {
    throw new RunError('models/ is missing: run `npm run models` first, or give --models URL.');
  }
  log(`Building the app and serving it${options.models ? '' : ' with a mirror of models/'}…`);
  const app = await startApp({
    root,
    ...(options.models ? { modelSource: options.models } : { models: [join(root, 'models')] }),
    params: pageParams(options),
    logLevel: 'error',
  });
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await app.close();
  };
  // Ctrl-C: during the run, Cancel (what finished is printed); before it, or a second time, stop.
  let running = false;
  let cancelRequested = false;
  process.on('SIGINT', () => {
    if (running && !cancelRequested) {
      cancelRequested = true;
      return;
    }
    stopping = true;
    log('Stopped.');
    void stop().finally(() => process.exit(130));
  });
  try {
    const webGpu = options.model.kind === 'catalogue' && options.model.engine === 'web-llm';
    browser = await launchChromium(webGpu ? 'webgpu' : 'wasm', { handleSIGINT: false });
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('crash', () => crashed.add(page));
    await page.goto(app.url());
    const evaluation = page.getByRole('region', { name: 'Evaluation', exact: true });
    try {
      await evaluation.waitFor({ timeout: 60_000 });
    } catch {
      throw new RunError(
        'The app shows no Evaluation panel (a region named Evaluation). Is this checkout older than the panel?',
      );
    }
    await until(page, 'the app to start', 60_000, async () => true);

    // The questions first: a bad file fails before minutes of embedding and loading.
    const set = await chooseSet(page, evaluation, options);
    log(`Questions: ${set}.`);
    const documents = await addDocuments(page, options.docs);
    log(`${plural(documents, 'document')} in the knowledge base.`);
    const status = await loadModel(page, options.model);
    log(status);
    log(`Running ${set}…`);
    running = true;
    const end = await runEvaluation(page, evaluation, () => cancelRequested);
    running = false;
    log(end);

    if (!(await page.getByRole('region', { name: 'Scoreboard', exact: true }).count())) {
      // Cancelled before the first question finished: no run to show or export.
      return 130;
    }
    const file = await exportRun(page);
    const run = parseRunJson(file.text, file.name);
    const score = scoreRun(run);
    process.stdout.write(scoreboard(run, score));
    const failed = failedAnswers(score);
    if (failed.length > 0) {
      log(`${plural(failed.length, 'answer')} failed:\n${failed.map((f) => `  ${f}`).join('\n')}`);
    }
    if (options.json) {
      await writeFile(options.json, runToJson(run));
      log(`Wrote the run and its summary to ${options.json}.`);
    }
    if (pageErrors.length > 0) {
      log(`The page reported errors:\n${pageErrors.map((e) => `  ${e}`).join('\n')}`);
    }
    log(`Done in ${formatDuration(Date.now() - started)}.`);
    return run.cancelled ? 130 : 0;
  } finally {
    await stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options: Options | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${messageOf(error)}\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    process.exit(await main(options));
  } catch (error) {
    // After Ctrl-C the browser closing under a step is no news: the handler exits.
    if (!stopping) {
      console.error(messageOf(error));
      process.exit(1);
    }
  }
}
