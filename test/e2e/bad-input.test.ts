import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeDocx, makeElf, makeExe, makePdf, makePng, makeZip, utf8 } from '../make-files';
import { appUrl, collectDialogs, openPage, useChromium } from './harness';
import { dumpDatabase, withoutDocuments, type DatabaseDump } from './idb-dump';

/**
 * Bad files, one after another, into a knowledge base that already holds three good documents:
 * each gets an alert naming it and saying why, and the documents, chunks and vectors already
 * stored stay byte for byte as they were.
 */

const browser = useChromium('wasm');
let context: BrowserContext;
let page: Page;
let errors: string[];
let blocked: string[];
let dialogs: string[];
let baseline: DatabaseDump;

const file = (name: string, bytes: Uint8Array | string, mimeType = 'text/plain') => ({
  name,
  mimeType,
  buffer: Buffer.from(bytes),
});

const HANDBOOK = `# Orchard Society Handbook

## Membership

Members of the Quillfeather Orchard Society pay an annual fee of 37 crowns, due every March.
`;
const BEEKEEPING =
  'Beekeeping notes\n\nThe society keeps nine hives behind the greenhouse. Honey is sold at the gate.';
const SAFETY_PDF = makePdf({
  pages: [['Ladders are inspected every spring.'], ['The cider press is cleaned on Thursdays.']],
});

const documents = () => page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const alertsAbout = (name: string) =>
  page
    .getByRole('alert')
    .filter({ hasText: `“${name}”` })
    .allTextContents();
const add = (...files: ReturnType<typeof file>[]) =>
  page.getByLabel('Add documents').setInputFiles(files);
/** The knowledge base is as it was before any bad file, and nothing is pending. */
const expectUnchanged = async () => expect(await dumpDatabase(page)).toEqual(baseline);

beforeAll(async () => {
  ({ context, page, errors, blocked } = await openPage(browser(), appUrl(), {
    beforeLoad: (p) => {
      dialogs = collectDialogs(p);
    },
  }));
});

afterAll(async () => {
  await context?.close();
});

const DOCX = makeDocx([{ style: 'Heading1', text: 'Report' }, 'Quarterly figures.']);

// [file, what its alert must say]
const cases: [ReturnType<typeof file>, string[]][] = [
  [file('empty.txt', ''), ['“empty.txt” is empty']],
  [
    file('data.txt', makeElf()),
    ['“data.txt” is not a document Grounded can read', 'despite its .txt name'],
  ],
  [
    file('scan.txt', makePng()),
    ['“scan.txt” is not a document Grounded can read', 'despite its .txt name'],
  ],
  [
    file('setup.md', makeExe(), 'text/markdown'),
    ['“setup.md” is not a document Grounded can read: it is a Windows program'],
  ],
  [
    file('damaged.pdf', SAFETY_PDF.slice(0, 200), 'application/pdf'),
    ['“damaged.pdf” could not be read as a PDF: it is damaged or incomplete'],
  ],
  [
    file('locked.pdf', makePdf({ pages: [['Secret']], userPassword: 'pw' }), 'application/pdf'),
    ['“locked.pdf” is protected by a password'],
  ],
  [
    file('scanned.pdf', makePdf({ pages: [[]], imagePages: [1] }), 'application/pdf'),
    ['“scanned.pdf”', 'OCR'],
  ],
  [
    file('report.docx', DOCX.slice(0, DOCX.length - 30), 'application/octet-stream'),
    ['“report.docx” could not be read as a Word document: it is damaged or incomplete'],
  ],
  [
    file('slides.pptx', makeZip({ 'ppt/presentation.xml': '<p:presentation/>' })),
    ['“slides.pptx” is', 'which Grounded cannot read'],
  ],
  [
    file(
      'hostile.html',
      '<script>alert("script ran"); self.pwned = true</script>' +
        '<img src="x" onerror="alert(\'onerror ran\'); self.pwned = true">',
      'text/html',
    ),
    ['“hostile.html” has no visible text to search'],
  ],
];

describe('bad input, with good documents already stored', () => {
  test('three good documents are stored first', async () => {
    await add(
      file('orchard-handbook.md', HANDBOOK, 'text/markdown'),
      file('beekeeping.txt', BEEKEEPING),
      file('orchard-safety.pdf', SAFETY_PDF, 'application/pdf'),
    );
    await expect.poll(() => documents().count(), { timeout: 120_000 }).toBe(3);
    await expect
      .poll(() => page.getByRole('button', { name: 'Clear', exact: true }).count())
      .toBe(1);
    baseline = await dumpDatabase(page);
    expect(baseline.documents).toHaveLength(3);
    expect(baseline.vectors!.length).toBeGreaterThanOrEqual(3);
    expect(baseline.pending).toEqual([]);
  });

  for (const [bad, says] of cases) {
    test(`${bad.name}: an alert names it and says why; nothing stored changes`, async () => {
      await add(bad);
      await expect
        .poll(() => alertsAbout(bad.name), { timeout: 60_000 })
        .toEqual([expect.stringContaining(says[0]!)]);
      for (const part of says) expect((await alertsAbout(bad.name))[0]).toContain(part);
      await expectUnchanged();
    });
  }

  test('a file over the size limit set under Settings', async () => {
    await page.getByText('Settings', { exact: true }).click();
    const limit = page.getByLabel('Largest document (MB)');
    await limit.fill('0.01');
    await limit.press('Tab');
    try {
      await add(file('big-notes.txt', 'Orchard notes. '.repeat(1400)));
      await expect
        .poll(() => alertsAbout('big-notes.txt'), { timeout: 60_000 })
        .toEqual([
          expect.stringContaining(
            '“big-notes.txt” is 21.0 KB, more than the 10.0 KB a document may be. ' +
              'Split it into smaller files and add those.',
          ),
        ]);
    } finally {
      await limit.fill('100');
      await limit.press('Tab');
    }
    await expectUnchanged();
  });

  test('the same content twice is recognised, under another name too', async () => {
    await add(file('beekeeping-copy.txt', BEEKEEPING));
    const files = page.getByRole('list', { name: 'Files being added' });
    await expect
      .poll(() => files.textContent(), { timeout: 60_000 })
      .toContain('“beekeeping-copy.txt” is already in the knowledge base as “beekeeping.txt”.');
    await expectUnchanged();
  });

  test('a 5 MB file on one line is added like any other', async () => {
    const words: string[] = [];
    let length = 0;
    for (let i = 0; length < 5_000_000; i++) {
      const word = `orchard${i % 997} ledger${i}`;
      words.push(word);
      length += word.length + 1;
    }
    const line = words.join(' ');
    expect(line).not.toContain('\n');
    await add(file('ledger.txt', utf8(line)));
    await expect.poll(() => documents().count(), { timeout: 600_000, interval: 1000 }).toBe(4);
    expect(await alertsAbout('ledger.txt')).toEqual([]);
    const after = await dumpDatabase(page);
    const added = after
      .documents!.map(([id]) => id as string)
      .filter((id) => !baseline.documents!.some(([known]) => known === id));
    expect(added).toHaveLength(1);
    expect(withoutDocuments(after, added)).toEqual(baseline);
  }, 660_000);

  test('no document ran a script, opened a dialog or reached the network', async () => {
    expect(await page.evaluate(() => 'pwned' in self)).toBe(false);
    for (const worker of page.workers()) {
      expect(await worker.evaluate(() => 'pwned' in self)).toBe(false);
    }
    expect(dialogs).toEqual([]);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });
});
