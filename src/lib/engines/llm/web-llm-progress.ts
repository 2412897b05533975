import type { InitProgressReport } from '@mlc-ai/web-llm';
import type { LoadProgress } from './engine';

const MIB = 1024 * 1024;

/**
 * web-llm 0.2.86 reports `{ progress, timeElapsed, text }` in four phases:
 *
 *   "Start to fetch params"                                                   progress 0
 *   "Fetching param cache[3/24]: 120MB fetched. 12% completed, 5 secs elapsed. It can take…"
 *   "Loading model from cache[3/24]: 120MB loaded. 12% completed, 5 secs elapsed."
 *   "Loading GPU shader modules[9/40]: 22% completed, 3 secs elapsed."
 *   "Finish loading on WebGPU - <adapter>"                                    progress 1
 *
 * The download phase is skipped when the weights are cached. In the two phases with bytes,
 * `progress` is bytes so far over all bytes, so the total follows from the two; the megabytes in
 * the text are rounded up, so both are estimates to within a MiB. `fraction` starts again from 0
 * in each phase; `text` says which one it is.
 */
export function toLoadProgress({ progress, text }: InitProgressReport): LoadProgress {
  const fraction = Number.isFinite(progress) ? Math.min(Math.max(progress, 0), 1) : 0;
  const megabytes = /(\d+)MB (?:fetched|loaded)/.exec(text);
  const loaded = megabytes ? Number(megabytes[1]) * MIB : 0;
  const total = loaded > 0 && fraction > 0 ? Math.round(loaded / fraction) : 0;
  return { loaded, total, fraction, text: text.replace(/\]:[\s\S]*$/, ']') };
}

/** "WebGPU - <adapter>" from web-llm's last report, when it is that one. */
export function backendFrom(text: string): string | undefined {
  return /^Finish loading on (.+)$/.exec(text.trim())?.[1];
}
