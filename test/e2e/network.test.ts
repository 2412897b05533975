/**
 * What leaves the browser while a person adds a document and asks about it: every request the
 * browser context makes (page, dedicated workers, wllama's workers, the service worker) goes to
 * the app or the model mirror, carries no body, and no address holds the document's or the
 * question's words; and the Network panel lists the model files the browser fetched.
 */
import { expect, test } from 'vitest';
import { inject } from 'vitest';
import { appUrl, openPage, textFile, useChromium } from './harness';

// Made-up words, so that finding one anywhere can only mean the text was sent.
const DOCUMENT_MARKER = 'Quillfeather orchard ledger zorvanthic';
const QUESTION_MARKER = 'bellwether plimsoquine';
const DOCUMENT = [
  '# Orchard records',
  '',
  `The ${DOCUMENT_MARKER} lists every pear tree planted since 1987 and who pruned it.`,
  '',
  'Trees are pruned in late winter; the ledger is kept in the tool shed and copied each spring.',
].join('\n');

interface Seen {
  url: string;
  method: string;
  body: string;
  from: string;
}

const browser = useChromium('wasm');

test('ingest and ask send nothing but GETs to the app and the mirror; the panel lists them', async () => {
  const seen: Seen[] = [];
  const { context, page, errors, blocked } = await openPage(
    browser(),
    appUrl({ gguf: 'grounded-test/stories260K/stories260K.gguf' }),
    {
      beforeLoad: (p) =>
        p.context().on('request', (request) => {
          seen.push({
            url: request.url(),
            method: request.method(),
            body: request.postDataBuffer()?.toString('latin1') ?? '',
            from: request.serviceWorker() ? 'service worker' : 'page or worker',
          });
        }),
    },
  );

  await page
    .getByLabel('Add documents')
    .setInputFiles(textFile('orchard.md', DOCUMENT, 'text/markdown'));
  await expect
    .poll(() => page.getByRole('list', { name: 'Documents' }).getByRole('listitem').count(), {
      timeout: 120_000,
    })
    .toBe(1);
  const option = page.getByRole('radio', { name: /stories260K\.gguf/ });
  await expect.poll(() => option.isChecked(), { timeout: 30_000 }).toBe(true);
  await page.getByRole('button', { name: 'Load model', exact: true }).click();
  await expect
    .poll(() => page.getByRole('status', { name: 'Language model status' }).textContent(), {
      timeout: 60_000,
    })
    .toMatch(/stories260K\.gguf \(GGUF, CPU\) is ready/);
  const question = `Who keeps the ${QUESTION_MARKER} records?`;
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  const ungrounded = page.getByRole('region', { name: 'Ungrounded answer', exact: true });
  await expect
    .poll(() => ungrounded.getByTestId('answer-state').textContent(), { timeout: 90_000 })
    .toBe('Done');
  // The passage was found: retrieval ran on the document, on this device.
  expect(await page.getByRole('region', { name: 'Retrieved passages' }).textContent()).toContain(
    'zorvanthic',
  );

  const app = new URL(inject('appUrl')).origin;
  const mirror = new URL(inject('mirrorUrl')).origin;
  const network = seen.filter((request) => /^https?:/.test(request.url));
  expect(network.length).toBeGreaterThan(5);
  expect(blocked).toEqual([]);
  for (const request of network) {
    expect([app, mirror], request.url).toContain(new URL(request.url).origin);
    expect(['GET', 'HEAD'], `${request.method} ${request.url}`).toContain(request.method);
    expect(request.body, request.url).toBe('');
  }
  const words = [...DOCUMENT_MARKER.split(' '), ...QUESTION_MARKER.split(' '), 'pruned', 'pear'];
  for (const request of network) {
    const address = decodeURIComponent(request.url).toLowerCase();
    for (const word of words) expect(address, request.url).not.toContain(word.toLowerCase());
  }

  // The panel: the verdict, and every file the browser fetched from the mirror, with its host.
  const panel = page.getByRole('region', { name: 'Network' });
  await panel.locator('summary').first().click();
  await panel.getByText(/^Every request/).click();
  const mirrorHost = new URL(mirror).host;
  expect(await panel.getByTestId('network-verdict').textContent()).toMatch(
    new RegExp(
      `all to this app \\(${new URL(app).host.replace('.', '\\.')}\\) and the model\\s+source \\(${mirrorHost.replace(/\./g, '\\.')}\\)`,
    ),
  );
  const fromMirror = new Set(network.filter((r) => r.url.startsWith(mirror)).map((r) => r.url));
  expect([...fromMirror].some((url) => url.endsWith('stories260K.gguf'))).toBe(true);
  expect([...fromMirror].some((url) => url.endsWith('.onnx'))).toBe(true);
  const rows = panel.getByRole('table', { name: 'Requests', exact: true }).getByRole('row');
  const listed = async () => {
    const cells = await rows.evaluateAll((trs) =>
      trs
        .slice(1)
        .map((tr) =>
          [...tr.querySelectorAll('td')].map(
            (td) => td.getAttribute('title') ?? td.textContent?.trim() ?? '',
          ),
        ),
    );
    return cells;
  };
  await expect
    .poll(
      async () => {
        const urls = new Set((await listed()).map((cells) => cells[1]));
        return [...fromMirror].filter((url) => !urls.has(url));
      },
      { timeout: 10_000 },
    )
    .toEqual([]);
  for (const cells of await listed()) {
    const [host, url, kind] = cells;
    const path = url ? new URL(url).pathname : '';
    if (path.endsWith('stories260K.gguf') || path.endsWith('.onnx')) {
      expect(host).toBe(mirrorHost);
      expect(kind).toBe('model file');
      // The mirror sends Timing-Allow-Origin, so the browser tells the size.
      expect(cells[4]).not.toBe('size unknown');
    }
  }
  // The page's address once: each request is listed once.
  const addresses = (await listed()).map((cells) => cells[1]);
  expect(addresses.filter((url) => url === page.url())).toHaveLength(
    network.filter((r) => r.url === page.url()).length,
  );
  // Every request is listed but those the panel says it cannot see: wllama's worker loading its
  // runtime from the app, and the service worker storing the app's files.
  const everyListed = new Set((await listed()).map((cells) => cells[1]));
  const unlisted = network.filter(
    (r) =>
      !everyListed.has(r.url) &&
      r.from !== 'service worker' &&
      !(r.url.startsWith(app) && /\/wllama[^/]*\.wasm$/.test(r.url)),
  );
  expect(unlisted).toEqual([]);
  // NETWORK_SCREENSHOT=panel.png keeps a picture of the panel, to look at.
  const screenshot = process.env.NETWORK_SCREENSHOT;
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await context.close();
  expect(errors).toEqual([]);
});
