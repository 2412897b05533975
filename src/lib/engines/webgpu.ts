import { messageOf } from '../core/text/format';

/** Why WebGPU cannot be used here, in words a person can read. */
export const NO_WEBGPU = 'this browser does not offer WebGPU';
export const NO_ADAPTER = 'no WebGPU adapter is available on this device';
export const webgpuFailed = (error: unknown) => `WebGPU could not start (${messageOf(error)})`;

/** null when this context (window or worker) can use WebGPU, otherwise a reason a person can read. */
export async function webgpuUnavailableReason(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return NO_WEBGPU;
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : NO_ADAPTER;
  } catch (error) {
    return webgpuFailed(error);
  }
}

/** An adapter as the browser describes it (vendor, architecture, device, description). */
export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  return [info?.vendor, info?.architecture, info?.device, info?.description]
    .filter(Boolean)
    .join(' ');
}

/**
 * The WebGPU adapter this context gets, as the browser describes it: what the embedding
 * self-check's verdicts are remembered by.
 */
export async function webgpuAdapterDescription(): Promise<string> {
  const adapter = await globalThis.navigator?.gpu?.requestAdapter().catch(() => null);
  return describeAdapter(adapter?.info) || 'an unnamed WebGPU adapter';
}
