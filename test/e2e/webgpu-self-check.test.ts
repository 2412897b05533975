import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIN_AGREEMENT_COSINE } from '../../src/lib/core/models/vector-agreement';
import { appUrl, openPage, textFile, useChromium, type OpenPage } from './harness';

// WebGPU here is SwiftShader (a software adapter): the real onnxruntime-web WebGPU code paths,
// at CPU speed.

const ORCHARD = `# Orchard Society Handbook

## Membership

Members of the Quillfeather Orchard Society pay an annual fee of 37 crowns, due every March.

## Harvest rules

Apple picking starts on the third Saturday of September. Each member may take two baskets of
russet apples and one basket of cider apples.
`;

const BEEKEEPING = `Beekeeping notes

The society keeps nine hives behind the greenhouse. Honey is extracted twice a year, in June and
in August, and sold at the gate for six crowns a jar.
`;

const FILES = [
  textFile('orchard-handbook.md', ORCHARD, 'text/markdown'),
  textFile('beekeeping.txt', BEEKEEPING),
];

interface Visit extends OpenPage {
  /** Model files fetched from the mirror (GET requests), in order. */
  modelFiles: string[];
}

const browser = useChromium('webgpu');

async function visit(params: Record<string, string>): Promise<Visit> {
  const modelFiles: string[] = [];
  const opened = await openPage(browser(), appUrl({ retrieval: 'dense', ...params }), {
    beforeLoad: (page) =>
      page.context().on('request', (request) => {
        const path = new URL(request.url()).pathname;
        if (path.includes('/resolve/main/') && request.method() === 'GET') modelFiles.push(path);
      }),
  });
  return { ...opened, modelFiles };
}

const status = (page: Page) => page.getByRole('status', { name: 'Embedding model' });
const documents = (page: Page) =>
  page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
const passages = (page: Page) =>
  page.getByRole('region', { name: 'Retrieved passages' }).getByRole('listitem');

async function addFiles(page: Page) {
  await page.getByLabel('Add documents').setInputFiles(FILES);
  await expect.poll(() => documents(page).count(), { timeout: 600_000 }).toBe(FILES.length);
}

/** The passages retrieved for `question`: their text and similarity, best first. */
async function ask(page: Page, question: string) {
  await page.getByLabel('Question', { exact: true }).fill(question);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  // The list says which question it answers: not the one before.
  const heading = new RegExp(`\\d+ for “${question.replace(/[?.]/g, '\\$&')}`);
  await expect.poll(() => page.getByText(heading).isVisible(), { timeout: 120_000 }).toBe(true);
  return (await passages(page).allTextContents()).map((text) => ({
    text,
    similarity: Number(/similarity (-?[\d.]+)/.exec(text)?.[1]),
  }));
}

/** The lowest cosine the banner reports. */
const bannerCosine = async (page: Page) =>
  Number(/cosine (-?\d\.\d\d)/.exec((await status(page).textContent()) ?? '')?.[1]);

const storedVerdicts = (page: Page) =>
  page.evaluate(() => localStorage.getItem('grounded:webgpu-self-checks'));

