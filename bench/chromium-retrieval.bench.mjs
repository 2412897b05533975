/**
 * Retrieval in headless Chromium, in one run:
 *
 * 1. opening a knowledge base of 100,000 stored 384-d vectors from IndexedDB until the first
 *    query can run: the app's layout (segments of 16,384 rows with their int8 codes, written by
 *    compaction after adding; opened by the search worker's own handler) against one record per
 *    vector. Goal: ≥ 10× faster, and under 1 s;
 * 2. dense top-10 over 100,000 × 384: VectorIndex's int8 WASM SIMD first pass with exact
 *    rescoring against its Float32 scan. Goal: ≥ 4× faster, recall@10 ≥ 0.99;
 * 3. BM25 (KeywordIndex) over 100,000 synthetic chunks: build and query time;
 * 4. the built app adding documents of about 1,000 chunks in all through its file input, with
 *    the tiny test embedder on WASM: main-thread long tasks (PerformanceObserver `longtask`).
 *    Goal: none longer than 50 ms. A second, traced run times every task (the observer sees
 *    only those over 50 ms) and names what the longest ones spent their time on.
 *
 * 1–3 run in a dedicated worker of bench/chromium-retrieval/, as the app's search worker does.
 * Chromium runs with a profile on disk (not incognito, whose IndexedDB lives in memory) and is
 * restarted before each opening, so no database is open or cached in the browser beforehand.
 *
 *   npm run bench -- chromium
 *   GROUNDED_BENCH_ONLY=retrieval npm run bench -- chromium   # 1–3 only; `ingest`: 4 only
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { makeTestModels } from '../scripts/make-tiny-embedder.mjs';
import { startMirror } from '../scripts/serve-mirror.mjs';
import { launchPersistentChromium } from '../test/e2e/chromium.mjs';
import { serveIsolated } from './serve-isolated.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const modelsDir = join(root, 'test/fixtures/models');

const ROWS = 100_000;
const DIM = 384;
/** Documents of 100 chunks: 1,000 vector records in the app's layout. */
const PER_DOC = 100;
/** The three ways of opening, in every order: each goes first, second and third twice. */
const ORDERS = /** @type {const} */ ([
  ['blocks', 'blocks-steps', 'per-vector'],
  ['blocks', 'per-vector', 'blocks-steps'],
  ['blocks-steps', 'blocks', 'per-vector'],
  ['blocks-steps', 'per-vector', 'blocks'],
  ['per-vector', 'blocks', 'blocks-steps'],
  ['per-vector', 'blocks-steps', 'blocks'],
]);
const OPEN_ROUNDS = ORDERS.length;
const SETTLE_MS = 2000;
const DENSE_QUERIES = 50;
const INGEST_FILES = 20;
const LONG_TASK_MS = 50;

/** Chromium with a profile on disk, so IndexedDB is written to and read from files. */
const launch = (/** @type {string} */ profile) => launchPersistentChromium(profile);

/**
 * @typedef {import('./chromium-retrieval/worker').BenchMethods} BenchMethods
 * @typedef {{ name: string, columns?: string[], rows: string[][], ok: boolean }} BenchResult
 */

/**
 * Runs one request in a fresh worker of the benchmark page.
 * @template {keyof BenchMethods} K
 * @param {import('playwright-core').Page} page @param {K} type
 * @param {BenchMethods[K]['request']} request
 * @returns {Promise<BenchMethods[K]['result']>}
 */
function inPage(page, type, request) {
  return page.evaluate(
    ([type, request]) => /** @type {any} */ (window).bench(type, request),
    /** @type {const} */ ([type, request]),
  );
}

