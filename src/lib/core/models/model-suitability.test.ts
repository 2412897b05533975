import { describe, expect, test } from 'vitest';
import type { AdapterInfo, LlmModelSpec } from './llm-models';
import {
  assessModel,
  defaultModel,
  estimateDownloadBytes,
  gpuMemoryEstimate,
  pickVariants,
  type DeviceCapabilities,
} from './model-suitability';

// Ids, vram_required_MB, low_resource_required and context_window_size as web-llm 0.2.86's
// prebuiltAppConfig lists them; parameters from the models' cards. web-llm lists shader-f16 for
// SmolLM2's q4f16 build only, but every q4f16 library needs it (see web-llm-catalogue.ts).
function build(
  prefix: string,
  family: string,
  parameters: number,
  lowResource: boolean,
  vram: { q4f16: number; q4f32: number },
): LlmModelSpec[] {
  return (['q4f16', 'q4f32'] as const).map((quantization) => ({
    id: `${prefix}-${quantization}_1-MLC`,
    family,
    quantization,
    parameters,
    vramMB: vram[quantization],
    contextWindow: 4096,
    requiredFeatures: quantization === 'q4f16' ? ['shader-f16'] : [],
    lowResource,
  }));
}

const SMOLLM2 = build('SmolLM2-360M-Instruct', 'SmolLM2 360M Instruct', 362e6, true, {
  q4f16: 376.06,
  q4f32: 579.61,
});
const QWEN = build('Qwen2.5-0.5B-Instruct', 'Qwen2.5 0.5B Instruct', 494e6, true, {
  q4f16: 944.62,
  q4f32: 1060.2,
});
const LLAMA = build('Llama-3.2-1B-Instruct', 'Llama 3.2 1B Instruct', 1.24e9, true, {
  q4f16: 879.04,
  q4f32: 1128.82,
});
const PHI = build('Phi-3.5-mini-instruct', 'Phi-3.5 mini instruct', 3.82e9, false, {
  q4f16: 3672.07,
  q4f32: 5483.12,
});
const MODELS = [...SMOLLM2, ...QWEN, ...LLAMA, ...PHI];
/** web-llm's gemma-2b-it-q4f16_1-MLC, the kind of model that needs large storage bindings. */
const GEMMA: LlmModelSpec = {
  id: 'gemma-2b-it-q4f16_1-MLC',
  family: 'Gemma 2B it',
  quantization: 'q4f16',
  parameters: 2.51e9,
  vramMB: 1476.52,
  contextWindow: 4096,
  requiredFeatures: ['shader-f16'],
  bufferSizeRequiredBytes: 262144000,
  lowResource: false,
};

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/** Recorded from headless Chromium with --enable-unsafe-webgpu on this CI machine (SwiftShader). */
const SWIFTSHADER: AdapterInfo = {
  features: [
    'depth32float-stencil8',
    'rg11b10ufloat-renderable',
    'bgra8unorm-storage',
    'texture-compression-bc',
    'core-features-and-limits',
    'chromium-experimental-timestamp-query-inside-passes',
    'float32-filterable',
    'indirect-first-instance',
    'texture-compression-astc-sliced-3d',
    'float32-blendable',
    'subgroup-size-control',
    'texture-compression-astc',
    'texture-compression-etc2',
    'depth-clip-control',
    'texture-compression-bc-sliced-3d',
    'clip-distances',
    'timestamp-query',
    'texture-component-swizzle',
    'subgroups',
  ],
  limits: { maxBufferSize: GIB, maxStorageBufferBindingSize: GIB },
};
/** A discrete GPU with shader-f16 and 4 GiB buffers. */
const DISCRETE: AdapterInfo = {
  features: ['shader-f16', 'subgroups', 'timestamp-query', 'texture-compression-bc'],
  limits: { maxBufferSize: 4 * GIB, maxStorageBufferBindingSize: 4 * GIB },
  description: 'nvidia ampere',
};
/** A phone GPU that offers only WebGPU's default limits. */
const PHONE: AdapterInfo = {
  features: ['shader-f16', 'texture-compression-astc'],
  limits: { maxBufferSize: 256 * MIB, maxStorageBufferBindingSize: 128 * MIB },
};
/** What device.ts records in a browser without navigator.gpu, and in one without an adapter. */
const NO_WEBGPU: AdapterInfo = {
  features: null,
  limits: null,
  reason: 'this browser does not offer WebGPU',
};
const NO_ADAPTER: AdapterInfo = {
  features: null,
  limits: null,
  reason: 'no WebGPU adapter is available',
};

