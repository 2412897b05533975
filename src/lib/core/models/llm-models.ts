/*
 * core/models/ — what the app knows about models before loading one: the catalogues (embedding,
 * reranker, GGUF, web-llm), language-model specs (this file) and their suitability for a device,
 * where model files come from, GGUF header and layout checks, cached-file grouping, and the
 * WebGPU self-check's sentences and agreement test. No engine library is imported here.
 */

/** What the app knows about a language model it offers, independent of any engine library. */

export type Quantization = 'q4f16' | 'q4f32';

export interface LlmModelSpec {
  /** web-llm model id, e.g. "Qwen2.5-0.5B-Instruct-q4f16_1-MLC". */
  id: string;
  /** Family shown to people, e.g. "Qwen2.5 0.5B Instruct"; variants share it. */
  family: string;
  quantization: Quantization;
  /** Parameters, for the size estimate. */
  parameters: number;
  /** GPU memory the model needs (web-llm's vram_required_MB). */
  vramMB: number;
  contextWindow: number;
  /** WebGPU features the build needs, e.g. ["shader-f16"]. */
  requiredFeatures: string[];
  /** Largest storage buffer binding the build needs, when web-llm says. */
  bufferSizeRequiredBytes?: number;
  /** web-llm marks models that run on limited devices (phones). */
  lowResource: boolean;
}

/** What the browser says about its WebGPU adapter (recorded as plain data so tests can replay it). */
export interface AdapterInfo {
  /** null when there is no adapter; `reason` then says why. */
  features: string[] | null;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number } | null;
  description?: string;
  reason?: string;
}

/** navigator.storage.estimate(), in bytes; undefined fields when the browser does not say. */
export interface StorageInfo {
  quota?: number;
  usage?: number;
}

/**
 * Threads for llama.cpp in wllama on a device with `cores` logical cores. wllama's own default is
 * half the cores, which leaves a 2-core laptop on one thread: measured on such a machine (idle),
 * two threads ran SmolLM2 135M at 2× one thread's speed, prefill and decode alike (BENCHMARKS.md,
 * "Language model speed"). Half the cores, but at least two where there are two.
 */
export function llamaThreads(cores: number): number {
  const n = Number.isFinite(cores) && cores >= 1 ? Math.floor(cores) : 1;
  return Math.min(n, Math.max(2, Math.floor(n / 2)));
}