/** @param {import('playwright-core').BrowserContext} context @param {string} url */
async function benchPage(context, url) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${url}bench/chromium-retrieval/index.html`);
  await page.waitForFunction(() => document.title === 'ready');
  return page;
}

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
/** @param {number} value */
const ms = (value) =>
  value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
/** @param {number} bytes */
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
/** @param {number} ratio */
const times = (ratio) => `${ratio.toFixed(1)}×`;
const count = (/** @type {number} */ n) => n.toLocaleString('en');

/** @param {string} url @param {string} profile @returns {Promise<BenchResult[]>} */
async function retrieval(url, profile) {
  const shape = {
    appDb: 'grounded-bench-blocks',
    perVectorDb: 'grounded-bench-per-vector',
    rows: ROWS,
    perDoc: PER_DOC,
    dim: DIM,
  };
  let context = await launch(profile);
  const written = await inPage(await benchPage(context, url), 'write', shape);
  await context.close();
  // As added, before the search worker's background compaction: one opening, for comparison.
  context = await launch(profile);
  await inPage(await benchPage(context, url), 'warm', {});
  const uncompacted = await inPage(await benchPage(context, url), 'open', {
    ...shape,
    layout: 'blocks',
  });
  const compacted = await inPage(await benchPage(context, url), 'compact', shape);
  await context.close();

  /** @type {import('./chromium-retrieval/worker').OpenRun[]} */
  const runs = [];
  for (let round = 0; round < OPEN_ROUNDS; round++) {
    // A fresh browser each round, so no database is open or cached. The rounds run the layouts
    // in all six orders: reading 100,000 records leaves the browser busy for a moment after
    // (openings right after it were 60–150 ms slower), so a fixed rotation would always put the
    // same layout right after the baseline.
    context = await launch(profile);
    const page = await benchPage(context, url);
    await inPage(page, 'warm', {});
    for (const layout of ORDERS[round % ORDERS.length] ?? []) {
      runs.push(await inPage(page, 'open', { ...shape, layout }));
      // Let the browser finish with the last opening (freeing its worker's heap, its database's
      // caches) before the next: each opening is timed in a browser that is otherwise idle.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    }
    await context.close();
  }
  /** @param {import('./chromium-retrieval/worker').OpenRun['layout']} layout */
  const of = (layout) => {
    const rs = runs.filter((r) => r.layout === layout);
    return {
      openMs: median(rs.map((r) => r.openMs)),
      parts: `${ms(median(rs.map((r) => r.readMs ?? 0)))} + ${ms(median(rs.map((r) => r.indexMs ?? 0)))}`,
      firstQueryMs: median(rs.map((r) => r.firstQueryMs ?? 0)),
      codesMs: median(rs.map((r) => r.codesMs ?? 0)),
      all: rs.map((r) => ms(r.openMs)).join(', '),
      vectors: rs.every((r) => r.vectors === ROWS),
    };
  };
  const blocks = of('blocks');
  const steps = of('blocks-steps');
  const perVector = of('per-vector');

  context = await launch(profile);
  const page = await benchPage(context, url);
  const dense = [];
  for (const [kind, seed] of /** @type {const} */ ([
    ['random', 1],
    ['clustered', 2],
  ])) {
    dense.push(
      await inPage(page, 'dense', { kind, rows: ROWS, dim: DIM, queries: DENSE_QUERIES, seed }),
    );
  }
  const keyword = await inPage(page, 'keyword', {});
  await context.close();

  return [
    {
      name:
        `Opening ${count(ROWS)} × ${DIM} stored vectors from IndexedDB until the first query ` +
        `can run (${count(written.documents)} documents; median of ${OPEN_ROUNDS} browser starts)`,
      columns: ['layout', 'records', 'open', 'read + build index', 'speed-up', 'note'],
      rows: [
        [
          'one record per vector (getAll + VectorIndex)',
          count(ROWS),
          ms(perVector.openMs),
          perVector.parts,
          times(1),
          `baseline; runs ${perVector.all}; written in ${ms(written.perVectorMs)}`,
        ],
        [
          'app, as added: blocks of ≤ 1,024 rows per document (search handler open)',
          count(written.blocks),
          ms(uncompacted.openMs),
          '',
          times(perVector.openMs / uncompacted.openMs),
          `one run, before compaction; written in ${ms(written.blocksMs)}`,
        ],
        [
          'app, compacted: segments of 16,384 rows, codes read after (search handler open)',
          count(compacted.segments),
          ms(blocks.openMs),
          '',
          times(perVector.openMs / blocks.openMs),
          `goal ≥ 10× and < 1 s; runs ${blocks.all}; compaction took ${ms(compacted.ms)} in the background`,
        ],
        [
          'app, compacted: the same steps, timed one by one',
          count(compacted.segments),
          ms(steps.openMs),
          steps.parts,
          times(perVector.openMs / steps.openMs),
          `runs ${steps.all}; int8 codes in after ${ms(steps.codesMs)} (searches scan until then)`,
        ],
        [
          'app: open + first dense search, passages read',
          '',
          ms(blocks.firstQueryMs),
          '',
          '',
          'the keyword index builds meanwhile',
        ],
      ],
      ok:
        blocks.vectors &&
        steps.vectors &&
        perVector.vectors &&
        perVector.openMs / blocks.openMs >= 10 &&
        blocks.openMs < 1000,
    },
    {
      name: `Dense top-10 over ${count(ROWS)} × ${DIM} (Chromium worker), median of ${DENSE_QUERIES} queries`,
      columns: [
        'vectors',
        'Float32 scan',
        'int8 WASM SIMD + rescoring',
        'speed-up',
        'recall@10',
        'rows rescored',
        'memory: scan / quantized',
      ],
      rows: dense.map((d) => [
        d.kind === 'random' ? 'random (Gaussian, unit length)' : 'clustered (200 centres)',
        ms(d.scanMs),
        ms(d.quantizedMs),
        times(d.scanMs / d.quantizedMs),
        d.recall.toFixed(3),
        d.rescored.toFixed(0),
        `${mib(d.scanBytes)} / ${mib(d.quantizedBytes)}`,
      ]),
      ok: dense.every((d) => d.simd && d.scanMs / d.quantizedMs >= 4 && d.recall >= 0.99),
    },
    {
      name:
        `BM25 over ${count(keyword.chunks)} chunks (${(keyword.words / 1e6).toFixed(1)}M words, ` +
        `${count(keyword.terms)} terms) in a Chromium worker, top-10`,
      columns: ['measure', 'KeywordIndex', 'note'],
      rows: [
        ['build (analysis included)', ms(keyword.buildMs), 'the Node benchmark’s corpus'],
        ['query', ms(keyword.queryMs), `median of ${keyword.queries} queries of 3–6 words`],
        ['memory (typed arrays)', mib(keyword.bytes), ''],
        [
          'restore from snapshot',
          ms(keyword.restoreMs),
          'structured clone included, until the first query can run',
        ],
      ],
      ok: true,
    },
  ];
}

/**
 * Markdown documents put together from the sample corpus's paragraphs, twelve sections of nine
 * paragraphs under headings, written to `dir`: the same every run, and no two alike.
 * @param {string} dir @param {number} files @returns {Promise<string[]>} their paths
 */
async function ingestFiles(dir, files) {
  const samples = join(root, 'static/samples');
  /** @type {{ documents: { file: string }[] }} */
  const manifest = JSON.parse(await readFile(join(samples, 'manifest.json'), 'utf8'));
  /** @type {string[]} */
  const paragraphs = [];
  for (const { file } of manifest.documents) {
    for (const part of (await readFile(join(samples, file), 'utf8')).split(/\n\s*\n/)) {
      const paragraph = part.trim();
      if (paragraph.length > 80 && !paragraph.startsWith('#')) paragraphs.push(paragraph);
    }
  }
  let state = 12345;
  const pick = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return paragraphs[Math.floor((state / 2 ** 32) * paragraphs.length)] ?? '';
  };
  const paths = [];
  for (let f = 1; f <= files; f++) {
    let text = `# Operations handbook, volume ${f}\n`;
    for (let section = 1; section <= 12; section++) {
      text += `\n## Part ${section}: ${pick().split(/[.:]/)[0]?.slice(0, 60)}\n`;
      for (let p = 0; p < 9; p++) text += `\n${pick()}\n`;
    }
    const path = join(dir, `handbook-${String(f).padStart(2, '0')}.md`);
    await writeFile(path, text);
    paths.push(path);
  }
  return paths;
}

