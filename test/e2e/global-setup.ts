import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import { makeTestModels } from '../../scripts/make-tiny-embedder.mjs';
import { startMirror } from '../../scripts/serve-mirror.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const modelsDir = fileURLToPath(new URL('../fixtures/models/', import.meta.url));
/** The real models `npm run models` fetches (scripts/fetch-models.mjs). */
const realModelsDir = fileURLToPath(new URL('../../models/', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    mirrorUrl: string;
    /** The built app, for a test that serves it itself (and stops serving it). */
    appDir: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Builds the app as `npm start` does, serves it, and serves the test models as a mirror. */
export default async function setup(project: TestProject) {
  await makeTestModels(modelsDir);
  // A folder of its own, so test runs side by side (or a `npm start` in the same checkout)
  // never serve each other's half-written build.
  const outDir = mkdtempSync(join(tmpdir(), 'grounded-e2e-'));
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server: PreviewServer = await preview({
    root,
    logLevel: 'warn',
    build: { outDir },
    preview: { port, strictPort: true, host: '127.0.0.1' },
  });
  const mirror = await startMirror({ dir: [modelsDir, realModelsDir] });
  // localhost, not 127.0.0.1: WebGPU and other secure-context APIs need it.
  project.provide('appUrl', `http://localhost:${port}/`);
  project.provide('mirrorUrl', mirror.url);
  project.provide('appDir', outDir);
  return async () => {
    await mirror.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
