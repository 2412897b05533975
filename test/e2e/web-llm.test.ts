/**
 * The web-llm engine in Chromium, without model weights: the engine module and its worker are
 * built by Vite as the app builds them and served with a page that imports the engine. A load
 * goes through web-llm's real worker and the browser's Cache API up to the point where it needs
 * a file the mirror does not have (or that the test holds back), which is where downloads fail
 * in practice: this checks the error shown, that cancelling ends the worker, and that nothing is
 * left in the cache either way.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { openPage, useChromium } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MODEL = 'SmolLM2-360M-Instruct-q4f32_1-MLC';
const LABEL = 'SmolLM2 360M Instruct (q4f32)';

/** What the test page exposes: the engine module, and the files web-llm has cached. */
interface TestPage {
  engine: typeof import('../../src/lib/engines/llm/web-llm-engine');
  client: typeof import('../../src/lib/workers/web-llm/client');
  cachedUrls(): Promise<string[]>;
}
declare global {
  interface Window {
    webLlm: TestPage;
  }
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>web-llm engine</title>
<script type="module">
  import * as engine from './engine.js';
  import * as client from './client.js';
  window.webLlm = {
    engine,
    client,
    async cachedUrls() {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
      }
      return urls;
    },
  };
  document.title = 'ready';
</script>`;

let outDir: string;
let server: Server;
let pageUrl: string;
const browser = useChromium('wasm');
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
const mirror = () => inject('mirrorUrl');

async function serveStatic(dir: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const s = createServer(async (req, res) => {
    const path = normalize(join(dir, new URL(req.url ?? '/', 'http://x').pathname));
    const info = path.startsWith(dir) ? await stat(path).catch(() => null) : null;
    if (!info?.isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  return s;
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'grounded-web-llm-'));
  await build({
    root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      chunkSizeWarningLimit: 8192,
      rolldownOptions: {
        input: {
          engine: join(root, 'src/lib/engines/llm/web-llm-engine.ts'),
          client: join(root, 'src/lib/workers/web-llm/client.ts'),
        },
        preserveEntrySignatures: 'strict',
        output: { entryFileNames: '[name].js' },
      },
    },
  });
  await writeFile(join(outDir, 'index.html'), PAGE);
  server = await serveStatic(outDir);
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  // localhost, not 127.0.0.1: the Cache API needs a secure context.
  pageUrl = `http://localhost:${address.port}/index.html`;
});

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

beforeEach(async () => {
  // Only the test page and the mirror. Page errors only: the downloads meant to fail are logged
  // to the console.
  const opened = await openPage(browser(), pageUrl, {
    allowed: [pageUrl, mirror()],
    consoleErrors: false,
  });
  ({ context, page, errors: pageErrors } = opened);
  const { blocked } = opened;
  await expect.poll(() => page.title()).toBe('ready');
  return async () => {
    await context.close();
    expect(blocked).toEqual([]);
    expect(pageErrors).toEqual([]);
  };
});

/** Loads MODEL from the mirror in the page; resolves with how it ended. `abortLoad()` cancels. */
function startLoad() {
  return page.evaluate(
    async ({ model, mirror }) => {
      const engine = new window.webLlm.engine.WebLlmEngine({
        mirror,
        startWorker: window.webLlm.client.startWebLlmWorker,
      });
      const controller = new AbortController();
      (window as unknown as { abortLoad: () => void }).abortLoad = () => controller.abort();
      try {
        const loaded = await engine.load(
          { kind: 'web-llm', id: model },
          () => {},
          controller.signal,
        );
        return { ok: true as const, id: loaded.id };
      } catch (error) {
        const { name, message } = error as Error;
        return { ok: false as const, name, message };
      }
    },
    { model: MODEL, mirror: mirror() },
  );
}

const configUrl = () => `${mirror()}mlc-ai/${MODEL}/resolve/main/mlc-chat-config.json`;
const libPattern = () =>
  `${mirror()}mlc-ai/binary-mlc-llm-libs/resolve/main/web-llm-models/**/${MODEL.replace('-MLC', '')}_cs1k-webgpu.wasm`;

/** The mirror has the model's config (a minimal one); everything else is as on disk (absent). */
async function serveConfig(): Promise<string[]> {
  const requests: string[] = [];
  await page.route(configUrl(), (route) => {
    requests.push(route.request().url());
    return route.fulfill({ contentType: 'application/json', body: '{}' });
  });
  return requests;
}

describe('web-llm downloads that fail', () => {
  test('a model missing from the mirror: an error naming it and the mirror, and an empty cache', async () => {
    const result = await startLoad();
    const host = new URL(mirror()).host;
    expect(result).toMatchObject({ ok: false, name: 'ModelLoadError' });
    expect(result.ok === false && result.message).toMatch(
      new RegExp(
        `^Could not download ${LABEL.replace(/[()]/g, '\\$&')} from ${host}: .+\\. Check the connection or the models= mirror, then try again\\.$`,
      ),
    );
    expect(await page.evaluate(() => window.webLlm.cachedUrls())).toEqual([]);
    await expect.poll(() => page.workers().length).toBe(0);
  });

  test('a download that fails part-way leaves nothing behind', async () => {
    const configRequests = await serveConfig();
    const result = await startLoad();
    expect(configRequests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, name: 'ModelLoadError' });
    // The config arrived whole and web-llm stored it before the library was found missing.
    expect(await page.evaluate(() => window.webLlm.cachedUrls())).toEqual([]);
  });
});

describe('cancelling a download', () => {
  test('ends the worker at once, leaves nothing in the cache, and a new load starts afresh', async () => {
    const configRequests = await serveConfig();
    const held: Route[] = [];
    await page.route(libPattern(), (route) => void held.push(route));

    const load = startLoad();
    await expect.poll(() => held.length, { timeout: 30_000 }).toBe(1);
    // The config is in the cache while the library is on its way.
    expect(await page.evaluate(() => window.webLlm.cachedUrls())).toEqual([configUrl()]);
    expect(page.workers()).toHaveLength(1);

    await page.evaluate(() => (window as unknown as { abortLoad: () => void }).abortLoad());
    expect(await load).toEqual({
      ok: false,
      name: 'AbortError',
      message: `Loading ${LABEL} was cancelled.`,
    });
    await expect.poll(() => page.workers().length).toBe(0);
    expect(await page.evaluate(() => window.webLlm.cachedUrls())).toEqual([]);

    // A new load has a new worker, which asks for the config again; the library is now absent.
    await page.unroute(libPattern());
    const again = await startLoad();
    expect(again).toMatchObject({ ok: false, name: 'ModelLoadError' });
    expect(configRequests).toHaveLength(2);
    expect(await page.evaluate(() => window.webLlm.cachedUrls())).toEqual([]);
  });
});
