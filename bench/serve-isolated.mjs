/**
 * Serves a built bench page as `vite preview` serves the app: cross-origin isolated (so wllama
 * and onnxruntime may use threads), on localhost (a secure context).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * @param {string} dir the build
 * @param {Record<string, string>} [extra] URL paths served from files outside it
 * @returns {Promise<{ server: import('node:http').Server, url: string }>}
 */
export function serveIsolated(dir, extra = {}) {
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const outside = extra[pathname];
    const file =
      outside ?? normalize(join(dir, pathname.endsWith('/') ? `${pathname}index.html` : pathname));
    const info = outside || file.startsWith(dir) ? await stat(file).catch(() => null) : null;
    if (!info?.isFile()) return void res.writeHead(404).end();
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://localhost:${port}/` });
    });
  });
}
