import {
  lowestCosineText,
  rowCosines,
  vectorsAgree,
  type SelfCheck,
} from '../../core/models/vector-agreement';
import type { EmbeddingBackend } from '../../core/models/embedding-backend';
import type { BackendPreference } from './protocol';
import { serializeError } from '../rpc';

/**
 * The WebGPU self-check (core/models/vector-agreement.ts): after a model loads on WebGPU, the same model
 * is loaded on WASM and both embed the check sentences; if their vectors disagree, the WASM one
 * is kept. Runs once per model and adapter: a remembered verdict is trusted.
 */
export interface SelfCheckOptions<T> {
  modelId: string;
  /** The WebGPU adapter in use, as `SelfCheck.device` records it. */
  device(): Promise<string>;
  /** Verdicts remembered for this model; the one for `device()` is used instead of checking. */
  remembered: readonly SelfCheck[];
  /** The check sentences' vectors (core/models/vector-agreement.ts), row-major, `dimension` wide. */
  embed(loaded: T): Promise<{ vectors: Float32Array; dimension: number }>;
  dispose(loaded: T): Promise<void>;
  now?: () => number;
}

export interface FallbackResult<T> {
  loaded: T;
  /** Why WebGPU is not used, when it was wanted. */
  fallbackReason?: string;
  selfCheck?: SelfCheck & { remembered: boolean };
  /** Why the self-check could not run; WebGPU is kept, unchecked. */
  selfCheckError?: string;
}

/**
 * Loads a transformers.js model on WebGPU when it is wanted and available, else on WASM; a model
 * that fails on WebGPU is tried once more on WASM, since some adapters cannot run a given model.
 * With `selfCheck`, a model whose WebGPU vectors disagree with its WASM ones runs on WASM.
 * `fallbackReason` says why WebGPU was not used, when it was wanted.
 */
export async function loadWithFallback<T>(
  backend: BackendPreference,
  webgpuUnavailableReason: () => Promise<string | null | undefined>,
  load: (backend: EmbeddingBackend) => Promise<T>,
  selfCheck?: SelfCheckOptions<T>,
): Promise<FallbackResult<T>> {
  if (backend === 'wasm') return { loaded: await load('wasm') };
  const reason = await webgpuUnavailableReason();
  if (reason) return { loaded: await load('wasm'), fallbackReason: reason };

  const device = selfCheck ? await selfCheck.device() : '';
  const known = selfCheck?.remembered.find((c) => c.device === device);
  if (known && !known.agree) {
    // Not loaded on WebGPU at all: its vectors are known to be wrong here.
    return {
      loaded: await load('wasm'),
      fallbackReason: disagreementReason(known),
      selfCheck: { ...known, remembered: true },
    };
  }

  let webgpu: T;
  try {
    webgpu = await load('webgpu');
  } catch (error) {
    return { loaded: await load('wasm'), fallbackReason: webgpuFailed(error) };
  }
  if (!selfCheck) return { loaded: webgpu };
  if (known) return { loaded: webgpu, selfCheck: { ...known, remembered: true } };

  let wasm: T;
  try {
    wasm = await load('wasm');
  } catch (error) {
    return {
      loaded: webgpu,
      selfCheckError: `could not load it on WASM: ${serializeError(error).message}`,
    };
  }
  let expected: { vectors: Float32Array; dimension: number };
  try {
    expected = await selfCheck.embed(wasm);
  } catch (error) {
    await selfCheck.dispose(wasm).catch(() => {});
    return {
      loaded: webgpu,
      selfCheckError: `it failed on WASM: ${serializeError(error).message}`,
    };
  }
  let actual: { vectors: Float32Array; dimension: number };
  try {
    actual = await selfCheck.embed(webgpu);
  } catch (error) {
    await selfCheck.dispose(webgpu).catch(() => {});
    return { loaded: wasm, fallbackReason: webgpuFailed(error) };
  }
  // Vectors of different widths are not the same vectors.
  const cosines =
    actual.dimension === expected.dimension && actual.vectors.length === expected.vectors.length
      ? rowCosines(actual.vectors, expected.vectors, actual.dimension)
      : Array.from({ length: expected.vectors.length / expected.dimension }, () => NaN);
  const check: SelfCheck = {
    modelId: selfCheck.modelId,
    device,
    agree: vectorsAgree(cosines),
    cosines,
    checkedAt: (selfCheck.now ?? Date.now)(),
  };
  const [kept, dropped] = check.agree ? [webgpu, wasm] : [wasm, webgpu];
  await selfCheck.dispose(dropped).catch(() => {});
  return {
    loaded: kept,
    ...(!check.agree && { fallbackReason: disagreementReason(check) }),
    selfCheck: { ...check, remembered: false },
  };
}

function webgpuFailed(error: unknown): string {
  return `WebGPU failed: ${serializeError(error).message}`;
}

function disagreementReason(check: SelfCheck): string {
  return `WebGPU gave different vectors from WASM on this device (${lowestCosineText(check.cosines)})`;
}
