import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { appUrl, openPage, useChromium } from './harness';

const browser = useChromium('wasm');
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeEach(async () => {
  ({ context, page, errors } = await openPage(browser(), appUrl()));
  return async () => {
    await context.close();
    expect(errors).toEqual([]);
  };
});

const documentNames = async () =>
  (await page.getByRole('list', { name: 'Documents' }).locator('.name').allTextContents()).sort();

describe('folders', () => {
  test('Add folder takes every file in it and its subfolders, leaving hidden ones out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'grounded-folder-'));
    const files: Record<string, string> = {
      'course/syllabus.md': '# Syllabus\n\nThe course meets on Wednesdays in room 12.',
      'course/week 1/notes.md': 'Week one: soil types and drainage.',
      'course/week 2/notes.md': 'Week two: pruning apple trees in late winter.',
      'course/.DS_Store': 'hidden',
      'course/.git/config': '[core]',
      'course/week 2/.notes.md.swp': 'swap',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    try {
      await page.getByLabel('Add folder').setInputFiles(join(root, 'course'));
      await expect
        .poll(documentNames, { timeout: 60_000 })
        .toEqual(['course/syllabus.md', 'course/week 1/notes.md', 'course/week 2/notes.md']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('files dropped on the Documents panel are added', async () => {
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['Dropped notes about the cider press.'], 'dropped.txt'));
      const panel = document.querySelector('[aria-labelledby="documents-heading"]')!;
      panel.dispatchEvent(
        new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
    });
    await expect.poll(documentNames, { timeout: 60_000 }).toEqual(['dropped.txt']);
  });
});

describe('thousands of tiny files at once', () => {
  test('2,000 files dropped at once are added in one batch while the page keeps drawing frames', async () => {
    const COUNT = 2000;
    // The files are made in the page first, so building them is not measured as the app's work.
    await page.evaluate((count) => {
      const data = new DataTransfer();
      for (let i = 0; i < count; i++) {
        const name = `note-${String(i).padStart(4, '0')}.txt`;
        data.items.add(new File([`Locker ${i} is opened with key ${i * 7}.`], name));
      }
      (window as unknown as { drop: DataTransfer }).drop = data;
    }, COUNT);
    // The time between animation frames, and tasks that blocked the main thread for 50 ms or more.
    await page.evaluate(() => {
      const w = window as unknown as { frameGaps: number[]; longTasks: number[]; stop: boolean };
      w.frameGaps = [];
      w.longTasks = [];
      w.stop = false;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
      let last = performance.now();
      const tick = (now: number) => {
        w.frameGaps.push(now - last);
        last = now;
        if (!w.stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const started = Date.now();
    await page.evaluate(() => {
      const panel = document.querySelector('[aria-labelledby="documents-heading"]')!;
      const dataTransfer = (window as unknown as { drop: DataTransfer }).drop;
      panel.dispatchEvent(new DragEvent('drop', { dataTransfer, bubbles: true, cancelable: true }));
    });
    const summary = page.locator('.jobs .summary');
    await expect
      .poll(() => summary.textContent(), { timeout: 600_000, interval: 1000 })
      .toMatch(/^2,000 of 2,000 files done: 2,000 added · 0 skipped · 0 failed/);
    const seconds = (Date.now() - started) / 1000;
    const { frameGaps, longTasks } = await page.evaluate(() => {
      const w = window as unknown as { frameGaps: number[]; longTasks: number[]; stop: boolean };
      w.stop = true;
      return { frameGaps: w.frameGaps, longTasks: w.longTasks };
    });
    const sorted = [...frameGaps].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    const worstTask = Math.max(0, ...longTasks);
    console.log(
      `${COUNT} files in ${seconds.toFixed(1)} s: ${frameGaps.length} frames, ` +
        `99th percentile gap ${p99.toFixed(0)} ms, worst ${sorted.at(-1)!.toFixed(0)} ms; ` +
        `${longTasks.length} long tasks, worst ${worstTask.toFixed(0)} ms`,
    );
    // Summed up, not 2,000 rows; the list of documents shows a page of them.
    const rows = page.getByRole('list', { name: 'Files being added' }).getByRole('listitem');
    expect(await rows.count()).toBe(0);
    await expect
      .poll(() => page.locator('.head .muted').textContent())
      .toContain('2,000 documents');
    const documents = page.getByRole('list', { name: 'Documents' }).getByRole('listitem');
    expect(await documents.count()).toBe(200);
    // Frames kept coming: nothing near a frozen page (measured: worst task about 100 ms).
    expect(p99).toBeLessThan(100);
    expect(worstTask).toBeLessThan(250);
  }, 660_000);
});
