/**
 * The app built and served as `vite preview` serves it (cross-origin isolated, with its CSP), from
 * a temporary folder, with a model mirror of local folders (serve-mirror.mjs) unless a model
 * source is given: for the scripts and benchmarks that drive the real app in Chromium.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { startMirror } from './serve-mirror.mjs';

/**
 * @typedef {object} ServeAppOptions
 * @property {string} root the repository
 * @property {string | string[]} [models] folders to serve as the model mirror (ignored with
 *   `modelSource`)
 * @property {string} [modelSource] a mirror already running, passed as `models=`; no mirror is
 *   started
 * @property {Record<string, string>} [params] URL parameters of every page (e.g. `embedder`)
 * @property {import('vite').LogLevel} [logLevel] Vite's, 'warn' by default
 */

/**
 * Builds and serves the app (and the mirror); returns the app's URL maker and a close function.
 * @param {ServeAppOptions} options
 */
export async function startApp({ root, models, modelSource, params = {}, logLevel = 'warn' }) {
  if (!modelSource && !models) throw new Error('startApp needs models folders or a modelSource.');
  // A folder of its own: runs side by side never serve each other's half-written build.
  const outDir = await mkdtemp(join(tmpdir(), 'grounded-app-'));
  /** @type {import('vite').PreviewServer | undefined} */
  let server;
  /** @type {Awaited<ReturnType<typeof startMirror>> | undefined} */
  let mirror;
  const close = async () => {
    await mirror?.close();
    await server?.close();
    await rm(outDir, { recursive: true, force: true });
  };
  try {
    await build({ root, logLevel, build: { outDir, emptyOutDir: true } });
    server = await preview({
      root,
      logLevel,
      build: { outDir },
      preview: { port: 0, strictPort: false, host: '127.0.0.1' },
    });
    if (!modelSource && models) mirror = await startMirror({ dir: models });
  } catch (error) {
    await close();
    throw error;
  }
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const source = modelSource ?? mirror?.url ?? '';
  return {
    /** The model source every page gets: the mirror's URL, or `modelSource`. */
    modelSource: source,
    /**
     * The app's URL (localhost: a secure context) with the model source, the parameters every
     * page gets, then `extra`.
     * @param {Record<string, string>} [extra]
     */
    url(extra = {}) {
      const url = new URL(`http://localhost:${port}/`);
      url.searchParams.set('models', source);
      for (const [key, value] of Object.entries({ ...params, ...extra })) {
        url.searchParams.set(key, value);
      }
      return url.href;
    },
    close,
  };
}
