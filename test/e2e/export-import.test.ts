import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeKbFile, encodeKbFile } from '../../src/lib/core/kb/kb-file';
import { appUrl, openPage, textFile, useChromium } from './harness';
import { dumpDatabase, type DatabaseDump } from './idb-dump';

/**
 * An instructor's knowledge base goes into one .grounded file and comes back whole: the same
 * question finds the same passages, in the same order, with nothing embedded again. Damaged,
 * truncated, newer and mismatched files are refused with an alert naming them, and change
 * nothing stored.
 */

const browser = useChromium('wasm');

const FILES = [
  textFile(
    'ferry-timetable.md',
    '# Ferry timetable\n\n## Night service\n\nThe night ferry to Skelholm leaves at 23:40 from ' +
      'pier 4. Tickets cost 12 crowns.\n\n## Day service\n\nDay ferries leave every hour from pier 2.',
    'text/markdown',
  ),
  textFile(
    'lighthouse.txt',
    'The Skelholm lighthouse was built in 1887. Its lamp is lit at dusk by the harbour master, ' +
      'who also keeps the tide tables.',
  ),
  textFile(
    'harbour-rules.md',
    '# Harbour rules\n\nBoats must not moor at pier 4 after 23:00, when the night ferry docks. ' +
      'Fishing from the piers is allowed before dawn.',
    'text/markdown',
  ),
];
const QUESTION = 'When does the night ferry leave for Skelholm?';

const open = (params: Record<string, string> = {}) =>
  openPage(browser(), appUrl(params), { context: { acceptDownloads: true } });

const documents = (page: Page) =>
  page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const passages = (page: Page) =>
  page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');
const alertsAbout = (page: Page, name: string) =>
  page
    .getByRole('alert')
    .filter({ hasText: `“${name}”` })
    .allTextContents();
const importFile = (page: Page, name: string, bytes: Uint8Array) =>
  page
    .getByLabel('Import knowledge base')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });

async function ask(page: Page): Promise<string[]> {
  // Cleared first, so the passages read are this question's, not the last one's.
  await page.getByLabel('Question', { exact: true }).fill('');
  await page.getByLabel('Question', { exact: true }).fill(QUESTION);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect.poll(() => passages(page).count(), { timeout: 90_000 }).toBeGreaterThan(0);
  await expect.poll(() => passages(page).first().textContent()).toContain('ferry');
  return passages(page).allTextContents();
}

/** The file with its checksum recomputed, as a file made wrong (not damaged) would have. */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out.set(
    createHash('sha256')
      .update(out.subarray(0, out.length - 32))
      .digest(),
    out.length - 32,
  );
  return out;
}