const PLENTY = { quota: 100e9, usage: 1e9 };

function device(adapter: AdapterInfo, extra: Partial<DeviceCapabilities> = {}): DeviceCapabilities {
  return { adapter, storage: PLENTY, deviceMemoryGB: 8, ...extra };
}

function byId(id: string): LlmModelSpec {
  const spec = MODELS.find((model) => model.id === id);
  if (!spec) throw new Error(`no fixture ${id}`);
  return spec;
}

/** Each family's chosen build, runnable or not, in a line each for readable failures. */
function summary(specs: LlmModelSpec[], on: DeviceCapabilities): string[] {
  return pickVariants(specs, on).map(
    (choice) => `${choice.spec.id}: ${choice.assessment.runnable ? 'runs' : 'cannot run'}`,
  );
}

describe('estimateDownloadBytes', () => {
  test('is parameters at 4.5 bits (q4f16) or 5 bits (q4f32) per weight, plus 20 MB', () => {
    expect(estimateDownloadBytes(byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'))).toBe(297_875_000);
    expect(estimateDownloadBytes(byId('Qwen2.5-0.5B-Instruct-q4f32_1-MLC'))).toBe(328_750_000);
    expect(estimateDownloadBytes(byId('SmolLM2-360M-Instruct-q4f16_1-MLC'))).toBe(223_625_000);
    expect(estimateDownloadBytes(byId('Phi-3.5-mini-instruct-q4f16_1-MLC'))).toBe(2_168_750_000);
  });
});

describe('assessModel', () => {
  test('everything runs on a discrete GPU with shader-f16 and room to spare', () => {
    for (const spec of MODELS.filter((model) => model.quantization === 'q4f16')) {
      expect(assessModel(spec, device(DISCRETE)), spec.id).toEqual({ runnable: true, reasons: [] });
    }
  });

  test('q4f16 builds need shader-f16, which SwiftShader lacks', () => {
    expect(assessModel(byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'), device(SWIFTSHADER))).toEqual({
      runnable: false,
      reasons: ['needs the shader-f16 feature, which this GPU lacks'],
    });
    expect(assessModel(byId('Qwen2.5-0.5B-Instruct-q4f32_1-MLC'), device(SWIFTSHADER))).toEqual({
      runnable: true,
      reasons: [],
    });
  });

  test('without WebGPU nothing runs, and the reason says why', () => {
    expect(assessModel(byId('SmolLM2-360M-Instruct-q4f32_1-MLC'), device(NO_WEBGPU))).toEqual({
      runnable: false,
      reasons: ['needs WebGPU: this browser does not offer WebGPU'],
    });
    expect(assessModel(QWEN[1]!, device(NO_ADAPTER)).reasons).toEqual([
      'needs WebGPU: no WebGPU adapter is available',
    ]);
    expect(assessModel(QWEN[1]!, device({ features: null, limits: null })).reasons).toEqual([
      'needs WebGPU, which this browser does not offer',
    ]);
  });

  test('GPU memory is judged from half the RAM when that says more than the largest buffer', () => {
    const phi = byId('Phi-3.5-mini-instruct-q4f32_1-MLC');
    expect(assessModel(phi, device(SWIFTSHADER)).reasons).toEqual([
      'needs about 5.7 GB of GPU memory; this device likely has about 4.3 GB (half of its 8 GB of memory)',
    ]);
    expect(
      assessModel(byId('Llama-3.2-1B-Instruct-q4f32_1-MLC'), device(SWIFTSHADER)).runnable,
    ).toBe(true);
  });

  test('without the RAM size, GPU memory is judged from the largest buffer alone', () => {
    const memoryUnknown: DeviceCapabilities = { adapter: SWIFTSHADER, storage: PLENTY };
    expect(gpuMemoryEstimate(memoryUnknown)).toEqual({
      bytes: GIB,
      basis: 'the largest buffer this GPU allows',
    });
    expect(assessModel(byId('Qwen2.5-0.5B-Instruct-q4f32_1-MLC'), memoryUnknown)).toEqual({
      runnable: false,
      reasons: [
        'needs about 1.11 GB of GPU memory; this device likely has about 1.07 GB (the largest buffer this GPU allows)',
      ],
    });
    expect(assessModel(byId('SmolLM2-360M-Instruct-q4f32_1-MLC'), memoryUnknown).runnable).toBe(
      true,
    );
  });

  test('a model that needs larger storage bindings than web-llm gets on this GPU cannot run', () => {
    expect(assessModel(GEMMA, device(PHONE, { deviceMemoryGB: 4 }))).toEqual({
      runnable: false,
      reasons: ['needs GPU storage bindings of 262 MB; on this GPU web-llm can use 134 MB'],
    });
    // web-llm asks for 1 GiB bindings or the 128 MiB default, nothing between.
    const halfway = {
      ...PHONE,
      limits: { maxBufferSize: GIB, maxStorageBufferBindingSize: 512 * MIB },
    };
    expect(assessModel(GEMMA, device(halfway)).runnable).toBe(false);
    expect(assessModel(GEMMA, device(DISCRETE)).runnable).toBe(true);
    // Models that state no binding size run on the phone.
    expect(
      assessModel(byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'), device(PHONE, { deviceMemoryGB: 4 }))
        .runnable,
    ).toBe(true);
  });

  test('a GPU below the limits web-llm starts with runs nothing', () => {
    const tiny = {
      ...PHONE,
      limits: { maxBufferSize: 128 * MIB, maxStorageBufferBindingSize: 128 * MIB },
    };
    expect(assessModel(SMOLLM2[0]!, device(tiny)).reasons).toEqual([
      'needs GPU buffers of 268 MB; this GPU allows only 134 MB',
    ]);
    const narrow = {
      ...PHONE,
      limits: { maxBufferSize: 256 * MIB, maxStorageBufferBindingSize: 64 * MIB },
    };
    expect(assessModel(SMOLLM2[0]!, device(narrow)).reasons).toEqual([
      'needs GPU storage bindings of 134 MB; this GPU allows only 67.1 MB',
    ]);
  });

  test('a download larger than the free storage cannot run, unless the model is already cached', () => {
    const small = device(DISCRETE, { storage: { quota: 500e6, usage: 100e6 } });
    const llama = byId('Llama-3.2-1B-Instruct-q4f16_1-MLC');
    expect(assessModel(llama, small)).toEqual({
      runnable: false,
      reasons: ['about 718 MB to download, but only 400 MB of storage is free'],
    });
    expect(assessModel(byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'), small).runnable).toBe(true);
    expect(assessModel(llama, { ...small, cachedModelIds: [llama.id] }).runnable).toBe(true);
    // Usage above the quota means nothing is free, not a negative amount.
    expect(
      assessModel(SMOLLM2[0]!, device(DISCRETE, { storage: { quota: 1e6, usage: 2e6 } })).reasons,
    ).toEqual(['about 224 MB to download, but only 0 B of storage is free']);
    // When the browser does not say, storage is not held against a model.
    expect(assessModel(llama, device(DISCRETE, { storage: {} })).runnable).toBe(true);
  });

  test('lists every reason at once', () => {
    const small = device(NO_WEBGPU, { storage: { quota: 500e6, usage: 300e6 } });
    expect(assessModel(byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC'), small).reasons).toEqual([
      'needs WebGPU: this browser does not offer WebGPU',
      'about 298 MB to download, but only 200 MB of storage is free',
    ]);
    const swift = device(SWIFTSHADER, { storage: { quota: 1e9, usage: 0 } });
    expect(assessModel(byId('Phi-3.5-mini-instruct-q4f16_1-MLC'), swift).reasons).toEqual([
      'needs the shader-f16 feature, which this GPU lacks',
      'about 2.2 GB to download, but only 1.0 GB of storage is free',
    ]);
  });
});

describe('pickVariants', () => {
  test('picks q4f16 builds where the GPU has shader-f16', () => {
    expect(summary(MODELS, device(DISCRETE))).toEqual([
      'SmolLM2-360M-Instruct-q4f16_1-MLC: runs',
      'Qwen2.5-0.5B-Instruct-q4f16_1-MLC: runs',
      'Llama-3.2-1B-Instruct-q4f16_1-MLC: runs',
      'Phi-3.5-mini-instruct-q4f16_1-MLC: runs',
    ]);
  });

  test('picks q4f32 builds on SwiftShader, and judges each', () => {
    const choices = pickVariants(MODELS, device(SWIFTSHADER));
    expect(choices.map((choice) => choice.family)).toEqual([
      'SmolLM2 360M Instruct',
      'Qwen2.5 0.5B Instruct',
      'Llama 3.2 1B Instruct',
      'Phi-3.5 mini instruct',
    ]);
    expect(summary(MODELS, device(SWIFTSHADER))).toEqual([
      'SmolLM2-360M-Instruct-q4f32_1-MLC: runs',
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC: runs',
      'Llama-3.2-1B-Instruct-q4f32_1-MLC: runs',
      'Phi-3.5-mini-instruct-q4f32_1-MLC: cannot run',
    ]);
    expect(choices[0]!.downloadBytes).toBe(estimateDownloadBytes(choices[0]!.spec));
  });

  test('picks q4f32 builds without WebGPU, none of them runnable', () => {
    expect(summary(MODELS, device(NO_WEBGPU))).toEqual([
      'SmolLM2-360M-Instruct-q4f32_1-MLC: cannot run',
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC: cannot run',
      'Llama-3.2-1B-Instruct-q4f32_1-MLC: cannot run',
      'Phi-3.5-mini-instruct-q4f32_1-MLC: cannot run',
    ]);
  });

  test('takes the build a family has when it lacks the preferred one', () => {
    expect(summary([GEMMA, ...SMOLLM2], device(SWIFTSHADER))).toEqual([
      'gemma-2b-it-q4f16_1-MLC: cannot run',
      'SmolLM2-360M-Instruct-q4f32_1-MLC: runs',
    ]);
  });
});

describe('defaultModel', () => {
  test('is Qwen2.5 0.5B Instruct wherever it runs', () => {
    expect(defaultModel(pickVariants(MODELS, device(DISCRETE)))?.spec.id).toBe(
      'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    );
    expect(defaultModel(pickVariants(MODELS, device(SWIFTSHADER)))?.spec.id).toBe(
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    );
  });

  test('is otherwise the smallest family that runs, in any order', () => {
    // 2 GB of RAM and 1 GiB buffers: about 1 GiB of GPU memory, too little for Qwen's q4f32.
    const lowEnd = device(SWIFTSHADER, { deviceMemoryGB: 2 });
    const choices = pickVariants([...PHI, ...LLAMA, ...QWEN, ...SMOLLM2], lowEnd);
    expect(choices.filter((c) => c.assessment.runnable).map((c) => c.spec.id)).toEqual([
      'SmolLM2-360M-Instruct-q4f32_1-MLC',
    ]);
    expect(defaultModel(choices)?.spec.id).toBe('SmolLM2-360M-Instruct-q4f32_1-MLC');
    // Storage too small for Qwen and larger, on a GPU that runs them all.
    const cramped = device(DISCRETE, { storage: { quota: 290e6, usage: 0 } });
    expect(defaultModel(pickVariants([...LLAMA, ...SMOLLM2, ...QWEN], cramped))?.spec.id).toBe(
      'SmolLM2-360M-Instruct-q4f16_1-MLC',
    );
  });

  test('is null when nothing runs', () => {
    expect(defaultModel(pickVariants(MODELS, device(NO_WEBGPU)))).toBeNull();
    expect(defaultModel([])).toBeNull();
    const full = device(DISCRETE, { storage: { quota: 100e6, usage: 0 } });
    expect(defaultModel(pickVariants(MODELS, full))).toBeNull();
  });
});