describe('real all-MiniLM-L6-v2: WebGPU (fp32) and WASM (int8) agree', () => {
  const MODEL = 'Xenova/all-MiniLM-L6-v2';
  let gpu: Visit;
  let cpu: Visit;

  beforeAll(async () => {
    gpu = await visit({ embedder: MODEL, backend: 'webgpu' });
    cpu = await visit({ embedder: MODEL, backend: 'wasm' });
  });

  afterAll(async () => {
    await gpu?.context.close();
    await cpu?.context.close();
  });

  test('the self-check compares both backends and keeps WebGPU', async () => {
    await addFiles(gpu.page);
    await expect.poll(() => status(gpu.page).locator('.badge').textContent()).toBe('WebGPU');
    expect(await status(gpu.page).textContent()).toContain("WebGPU vectors match WASM's");
    expect(await bannerCosine(gpu.page)).toBeGreaterThanOrEqual(MIN_AGREEMENT_COSINE);
    // WASM's int8 file was fetched too: the check ran on this WebGPU visit.
    const fetched = (name: string) => gpu.modelFiles.some((p) => p.endsWith(`/${name}`));
    expect(fetched('model.onnx')).toBe(true);
    expect(fetched('model_quantized.onnx')).toBe(true);
    expect(gpu.blocked).toEqual([]);
  });

  test('questions retrieve the same passages with the same similarity on both backends', async () => {
    await addFiles(cpu.page);
    await expect.poll(() => status(cpu.page).locator('.badge').textContent()).toBe('WASM');
    // The WASM-only visit runs no check and fetches no fp32 model.
    expect(cpu.modelFiles.some((p) => p.endsWith('/model.onnx'))).toBe(false);
    for (const question of [
      'When does apple picking start?',
      'How much does a jar of honey cost?',
    ]) {
      const onGpu = await ask(gpu.page, question);
      const onCpu = await ask(cpu.page, question);
      expect(onGpu.map((p) => p.text.replace(/similarity [-\d.]+/, ''))).toEqual(
        onCpu.map((p) => p.text.replace(/similarity [-\d.]+/, '')),
      );
      // int8 against fp32 weights, on the question and the passage, moved a similarity by up
      // to 0.035 in our runs; wrong vectors move it by tenths and reorder the passages.
      onGpu.forEach((p, i) =>
        expect(Math.abs(p.similarity - onCpu[i]!.similarity)).toBeLessThan(0.06),
      );
    }
    expect([...gpu.errors, ...cpu.errors]).toEqual([]);
  });
});

describe('a model whose WebGPU vectors disagree with WASM (tiny-embedder-disagree)', () => {
  let v: Visit;

  beforeAll(async () => {
    v = await visit({
      embedder: 'grounded-test/tiny-embedder-disagree',
      backend: 'webgpu',
    });
  });

  afterAll(async () => {
    await v?.context.close();
  });

  test('falls back to WASM and says why; documents are still added and retrieved', async () => {
    await addFiles(v.page);
    await expect.poll(() => status(v.page).locator('.badge').textContent()).toBe('WASM');
    const text = (await status(v.page).textContent()) ?? '';
    expect(text).toMatch(
      /WebGPU gave different vectors from WASM for tiny-embedder-disagree on this device \(cosine -?0\.\d\d\), so Grounded embeds on WASM\./,
    );
    expect(Math.abs(await bannerCosine(v.page))).toBeLessThan(0.5);
    const [first] = await ask(v.page, 'How much is a jar of honey at the gate?');
    expect(first?.text).toContain('beekeeping.txt');
  });

  test('after a reload the verdict is remembered: WASM at once, no second check', async () => {
    const before = await storedVerdicts(v.page);
    expect(JSON.parse(before ?? '[]')).toMatchObject([
      { modelId: 'grounded-test/tiny-embedder-disagree', agree: false },
    ]);
    await v.page.reload();
    // The stored documents warm the model on opening.
    await expect
      .poll(() => status(v.page).textContent(), { timeout: 120_000 })
      .toMatch(/so Grounded embeds on WASM\. Checked on /);
    expect(await status(v.page).locator('.badge').textContent()).toBe('WASM');
    // A second check would have written a new verdict (a new time).
    expect(await storedVerdicts(v.page)).toBe(before);
    const [first] = await ask(v.page, 'When does apple picking start?');
    expect(first?.text).toContain('orchard-handbook.md');
  });

  test('“Check WebGPU again” forgets the verdict and checks again', async () => {
    const before = await storedVerdicts(v.page);
    await status(v.page).getByRole('button', { name: 'Check WebGPU again' }).click();
    await expect.poll(() => storedVerdicts(v.page), { timeout: 120_000 }).not.toBe(before);
    await expect
      .poll(() => status(v.page).textContent())
      .toMatch(/so Grounded embeds on WASM\.(?! Checked on)/);
    expect(await status(v.page).locator('.badge').textContent()).toBe('WASM');
    expect(v.errors).toEqual([]);
    expect(v.blocked).toEqual([]);
  });
});
