/**
 * Runs every bench/*.bench.{ts,mjs} (or those whose file name contains one of the arguments) one
 * after another and prints one table per result. A bench module exports
 *
 *   run(): Promise<BenchResult | BenchResult[]>
 *   BenchResult = { name: string, columns?: string[], rows: string[][], ok: boolean }
 *
 * where `ok` says whether the goals the rows show were met. Exits 1 if any was not.
 *
 *   npm run bench                  # everything
 *   npm run bench -- dense keyword # bench/dense-search.bench.ts and bench/keyword-search.bench.ts
 */
import { readdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));

/** @typedef {{ name: string, columns?: string[], rows: string[][], ok: boolean }} BenchResult */

/** @param {BenchResult} result */
function print(result) {
  const table = result.columns ? [result.columns, ...result.rows] : result.rows;
  const widths = table.reduce(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    /** @type {number[]} */ ([]),
  );
  console.log(`\n${result.name} ${result.ok ? '✓' : '✗ goal missed'}`);
  table.forEach((row, r) => {
    // First column left-aligned, figures right-aligned, the last column (a note) left-aligned.
    const cells = row.map((cell, i) =>
      i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
    );
    console.log(`  ${cells.join('   ').trimEnd()}`);
    if (r === 0 && result.columns) console.log(`  ${widths.map((w) => '─'.repeat(w)).join('   ')}`);
  });
}

const files = (await readdir(dir))
  .filter((file) => /\.bench\.(ts|mjs)$/.test(file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`No benchmark in bench/ matches ${filters.join(', ')}.`);
  process.exit(1);
}

console.log(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
let failed = false;
for (const file of files) {
  console.log(`\n▶ ${file}`);
  /** @type {{ run: () => Promise<BenchResult | BenchResult[]> }} */
  const bench = await import(pathToFileURL(`${dir}/${file}`).href);
  const results = [await bench.run()].flat();
  for (const result of results) {
    print(result);
    failed ||= !result.ok;
  }
}
process.exit(failed ? 1 : 0);