describe('export, delete everything, import', () => {
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let blocked: string[];
  let exported: Uint8Array;
  let before: string[];
  let baseline: DatabaseDump;

  beforeAll(async () => {
    ({ context, page, errors, blocked } = await open());
  });

  afterAll(async () => {
    await context?.close();
  });

  test('Export knowledge base is disabled with no documents', async () => {
    await expect.poll(() => page.getByText('No documents yet.').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Export knowledge base' }).isDisabled()).toBe(
      true,
    );
  });

  test('three documents, a question, and its passages', async () => {
    await page.getByLabel('Add documents').setInputFiles(FILES);
    await expect.poll(() => documents(page).count(), { timeout: 120_000 }).toBe(3);
    before = await ask(page);
    expect(before.length).toBeGreaterThan(1);
  });

  test('exports one .grounded file', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export knowledge base' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^knowledge-base-\d{4}-\d{2}-\d{2}\.grounded$/);
    exported = new Uint8Array(await readFile((await download.path())!));
    expect(new TextDecoder().decode(exported.subarray(0, 12))).toBe('GROUNDED-KB\n');
    const contents = await decodeKbFile(exported, 'export');
    expect(contents.modelId).toBe('grounded-test/tiny-embedder');
    expect(contents.documents.map((d) => d.document.name).sort()).toEqual(
      FILES.map((f) => f.name).sort(),
    );
  });

  test('after deleting every document, importing brings back the same passages, without embedding', async () => {
    for (const { name } of FILES) {
      await page.getByRole('button', { name: `Delete ${name}` }).click();
    }
    await expect.poll(() => documents(page).count()).toBe(0);
    const empty = await dumpDatabase(page);
    for (const store of ['meta', 'documents', 'texts', 'chunks', 'vectors']) {
      expect(empty[store], store).toEqual([]);
    }
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    expect(await page.getByRole('list', { name: 'Files being added' }).count()).toBe(0);

    await importFile(page, 'workshop.grounded', exported);
    await expect
      .poll(() => page.getByRole('status', { name: 'Import result' }).textContent(), {
        timeout: 60_000,
      })
      .toContain('Imported 3 documents (0 already present, skipped)');
    expect(await documents(page).count()).toBe(3);
    // Nothing went through the embedding pipeline: no file was listed as being added.
    expect(await page.getByRole('list', { name: 'Files being added' }).count()).toBe(0);

    expect(await ask(page)).toEqual(before);
    baseline = await dumpDatabase(page);
  });

  test('the same file again: every document already present, nothing changes', async () => {
    await importFile(page, 'workshop.grounded', exported);
    await expect
      .poll(() => page.getByRole('status', { name: 'Import result' }).textContent(), {
        timeout: 60_000,
      })
      .toContain('Imported 0 documents (3 already present, skipped)');
    expect(await dumpDatabase(page)).toEqual(baseline);
  });

  const badFiles: [string, () => Promise<Uint8Array>, string][] = [
    [
      'corrupt.grounded',
      async () => {
        const bytes = exported.slice();
        bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
        return bytes;
      },
      '“corrupt.grounded” is damaged (its checksum does not match',
    ],
    [
      'truncated.grounded',
      async () => exported.slice(0, Math.floor(exported.length * 0.7)),
      '“truncated.grounded” is damaged',
    ],
    [
      'newer.grounded',
      async () => {
        const bytes = exported.slice();
        new DataView(bytes.buffer).setUint32(12, 2, true);
        return resealed(bytes);
      },
      '“newer.grounded” was made by a newer version of Grounded',
    ],
    [
      'half-dimension.grounded',
      async () => {
        // A consistent, well-sealed file whose vectors have half the dimensions.
        const contents = await decodeKbFile(exported.slice(), 'export');
        const dimension = contents.dimension / 2;
        return encodeKbFile({
          ...contents,
          dimension,
          documents: contents.documents.map((d) => ({
            ...d,
            vectors: Float32Array.from(
              { length: d.chunks.length * dimension },
              (_, i) =>
                d.vectors[Math.floor(i / dimension) * contents.dimension + (i % dimension)]!,
            ),
          })),
        });
      },
      '“half-dimension.grounded” holds',
    ],
  ];

  for (const [name, make, says] of badFiles) {
    test(`${name}: an alert names it and says what to do; nothing changes`, async () => {
      await importFile(page, name, await make());
      await expect
        .poll(() => alertsAbout(page, name), { timeout: 60_000 })
        .toEqual([expect.stringContaining(says)]);
      const [message] = await alertsAbout(page, name);
      expect(message).toMatch(/export it again|Export the file again|Update the app/i);
      expect(await documents(page).count()).toBe(3);
      expect(await dumpDatabase(page)).toEqual(baseline);
    });
  }

  test('no errors, and no request left the app and the mirror', () => {
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  });
});

describe('a file made with another embedding model', () => {
  test('is refused naming both models, then imported re-embedded with the knowledge base’s', async () => {
    const source = await open();
    await source.page.getByLabel('Add documents').setInputFiles(FILES);
    await expect.poll(() => documents(source.page).count(), { timeout: 120_000 }).toBe(3);
    const [download] = await Promise.all([
      source.page.waitForEvent('download'),
      source.page.getByRole('button', { name: 'Export knowledge base' }).click(),
    ]);
    const bytes = new Uint8Array(await readFile((await download.path())!));
    await source.context.close();

    const { context, page, errors } = await open({ embedder: 'grounded-test/tiny-embedder-256' });
    try {
      await page
        .getByLabel('Add documents')
        .setInputFiles([textFile('cellar.txt', 'The wine cellar key hangs behind the door.')]);
      await expect.poll(() => documents(page).count(), { timeout: 120_000 }).toBe(1);
      const before = await dumpDatabase(page);

      await importFile(page, 'other-model.grounded', bytes);
      await expect
        .poll(() => alertsAbout(page, 'other-model.grounded'), { timeout: 60_000 })
        .toEqual([expect.stringContaining('was embedded with grounded-test/tiny-embedder,')]);
      const [message] = await alertsAbout(page, 'other-model.grounded');
      expect(message).toContain('this knowledge base uses grounded-test/tiny-embedder-256');
      expect(await dumpDatabase(page)).toEqual(before);

      await page
        .getByRole('alert')
        .getByRole('button', { name: 'Import re-embedded with tiny-embedder-256' })
        .click();
      await expect
        .poll(() => page.getByRole('status', { name: 'Import result' }).textContent(), {
          timeout: 120_000,
        })
        .toContain('Imported 3 documents (0 already present, skipped)');
      expect(await documents(page).count()).toBe(4);
      const found = await ask(page);
      expect(found[0]).toContain('ferry-timetable.md');
      const stored = await dumpDatabase(page);
      for (const [, record] of stored.documents!) {
        expect((record as { modelId: string }).modelId).toBe('grounded-test/tiny-embedder-256');
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
