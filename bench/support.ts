/** Helpers shared by the Node benchmarks (timing.ts and synthetic.ts also run in the page). */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export { median, timeEach } from './timing';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** JavaScript heap plus ArrayBuffers in use after a full collection, in bytes. */
export function heapBytes(): number {
  collect();
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

export const ms = (value: number) =>
  value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
export const times = (ratio: number) => `${ratio.toFixed(1)}×`;
