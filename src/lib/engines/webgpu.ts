import { messageOf } from '../core/text/format';
/** null when this context (window or worker) can use WebGPU, otherwise a reason a person can read. */
export async function webgpuUnavailableReason(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return 'this browser does not offer WebGPU';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : 'no WebGPU adapter is available on this device';
  } catch (error) {
    return `WebGPU could not start (${messageOf(error)})`;
  }
}

/**
 * The WebGPU adapter this context gets, as the browser describes it (vendor, architecture,
 * device, description): what the embedding self-check's verdicts are remembered by.
 */
export async function webgpuAdapterDescription(): Promise<string> {
  const adapter = await globalThis.navigator?.gpu?.requestAdapter().catch(() => null);
  const info = adapter?.info;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description];
  return parts.filter(Boolean).join(' ') || 'an unnamed WebGPU adapter';
}
