/** Timing helpers shared by the Node benchmarks and the Chromium benchmark page (no Node imports). */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds each call of `run` takes, after `warmup` untimed calls. */
export function timeEach<T>(inputs: T[], run: (input: T) => unknown, warmup = 3): number[] {
  for (let i = 0; i < warmup; i++) run(inputs[i % inputs.length]!);
  return inputs.map((input) => {
    const started = performance.now();
    run(input);
    return performance.now() - started;
  });
}
