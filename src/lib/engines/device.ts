import type { AdapterInfo, StorageInfo } from '../core/models/llm-models';
import { describeAdapter, NO_ADAPTER, NO_WEBGPU, webgpuFailed } from './webgpu';

export interface DeviceInfo {
  adapter: AdapterInfo;
  storage: StorageInfo;
  /** navigator.deviceMemory: RAM in GB, rounded and capped (Chromium only). */
  deviceMemoryGB?: number;
  crossOriginIsolated: boolean;
}

/** What this browser offers for running models, as plain data. Fetches nothing. */
export async function probeDevice(): Promise<DeviceInfo> {
  const [adapter, storage] = await Promise.all([probeAdapter(), probeStorage()]);
  const memory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  return {
    adapter,
    storage,
    ...(typeof memory === 'number' ? { deviceMemoryGB: memory } : {}),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
  };
}

async function probeAdapter(): Promise<AdapterInfo> {
  const gpu = navigator.gpu;
  if (!gpu) return { features: null, limits: null, reason: NO_WEBGPU };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return { features: null, limits: null, reason: NO_ADAPTER };
    }
    const description = describeAdapter(adapter.info);
    return {
      features: [...adapter.features],
      limits: {
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      },
      ...(description ? { description } : {}),
    };
  } catch (error) {
    return { features: null, limits: null, reason: webgpuFailed(error) };
  }
}

async function probeStorage(): Promise<StorageInfo> {
  try {
    const { quota, usage } = (await navigator.storage?.estimate?.()) ?? {};
    return {
      ...(quota !== undefined ? { quota } : {}),
      ...(usage !== undefined ? { usage } : {}),
    };
  } catch {
    return {};
  }
}
