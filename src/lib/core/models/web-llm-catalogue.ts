/**
 * The web-llm models the app offers, and the web-llm `AppConfig` that loads them from the hub or
 * from a `models=` mirror.
 *
 * The records are copied from web-llm's `prebuiltAppConfig` rather than read from it at run time:
 * importing web-llm pulls its whole 6.8 MB bundle into whatever imports it, and the model picker
 * needs this list before any model is loaded. `web-llm-catalogue.test.ts` checks every record
 * against the installed web-llm, so an upgrade that renames a model or moves its library fails the
 * unit tests instead of the first download.
 */

import type { LlmModelSpec, Quantization } from './llm-models';

/** web-llm's `modelVersion`: the folder of compiled model libraries this web-llm can run. */
export const WEB_LLM_MODEL_VERSION = 'v0_2_86/base';

/** Where web-llm's `prebuiltAppConfig` takes model libraries from (its `modelLibURLPrefix`). */
export const MODEL_LIB_HOST = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/';

export interface WebLlmModel extends LlmModelSpec {
  /** Hugging Face repository under `mlc-ai/` holding the weights, config and tokenizer. */
  repo: string;
  /** File name of the compiled model library (WebGPU kernels) in `WEB_LLM_MODEL_VERSION`. */
  lib: string;
  /** Writes its reasoning before the answer (Qwen3) unless the request turns that off. */
  thinking?: boolean;
}

type Family = Pick<WebLlmModel, 'family' | 'parameters' | 'lowResource' | 'thinking'>;
type Build = { quantization: Quantization; vramMB: number; lib: string };

const SHADER_F16 = 'shader-f16';

/**
 * Both builds of a family. web-llm lists `shader-f16` for only some q4f16 builds, but every
 * q4f16 library uses f16 arithmetic in its shaders, so they all need it.
 */
function builds(prefix: string, family: Family, ...variants: Build[]): WebLlmModel[] {
  return variants.map(({ quantization, vramMB, lib }) => {
    const id = `${prefix}-${quantization}_1-MLC`;
    return {
      id,
      repo: id,
      lib,
      ...family,
      quantization,
      vramMB,
      contextWindow: 4096,
      requiredFeatures: quantization === 'q4f16' ? [SHADER_F16] : [],
    };
  });
}

/** Small instruction-tuned models that answer from passages on a laptop, smallest first. */
export const WEB_LLM_MODELS: readonly WebLlmModel[] = [
  ...builds(
    'SmolLM2-360M-Instruct',
    { family: 'SmolLM2 360M Instruct', parameters: 362e6, lowResource: true },
    {
      quantization: 'q4f16',
      vramMB: 376.06,
      lib: 'SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm',
    },
    {
      quantization: 'q4f32',
      vramMB: 579.61,
      lib: 'SmolLM2-360M-Instruct-q4f32_1_cs1k-webgpu.wasm',
    },
  ),
  // Qwen2.5 runs on the Qwen2 libraries: same architecture.
  ...builds(
    'Qwen2.5-0.5B-Instruct',
    { family: 'Qwen2.5 0.5B Instruct', parameters: 494e6, lowResource: true },
    { quantization: 'q4f16', vramMB: 944.62, lib: 'Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm' },
    { quantization: 'q4f32', vramMB: 1060.2, lib: 'Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm' },
  ),
  ...builds(
    'Qwen3-0.6B',
    { family: 'Qwen3 0.6B', parameters: 0.6e9, lowResource: true, thinking: true },
    { quantization: 'q4f16', vramMB: 1403.34, lib: 'Qwen3-0.6B-q4f16_1_cs1k-webgpu.wasm' },
    { quantization: 'q4f32', vramMB: 1924.98, lib: 'Qwen3-0.6B-q4f32_1_cs1k-webgpu.wasm' },
  ),
  ...builds(
    'Llama-3.2-1B-Instruct',
    { family: 'Llama 3.2 1B Instruct', parameters: 1.24e9, lowResource: true },
    {
      quantization: 'q4f16',
      vramMB: 879.04,
      lib: 'Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm',
    },
    {
      quantization: 'q4f32',
      vramMB: 1128.82,
      lib: 'Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm',
    },
  ),
  ...builds(
    'Qwen2.5-1.5B-Instruct',
    { family: 'Qwen2.5 1.5B Instruct', parameters: 1.54e9, lowResource: true },
    { quantization: 'q4f16', vramMB: 1629.75, lib: 'Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm' },
    { quantization: 'q4f32', vramMB: 1888.97, lib: 'Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm' },
  ),
  ...builds(
    'Phi-3.5-mini-instruct',
    { family: 'Phi-3.5 mini instruct', parameters: 3.82e9, lowResource: false },
    {
      quantization: 'q4f16',
      vramMB: 3672.07,
      lib: 'Phi-3.5-mini-instruct-q4f16_1_cs1k-webgpu.wasm',
    },
    {
      quantization: 'q4f32',
      vramMB: 5483.12,
      lib: 'Phi-3.5-mini-instruct-q4f32_1_cs1k-webgpu.wasm',
    },
  ),
];

export function findWebLlmModel(
  id: string,
  models: readonly WebLlmModel[] = WEB_LLM_MODELS,
): WebLlmModel | undefined {
  return models.find((model) => model.id === id);
}

/** The name people see, e.g. "Qwen2.5 0.5B Instruct (q4f32)". */
export function webLlmLabel(model: LlmModelSpec): string {
  return `${model.family} (${model.quantization})`;
}