/**
 * @typedef {{ ph: string, name: string, pid: number, tid: number, ts: number, dur?: number,
 *   args?: any }} TraceEvent
 */

const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
].join(',');

/** Stops tracing and returns its events. @param {import('playwright-core').CDPSession} cdp */
async function endTrace(cdp) {
  /** @type {Promise<{ stream?: string }>} */
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  if (!stream) return [];
  const parts = [];
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    parts.push(Buffer.from(chunk.data, chunk.base64Encoded ? 'base64' : 'utf8'));
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(Buffer.concat(parts).toString('utf8'));
  /** @type {TraceEvent[]} */
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  return events;
}

/**
 * The renderer main thread's tasks, longest first, each named by what took most of it: the
 * trace events inside it that took at least a tenth of it, outermost first.
 * @param {TraceEvent[]} events @returns {{ ms: number, what: string }[]}
 */
function mainThreadTasks(events) {
  const main = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`));
  /** @param {TraceEvent} e */
  const label = (e) => {
    const data = e.args?.data ?? {};
    const mojo = e.args?.chrome_mojo_event_info;
    if (mojo?.mojo_interface_tag) {
      return `${e.name} (${mojo.mojo_interface_tag}, ${count(mojo.data_num_bytes ?? 0)} bytes)`;
    }
    if (data.url) {
      return `${e.name} ${data.functionName || '(anonymous)'} ${basename(data.url)}:${data.lineNumber}:${data.columnNumber}`;
    }
    return data.type ? `${e.name} ${data.type}` : e.name;
  };
  return onMain
    .filter((e) => e.name === 'RunTask')
    .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))
    .map((task, i) => {
      if (i >= 3 && (task.dur ?? 0) <= LONG_TASK_MS * 1000)
        return { ms: (task.dur ?? 0) / 1000, what: '' };
      const end = task.ts + (task.dur ?? 0);
      const inside = onMain.filter(
        (e) =>
          e !== task &&
          e.name !== 'ThreadControllerImpl::RunTask' &&
          e.ts >= task.ts &&
          e.ts < end &&
          (e.dur ?? 0) >= (task.dur ?? 0) / 10,
      );
      const what = inside
        .slice(0, 4)
        .map((e) => `${label(e)} ${ms((e.dur ?? 0) / 1000)}`)
        .join(' › ');
      return { ms: (task.dur ?? 0) / 1000, what: what || 'nothing traced inside' };
    });
}

/**
 * Adds `paths` through the app's file input and waits until the Documents list shows them all,
 * observing main-thread long tasks from the choice of the files on.
 * @param {string} url @param {string} mirror @param {string} profile @param {string[]} paths
 * @param {boolean} trace also record a Chromium trace, to time every task and say what it was
 */
async function addDocuments(url, mirror, profile, paths, trace) {
  const context = await launch(profile);
  try {
    await context.addInitScript(() => {
      /** @type {{ start: number, duration: number }[]} */
      const tasks = [];
      /** @type {any} */ (window).longTasks = tasks;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          tasks.push({ start: entry.startTime, duration: entry.duration });
        }
      }).observe({ type: 'longtask', buffered: true });
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const app = new URL(url);
    app.searchParams.set('models', mirror);
    app.searchParams.set('embedder', 'grounded-test/tiny-embedder');
    await page.goto(app.href);
    const documents = page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
    await page.getByText('No documents yet.').waitFor();

    const cdp = trace ? await context.newCDPSession(page) : null;
    await cdp?.send('Tracing.start', {
      categories: TRACE_CATEGORIES,
      transferMode: 'ReturnAsStream',
    });
    const started = await page.evaluate(() => performance.now());
    // Paths, not buffers: the browser reads the files as it does those a person picks. (Buffers
    // travel to the page in one DevTools message, itself a main-thread task of about 90 ms.)
    await page.getByLabel('Add documents').setInputFiles(paths);
    // A plain selector polled in the page: role queries walk the whole document, and would be
    // main-thread tasks of the benchmark's own.
    const failed = new Promise((_, reject) => page.once('pageerror', reject));
    await Promise.race([
      page.waitForFunction(
        (n) => document.querySelectorAll('[aria-label="Documents"] > li').length >= n,
        paths.length,
        { polling: 250, timeout: 300_000 },
      ),
      failed,
    ]);
    const ended = await page.evaluate(() => performance.now());
    await page.waitForTimeout(1000); // tasks that end after the last document shows still count
    const events = cdp ? await endTrace(cdp) : [];
    /** @type {{ start: number, duration: number }[]} */
    const tasks = await page.evaluate(() => /** @type {any} */ (window).longTasks);
    const chunks = (await documents.allTextContents()).reduce(
      (n, text) => n + Number(/([\d,]+) chunks?/.exec(text)?.[1]?.replace(/,/g, '') ?? NaN),
      0,
    );
    return {
      ms: ended - started,
      durations: tasks.filter((t) => t.start >= started).map((t) => t.duration),
      chunks,
      traced: mainThreadTasks(events),
    };
  } finally {
    await context.close();
  }
}

/** @param {string} url @param {string} tmp @returns {Promise<BenchResult>} */
async function ingest(url, tmp) {
  await makeTestModels(modelsDir);
  const mirror = await startMirror({ dir: modelsDir });
  try {
    const paths = await ingestFiles(await mkdtemp(join(tmp, 'files-')), INGEST_FILES);
    const run = await addDocuments(url, mirror.url, await mkdtemp(join(tmp, 'p-')), paths, false);
    const over = run.durations.filter((d) => d > LONG_TASK_MS);
    // PerformanceObserver sees only tasks over 50 ms: a traced run times every task, and says
    // what the longest were (tracing itself slows the page a little).
    const traced = await addDocuments(url, mirror.url, await mkdtemp(join(tmp, 'p-')), paths, true);
    const tracedOver = traced.traced.filter((t) => t.ms > LONG_TASK_MS);
    const rows = [
      [
        'from choosing the files to the last one listed',
        ms(run.ms),
        `${(run.chunks / (run.ms / 1000)).toFixed(0)} chunks/s`,
      ],
      [
        `tasks longer than ${LONG_TASK_MS} ms`,
        String(over.length),
        `PerformanceObserver longtask${over.length ? `: ${over.map((d) => ms(d)).join(', ')}` : ''}`,
      ],
      [
        'longest main-thread task (traced run)',
        ms(traced.traced[0]?.ms ?? 0),
        `goal ≤ ${LONG_TASK_MS} ms; ${traced.traced[0]?.what ?? ''}`,
      ],
      ...traced.traced
        .slice(1, Math.max(3, tracedOver.length))
        .map((t, i) => [`  ${i + 2}.`, ms(t.ms), t.what]),
      [
        '  tasks in the traced run',
        count(traced.traced.length),
        `${tracedOver.length} over ${LONG_TASK_MS} ms, in ${ms(traced.ms)}`,
      ],
    ];
    return {
      name:
        `Main thread while adding ${paths.length} documents (${count(run.chunks)} chunks) to the ` +
        'built app, tiny embedder on WASM (Chromium)',
      columns: ['measure', 'value', 'note'],
      rows,
      ok: over.length === 0 && run.chunks > 0,
    };
  } finally {
    await mirror.close();
  }
}

/** Runs the benchmarks; returns one table each. @returns {Promise<BenchResult[]>} */
export async function run() {
  const tmp = await mkdtemp(join(tmpdir(), 'grounded-bench-'));
  const outDir = join(tmp, 'build');
  /** @type {import('node:http').Server | undefined} */
  let server;
  try {
    // The app and the benchmark page in one build, outside dist/ (which the browser tests use).
    await build({
      root,
      logLevel: 'warn',
      build: {
        outDir,
        emptyOutDir: true,
        chunkSizeWarningLimit: 8192,
        rolldownOptions: {
          input: {
            app: join(root, 'index.html'),
            bench: join(root, 'bench/chromium-retrieval/index.html'),
          },
        },
      },
    });
    const served = await serveIsolated(outDir);
    server = served.server;
    const only = process.env.GROUNDED_BENCH_ONLY; // 'retrieval' or 'ingest', while working on one
    return [
      ...(only === 'ingest'
        ? []
        : await retrieval(served.url, await mkdtemp(join(tmp, 'profile-')))),
      ...(only === 'retrieval' ? [] : [await ingest(served.url, tmp)]),
    ];
  } finally {
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const result of await run()) {
    console.log(`\n${result.name} ${result.ok ? '✓' : '✗'}`);
    for (const row of result.rows) console.log(`  ${row.join('   ')}`);
  }
}
