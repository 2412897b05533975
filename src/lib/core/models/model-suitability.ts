/**
 * Which language models this device can run, and in words a person can act on when it cannot.
 *
 * Hard facts come first: WebGPU, its features and buffer limits decide whether web-llm can start
 * a model at all, and free storage whether it can be downloaded. GPU memory is a judgement, since
 * WebGPU does not say how much a GPU has; see `gpuMemoryEstimate`.
 */

import { formatBytes } from '../text/format';
import type { AdapterInfo, LlmModelSpec, Quantization, StorageInfo } from './llm-models';

export interface DeviceCapabilities {
  adapter: AdapterInfo;
  storage: StorageInfo;
  /** navigator.deviceMemory: RAM in GiB, rounded down to a power of two and capped (at 8). */
  deviceMemoryGB?: number;
  /** Models already in the browser's cache, which need no more storage. */
  cachedModelIds?: readonly string[];
}

export interface ModelAssessment {
  runnable: boolean;
  /** Why it cannot run, one sentence each; empty when it can. */
  reasons: string[];
}

/** The build of one family this device should use. */
export interface ModelChoice {
  family: string;
  spec: LlmModelSpec;
  assessment: ModelAssessment;
  /** Estimated download size in bytes (show it with "≈"). */
  downloadBytes: number;
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const SHADER_F16 = 'shader-f16';

/**
 * web-llm asks the GPU for 1 GiB buffers and bindings and falls back to the WebGPU defaults
 * (256 MiB buffers, 128 MiB bindings); below those it refuses to start. So a model's binding
 * needs are met by 1 GiB or by 128 MiB, never by what lies between.
 */
const WEB_LLM_MIN_BUFFER = 256 * MIB;
const WEB_LLM_BINDING = GIB;
const WEB_LLM_MIN_BINDING = 128 * MIB;

/**
 * Effective bits per weight: 4-bit weights in groups of 32 sharing one scale, stored as f16 in
 * q4f16 (4 + 16/32) and as f32 in q4f32 (4 + 32/32).
 */
const BITS_PER_WEIGHT: Record<Quantization, number> = { q4f16: 4.5, q4f32: 5 };
/** Tokenizer (up to 11 MB for Qwen), compiled model library (5–10 MB), configuration. */
const DOWNLOAD_OVERHEAD_BYTES = 20e6;

/** Share of RAM an integrated GPU or a software renderer can use (Windows and macOS allow ½–¾). */
const RAM_SHARE_FOR_GPU = 0.5;

/**
 * Roughly what downloading `spec` costs, in bytes: its weights at their effective bits per
 * weight plus a fixed overhead. An estimate, to be shown with "≈".
 */
export function estimateDownloadBytes(spec: LlmModelSpec): number {
  return (
    Math.round((spec.parameters * BITS_PER_WEIGHT[spec.quantization]) / 8) + DOWNLOAD_OVERHEAD_BYTES
  );
}

/**
 * GPU memory this device likely has, in bytes, and how that was judged. WebGPU does not report
 * memory, so: a GPU that allows a buffer of some size has at least that much memory; and an
 * integrated GPU or software renderer (most laptops, phones, and virtual machines) takes its
 * memory from RAM, of which it gets about half. navigator.deviceMemory stops at 8, so RAM says
 * at most 4 GiB. A discrete GPU can have more than either says; such GPUs have shader-f16, and
 * the q4f16 builds picked for them need less memory than the q4f32 ones. Compared with web-llm's
 * vram_required_MB, read as MiB.
 */
export function gpuMemoryEstimate(
  device: DeviceCapabilities,
): { bytes: number; basis: string } | null {
  const limits = device.adapter.limits;
  if (!device.adapter.features || !limits) return null;
  const fromBuffers = limits.maxBufferSize;
  const memory = device.deviceMemoryGB;
  if (memory !== undefined && memory * GIB * RAM_SHARE_FOR_GPU > fromBuffers) {
    return {
      bytes: memory * GIB * RAM_SHARE_FOR_GPU,
      basis: `half of its ${memory} GB of memory`,
    };
  }
  return { bytes: fromBuffers, basis: `the largest buffer this GPU allows` };
}

/** Whether this device can run `spec`, and if not, every reason why. */
export function assessModel(spec: LlmModelSpec, device: DeviceCapabilities): ModelAssessment {
  const reasons: string[] = [];
  const { features, limits } = device.adapter;
  if (!features) {
    const why = device.adapter.reason;
    reasons.push(why ? `needs WebGPU: ${why}` : 'needs WebGPU, which this browser does not offer');
  } else {
    for (const feature of spec.requiredFeatures) {
      if (!features.includes(feature)) {
        reasons.push(`needs the ${feature} feature, which this GPU lacks`);
      }
    }
    if (limits) reasons.push(...limitReasons(spec, limits));
    const memory = gpuMemoryEstimate(device);
    const needed = spec.vramMB * MIB;
    if (memory && needed > memory.bytes) {
      const [need, have] = formatDistinct(needed, memory.bytes);
      reasons.push(
        `needs about ${need} of GPU memory; this device likely has about ${have} (${memory.basis})`,
      );
    }
  }
  const storage = storageReason(spec, device);
  if (storage) reasons.push(storage);
  return { runnable: reasons.length === 0, reasons };
}

/** Two sizes, with more digits when one decimal would make them look equal. */
function formatDistinct(a: number, b: number): [string, string] {
  const [shortA, shortB] = [formatBytes(a), formatBytes(b)];
  if (shortA !== shortB) return [shortA, shortB];
  const [unit, name] = Math.max(a, b) >= 1e9 ? [1e9, 'GB'] : [1e6, 'MB'];
  return [`${(a / unit).toFixed(2)} ${name}`, `${(b / unit).toFixed(2)} ${name}`];
}

function limitReasons(spec: LlmModelSpec, limits: NonNullable<AdapterInfo['limits']>): string[] {
  if (limits.maxBufferSize < WEB_LLM_MIN_BUFFER) {
    return [
      `needs GPU buffers of ${formatBytes(WEB_LLM_MIN_BUFFER)}; this GPU allows only ` +
        formatBytes(limits.maxBufferSize),
    ];
  }
  if (limits.maxStorageBufferBindingSize < WEB_LLM_MIN_BINDING) {
    return [
      `needs GPU storage bindings of ${formatBytes(WEB_LLM_MIN_BINDING)}; this GPU allows only ` +
        formatBytes(limits.maxStorageBufferBindingSize),
    ];
  }
  const binding =
    limits.maxStorageBufferBindingSize >= WEB_LLM_BINDING ? WEB_LLM_BINDING : WEB_LLM_MIN_BINDING;
  const required = spec.bufferSizeRequiredBytes;
  if (required !== undefined && required > binding) {
    return [
      `needs GPU storage bindings of ${formatBytes(required)}; on this GPU web-llm can use ` +
        formatBytes(binding),
    ];
  }
  return [];
}

function storageReason(spec: LlmModelSpec, device: DeviceCapabilities): string | null {
  const { quota, usage } = device.storage;
  if (quota === undefined || usage === undefined) return null;
  if (device.cachedModelIds?.includes(spec.id)) return null;
  const free = Math.max(0, quota - usage);
  const needed = estimateDownloadBytes(spec);
  if (needed <= free) return null;
  return `about ${formatBytes(needed)} to download, but only ${formatBytes(free)} of storage is free`;
}

/**
 * One build per family, in the order the families first appear: q4f16 when the GPU has
 * shader-f16 (less memory, faster), q4f32 otherwise; the other build if the family lacks it.
 */
export function pickVariants(
  specs: readonly LlmModelSpec[],
  device: DeviceCapabilities,
): ModelChoice[] {
  const preferred: Quantization = device.adapter.features?.includes(SHADER_F16) ? 'q4f16' : 'q4f32';
  const families = new Map<string, LlmModelSpec[]>();
  for (const spec of specs) {
    const builds = families.get(spec.family);
    if (builds) builds.push(spec);
    else families.set(spec.family, [spec]);
  }
  return [...families].map(([family, builds]) => {
    const spec = builds.find((build) => build.quantization === preferred) ?? builds[0]!;
    return {
      family,
      spec,
      assessment: assessModel(spec, device),
      downloadBytes: estimateDownloadBytes(spec),
    };
  });
}

/** The family picked for someone who has not chosen: instruction-tuned, small, answers well. */
export const PREFERRED_DEFAULT_MODEL = 'Qwen2.5-0.5B-Instruct';

/**
 * The model to offer first: Qwen2.5 0.5B Instruct when it can run (SmolLM2 360M is smaller but
 * scores well below it on public benchmarks), else the smallest family that can run; null when
 * none can.
 */
export function defaultModel(choices: readonly ModelChoice[]): ModelChoice | null {
  const runnable = choices.filter((choice) => choice.assessment.runnable);
  const preferred = runnable.find((choice) =>
    choice.spec.id.startsWith(`${PREFERRED_DEFAULT_MODEL}-`),
  );
  if (preferred) return preferred;
  return runnable.reduce<ModelChoice | null>(
    (best, choice) => (best && best.spec.parameters <= choice.spec.parameters ? best : choice),
    null,
  );
}
