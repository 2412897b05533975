import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { appUrl, openPage, textFile, useChromium, type Backend } from './harness';

const ORCHARD = `# Orchard Society Handbook

## Membership

Members of the Quillfeather Orchard Society pay an annual fee of 37 crowns, due every March.

## Harvest rules

### Apples

Apple picking starts on the third Saturday of September. Each member may take two baskets of
russet apples and one basket of cider apples.

### Pears

Pears are picked by the volunteer crew only, because the ladders near the old wall are unsafe.
`;

const BEEKEEPING = `Beekeeping notes

The society keeps nine hives behind the greenhouse. Honey is extracted twice a year, in June and
in August, and sold at the gate for six crowns a jar.

Visitors must wear the white veils stored in the blue shed before approaching the hives.
`;

for (const backend of ['wasm', 'webgpu'] as const satisfies Backend[]) {
  describe(`documents in, passages out (${backend})`, () => {
    const browser = useChromium(backend);
    let page: Page;
    let errors: string[];
    let blocked: string[];

    beforeAll(async () => {
      // Dense: these tests are about the embedding path on each backend.
      ({ page, errors, blocked } = await openPage(browser(), appUrl({ retrieval: 'dense' })));
    });

    const documents = () => page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
    const passages = () =>
      page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');

    test('opens on an empty state', async () => {
      await expect.poll(() => page.getByText('No documents yet.').isVisible()).toBe(true);
      expect(await documents().count()).toBe(0);
      await expect
        .poll(() => page.getByRole('button', { name: 'Ask', exact: true }).isDisabled())
        .toBe(true);
    });

    test('adds .txt and .md files with live progress, and refuses a broken PDF by name', async () => {
      await page
        .getByLabel('Add documents')
        .setInputFiles([
          textFile('orchard-handbook.md', ORCHARD, 'text/markdown'),
          textFile('beekeeping.txt', BEEKEEPING),
          textFile('minutes.pdf', '%PDF-1.4 not really', 'application/pdf'),
        ]);
      await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(2);
      const alert = page.getByRole('alert').filter({ hasText: 'minutes.pdf' });
      await expect.poll(() => alert.textContent()).toContain('could not be read as a PDF');
      const files = page.getByRole('list', { name: 'Files being added' });
      await expect.poll(() => files.textContent()).toContain('Added');

      const orchard = documents().filter({ hasText: 'orchard-handbook.md' });
      expect(await orchard.textContent()).toMatch(/\d+ chunks?/);
      expect(await orchard.textContent()).toMatch(/\d+ B/);
    });

    test('says which model and backend embed', async () => {
      const status = page.getByRole('status', { name: 'Embedding model' });
      await expect.poll(() => status.textContent()).toContain('tiny-embedder');
      await expect
        .poll(() => status.textContent())
        .toContain(backend === 'webgpu' ? 'WebGPU' : 'WASM');
    });

    test('retrieves passages in rank order with score, source and position', async () => {
      await page
        .getByLabel('Question', { exact: true })
        .fill('When does apple picking start for russet apples?');
      await page.getByRole('button', { name: 'Ask', exact: true }).click();
      await expect.poll(() => passages().count(), { timeout: 60_000 }).toBeGreaterThan(0);
      const first = passages().first();
      const text = (await first.textContent()) ?? '';
      expect(text).toContain('#1');
      expect(text).toContain('orchard-handbook.md');
      expect(text).toContain('third Saturday of September');
      expect(text).toMatch(/similarity 0\.\d{3}/);
      expect(text).toMatch(/chunk \d+ of \d+/);
      // Scores are shown best first.
      const scores = (await passages().allTextContents()).map((t) =>
        Number(/similarity (-?[\d.]+)/.exec(t)?.[1]),
      );
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });

    test('keeps documents and vectors across a reload, without embedding again', async () => {
      const before = await documents().allTextContents();
      await page.reload();
      await expect.poll(() => documents().count()).toBe(2);
      expect(await documents().allTextContents()).toEqual(before);
      expect(await page.getByRole('list', { name: 'Files being added' }).count()).toBe(0);

      await page
        .getByLabel('Question', { exact: true })
        .fill('How much does a jar of honey cost at the gate?');
      await page.getByRole('button', { name: 'Ask', exact: true }).click();
      await expect
        .poll(() => passages().first().textContent(), { timeout: 60_000 })
        .toContain('beekeeping.txt');
    });

    test('deletes a document with its chunks and vectors', async () => {
      await page.getByRole('button', { name: 'Delete beekeeping.txt' }).click();
      await expect.poll(() => documents().count()).toBe(1);
      await page.getByRole('button', { name: 'Ask', exact: true }).click();
      await expect
        .poll(() => page.getByText(/\d+ for “How much does a jar/).isVisible())
        .toBe(true);
      for (const passage of await passages().allTextContents()) {
        expect(passage).not.toContain('beekeeping.txt');
      }
      await page.reload();
      await expect.poll(() => documents().count()).toBe(1);
    });

    test('made no request beyond the app and the model mirror, and no page errors', () => {
      expect(blocked).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
}
