import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { makeDocx, makeExe, makePdf, utf16, windows1252 } from '../make-files';
import { appUrl, collectDialogs, openPage, useChromium } from './harness';

const browser = useChromium('wasm');
let page: Page;
let errors: string[];
let blocked: string[];
let dialogs: string[];

// A fresh profile per test: an empty knowledge base.
beforeEach(async () => {
  const opened = await openPage(browser(), appUrl(), {
    beforeLoad: (p) => {
      dialogs = collectDialogs(p);
    },
  });
  ({ page, errors, blocked } = opened);
  return async () => {
    await opened.context.close();
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    expect(dialogs).toEqual([]);
  };
});

const documents = () => page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const passages = () =>
  page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');

const file = (name: string, bytes: Uint8Array | string, mimeType: string) => ({
  name,
  mimeType,
  buffer: Buffer.from(bytes),
});

const PDF = makePdf({
  pages: [
    ['Orchard safety manual.', 'Ladders are inspected every spring by the safety officer.'],
    ['The cider press is cleaned every Thursday by Marta Lindqvist.'],
  ],
});
const DOCX = makeDocx([
  { style: 'Heading1', text: 'Volunteer guide' },
  'Volunteers meet at the north gate at quarter past eight.',
]);
// Every way a page can run code, each of which would set a flag, open a dialog or fetch.
const HTML = `<!doctype html><html><head><title>Hive log</title>
<script>alert('script ran'); self.pwned = true;</script>
<meta http-equiv="refresh" content="0; url=https://evil.example/">
</head><body onload="alert('onload ran')">
<h1>Hive log</h1>
<p>The hive inspection happens every Tuesday morning.</p>
<img src="https://evil.example/x.png" onerror="alert('onerror ran'); self.pwned = true">
<iframe src="javascript:alert('iframe ran')"></iframe>
<svg onload="alert('svg ran')"></svg>
</body></html>`;
const CSV =
  'name,role,shift\n"Lindqvist, Marta",Press operator,Thursday\nAda Berg,Picker,Morning\n';

describe('every format', () => {
  test('PDF, Word, HTML and CSV files are added, and a PDF passage shows its page', async () => {
    await page
      .getByLabel('Add documents')
      .setInputFiles([
        file('orchard-safety.pdf', PDF, 'application/pdf'),
        file(
          'volunteers.docx',
          DOCX,
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        ),
        file('hive-log.html', HTML, 'text/html'),
        file('staff.csv', CSV, 'text/csv'),
      ]);
    await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(4);
    const names = (await documents().allTextContents()).join('\n');
    for (const name of ['orchard-safety.pdf', 'volunteers.docx', 'hive-log.html', 'staff.csv']) {
      expect(names).toContain(name);
    }

    // Nothing from the HTML ran, in the page or in any worker.
    expect(await page.evaluate(() => 'pwned' in self)).toBe(false);
    for (const worker of page.workers()) {
      expect(await worker.evaluate(() => 'pwned' in self)).toBe(false);
    }

    await page.getByLabel('Question', { exact: true }).fill('When is the cider press cleaned?');
    await page.getByLabel('Question', { exact: true }).press('Enter');
    await expect.poll(() => passages().count(), { timeout: 60_000 }).toBeGreaterThan(0);
    const cider = passages().filter({ hasText: 'cider press is cleaned every Thursday' });
    await expect.poll(() => cider.count()).toBe(1);
    expect(await cider.textContent()).toContain('orchard-safety.pdf, page 2');

    await page.getByLabel('Question', { exact: true }).fill('Where do volunteers meet?');
    await page.getByLabel('Question', { exact: true }).press('Enter');
    const gate = passages().filter({ hasText: 'north gate' });
    await expect.poll(() => gate.count(), { timeout: 60_000 }).toBe(1);
    expect(await gate.textContent()).toContain('Volunteer guide');
  });

  test('broken files each get an alert naming them; the good documents stay', async () => {
    const truncatedPdf = PDF.slice(0, 150);
    await page
      .getByLabel('Add documents')
      .setInputFiles([
        file('orchard-safety.pdf', PDF, 'application/pdf'),
        file('damaged.pdf', truncatedPdf, 'application/pdf'),
        file('setup.md', makeExe(), 'text/markdown'),
        file('empty.txt', '', 'text/plain'),
        file('staff.csv', CSV, 'text/csv'),
      ]);
    const alert = (name: string) => page.getByRole('alert').filter({ hasText: name });
    await expect
      .poll(() => alert('damaged.pdf').textContent(), { timeout: 120_000 })
      .toContain('“damaged.pdf” could not be read as a PDF: it is damaged or incomplete');
    await expect
      .poll(() => alert('setup.md').textContent())
      .toContain('“setup.md” is not a document Grounded can read: it is a Windows program');
    await expect.poll(() => alert('empty.txt').textContent()).toContain('“empty.txt” is empty');
    await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(2);
    const names = (await documents().allTextContents()).join('\n');
    expect(names).toContain('orchard-safety.pdf');
    expect(names).toContain('staff.csv');
    expect(names).not.toContain('damaged.pdf');
  });

  test('Windows-1252 and UTF-16 files without a byte-order mark read right, and say so', async () => {
    await page
      .getByLabel('Add documents')
      .setInputFiles([
        file(
          'menu.txt',
          windows1252('Le café crème coûte 4 € au kiosque — «très» bon.\n'),
          'text/plain',
        ),
        file(
          'export.txt',
          utf16('The greenhouse thermostat is set to 21 degrees.\r\n', 'le'),
          'text/plain',
        ),
      ]);
    await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(2);
    const menu = documents().filter({ hasText: 'menu.txt' });
    await expect
      .poll(() => menu.textContent())
      .toContain('Read as Windows-1252 (Western European, also called Latin-1)');
    await expect
      .poll(() => documents().filter({ hasText: 'export.txt' }).textContent())
      .toContain('Read as UTF-16 little-endian');

    await page.getByLabel('Question', { exact: true }).fill('How much is the café crème?');
    await page.getByLabel('Question', { exact: true }).press('Enter');
    const coffee = passages().filter({ hasText: 'menu.txt' });
    await expect.poll(() => coffee.count(), { timeout: 60_000 }).toBe(1);
    const text = await coffee.textContent();
    expect(text).toContain('café crème coûte 4 € au kiosque — «très» bon');
    expect(text).not.toContain('\uFFFD');
    const heat = passages().filter({ hasText: 'export.txt' });
    await expect.poll(() => heat.textContent()).toContain('thermostat is set to 21 degrees');
  });
});
