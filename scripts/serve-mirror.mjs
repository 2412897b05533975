#!/usr/bin/env node
/**
 * Serves a folder as a Hugging Face-style model mirror, for workshops on a local network and for
 * tests: GET /<owner>/<name>/resolve/<revision>/<file> answers with <dir>/<owner>/<name>/<file>
 * (a plain /<path> works too). CORS is open so the app on another origin can fetch from it.
 *
 *   node scripts/serve-mirror.mjs [dir…] [--port 8080] [--host 0.0.0.0]
 * (by default models/, which `npm run models` fills, and the test models)
 * then open the app with ?models=http://<this machine>:8080/
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files at least this big are stored with Git LFS on the hub: its raw/ URL gives a pointer. */
const LFS_THRESHOLD = 1_000_000;

/** @type {Map<string, string>} sha256 by path and mtime */
const hashes = new Map();

/**
 * The Git LFS pointer the hub serves at raw/ for a large file (clients read its sha256).
 * @param {string} file @param {{ size: number, mtimeMs: number }} info
 */
async function lfsPointer(file, info) {
  const key = `${file}:${info.mtimeMs}`;
  let oid = hashes.get(key);
  if (!oid) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk);
    oid = hash.digest('hex');
    hashes.set(key, oid);
  }
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${info.size}\n`;
}

/** @type {Record<string, string>} */
const TYPES = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.gguf': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/**
 * Maps a request path to a file under `root`, or null when it would leave it.
 * @param {string} root absolute folder
 * @param {string} urlPath the request's path and query
 * @returns {string | null}
 */
export function mirrorPath(root, urlPath) {
  let path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  // /owner/name/(resolve|raw)/<revision>/file → /owner/name/file
  path = path.replace(/^\/([^/]+)\/([^/]+)\/(?:resolve|raw)\/[^/]+\//, '/$1/$2/');
  const full = normalize(join(root, path));
  return full === root || full.startsWith(root + sep) ? full : null;
}

/**
 * Starts the mirror; resolves with its base URL, the list of paths requested so far (tests read
 * it), and a close function. With several folders, a file is served from the first that has it.
 * @param {{ dir: string | string[], port?: number, host?: string, log?: boolean }} options
 * @returns {Promise<{ url: string, requests: string[], close: () => Promise<void> }>}
 */
export async function startMirror({ dir, port = 0, host = '127.0.0.1', log = false }) {
  const roots = (Array.isArray(dir) ? dir : [dir]).map((d) => resolve(d));
  /** @param {string} urlPath */
  const find = async (urlPath) => {
    for (const root of roots) {
      const file = mirrorPath(root, urlPath);
      const info = file ? await stat(file).catch(() => null) : null;
      if (file && info?.isFile()) return { file, info };
    }
    return null;
  };
  /** @type {string[]} */
  const requests = [];
  const server = createServer(async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, ETag');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    // Lets the app's Network panel show each file's size (resource timing hides it otherwise).
    res.setHeader('Timing-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    requests.push(req.url ?? '/');
    const found = await find(req.url ?? '/');
    if (log) console.log(`${req.method} ${req.url} → ${found ? 200 : 404}`);
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const { file, info } = found;
    if (/^\/[^/]+\/[^/]+\/raw\//.test(req.url ?? '') && info.size >= LFS_THRESHOLD) {
      const pointer = await lfsPointer(file, info);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : pointer);
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      ETag: `"${info.size}-${info.mtimeMs}"`,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((done) => server.listen(port, host, () => done(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}/`;
  return {
    url,
    requests,
    close: () => new Promise((done) => server.close(() => done(undefined))),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  /** @param {string} name @param {string} fallback */
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return (i >= 0 ? args.splice(i, 2)[1] : undefined) ?? fallback;
  };
  const port = Number(option('--port', '8080'));
  const host = option('--host', '0.0.0.0');
  const dirs = args.length > 0 ? args : ['models', 'test/fixtures/models'];
  const mirror = await startMirror({ dir: dirs, port, host, log: true });
  console.log(
    `Serving ${dirs.map((d) => resolve(d)).join(', ')} as a model mirror at ${mirror.url}`,
  );
  console.log(`Open the app with ?models=${mirror.url}`);
}
