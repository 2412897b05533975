/**
 * Native llama.cpp's llama-bench, built outside the repository by bench/build-llama-cpp.sh.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where build-llama-cpp.sh puts llama-bench, or LLAMA_BENCH. Throws, saying how to build it. */
export async function findLlamaBench() {
  const home = process.env.LLAMA_CPP_HOME ?? join(homedir(), '.cache/grounded/llama.cpp');
  const path = process.env.LLAMA_BENCH ?? join(home, 'build/bin/llama-bench');
  try {
    await access(path);
  } catch {
    throw new Error(
      `No llama-bench at ${path}. Build native llama.cpp first: bash bench/build-llama-cpp.sh ` +
        '(or set LLAMA_BENCH to a llama-bench binary).',
    );
  }
  const { stdout, stderr } = await run(path, ['--version']).catch((e) => e);
  const lines = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n');
  return { path, version: lines.find((l) => l.startsWith('version')) ?? lines.at(-1) ?? '' };
}

/**
 * One llama-bench repetition of prefill (`prompt` tokens) and decode (`gen` tokens) on the CPU
 * with `threads` threads; llama-bench's defaults otherwise (batch 2048, micro-batch 512, flash
 * attention auto), which are wllama's too.
 * @param {string} bin @param {string} model @param {number} threads
 * @returns {Promise<{ prefill: number, decode: number }>} tokens per second
 */
export async function llamaBench(bin, model, threads, prompt = 512, gen = 128) {
  const args = ['-m', model, '-t', String(threads), '-p', String(prompt), '-n', String(gen)];
  const { stdout } = await run(bin, [...args, '-r', '1', '-ngl', '0', '-o', 'json'], {
    maxBuffer: 1 << 24,
  });
  /** @type {{ n_prompt: number, n_gen: number, avg_ts: number }[]} */
  const results = JSON.parse(stdout);
  const pp = results.find((r) => r.n_prompt === prompt && r.n_gen === 0);
  const tg = results.find((r) => r.n_gen === gen && r.n_prompt === 0);
  if (!pp || !tg) throw new Error(`llama-bench gave no pp${prompt}/tg${gen} result: ${stdout}`);
  return { prefill: pp.avg_ts, decode: tg.avg_ts };
}
