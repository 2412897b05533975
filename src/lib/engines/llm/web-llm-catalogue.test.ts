import { modelLibURLPrefix, modelVersion, prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, test } from 'vitest';
import {
  MODEL_LIB_HOST,
  WEB_LLM_MODELS,
  WEB_LLM_MODEL_VERSION,
  findWebLlmModel,
  webLlmLabel,
} from '../../core/models/web-llm-catalogue';
import { appConfigFor } from './web-llm-config';

const prebuilt = (id: string) => prebuiltAppConfig.model_list.find((r) => r.model_id === id);

describe('the catalogue matches the installed web-llm', () => {
  test('model libraries come from the version this web-llm runs', () => {
    expect(WEB_LLM_MODEL_VERSION).toBe(modelVersion);
    expect(`${MODEL_LIB_HOST}web-llm-models/`).toBe(modelLibURLPrefix);
  });

  test.each(WEB_LLM_MODELS.map((m) => [m.id, m] as const))('%s', (id, model) => {
    const record = prebuilt(id);
    expect(record, `${id} is not in web-llm's prebuiltAppConfig`).toBeDefined();
    expect(record!.model.replace(/\/$/, '')).toBe(`https://huggingface.co/mlc-ai/${model.repo}`);
    expect(record!.model_lib).toBe(`${modelLibURLPrefix}${modelVersion}/${model.lib}`);
    expect(model.vramMB).toBe(record!.vram_required_MB);
    expect(model.contextWindow).toBe(record!.overrides?.context_window_size);
    expect(model.lowResource).toBe(record!.low_resource_required ?? false);
    expect(model.bufferSizeRequiredBytes).toBe(record!.buffer_size_required_bytes);
    for (const feature of record!.required_features ?? []) {
      expect(model.requiredFeatures).toContain(feature);
    }
  });

  test('without a mirror the app config equals the prebuilt records', () => {
    for (const record of appConfigFor(WEB_LLM_MODELS).model_list) {
      const original = prebuilt(record.model_id)!;
      expect(record.model).toBe(original.model);
      expect(record.model_lib).toBe(original.model_lib);
      expect(record.vram_required_MB).toBe(original.vram_required_MB);
      expect(record.overrides).toEqual(original.overrides);
    }
  });
});

describe('the catalogue', () => {
  test('offers each family in a q4f16 and a q4f32 build, with unique ids', () => {
    const ids = WEB_LLM_MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const families = new Set(WEB_LLM_MODELS.map((m) => m.family));
    expect(families.size).toBe(6);
    for (const family of families) {
      const quantizations = WEB_LLM_MODELS.filter((m) => m.family === family).map(
        (m) => m.quantization,
      );
      expect(quantizations.sort()).toEqual(['q4f16', 'q4f32']);
    }
  });

  test('every q4f16 build needs shader-f16, even where web-llm does not say so', () => {
    for (const model of WEB_LLM_MODELS) {
      expect(model.requiredFeatures.includes('shader-f16')).toBe(model.quantization === 'q4f16');
    }
    expect(prebuilt('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')!.required_features).toBeUndefined();
    const record = appConfigFor(WEB_LLM_MODELS).model_list.find(
      (r) => r.model_id === 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    );
    expect(record!.required_features).toEqual(['shader-f16']);
  });

  test('labels name the family and the build', () => {
    const model = findWebLlmModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')!;
    expect(webLlmLabel(model)).toBe('Qwen2.5 0.5B Instruct (q4f32)');
    expect(findWebLlmModel('no-such-model')).toBeUndefined();
  });

  test('downloads go to the Cache API, which web-llm-cache.ts reads', () => {
    expect(appConfigFor(WEB_LLM_MODELS).cacheBackend).toBe('cache');
  });
});

describe('a models= mirror', () => {
  const mirror = 'http://192.168.1.20:8080/';

  test('every URL of every model starts with the mirror', () => {
    const { model_list } = appConfigFor(WEB_LLM_MODELS, mirror);
    expect(model_list).toHaveLength(WEB_LLM_MODELS.length);
    for (const record of model_list) {
      expect(record.model.startsWith(mirror)).toBe(true);
      expect(record.model_lib.startsWith(mirror)).toBe(true);
    }
  });

  test('keeps the hub layout and every file name', () => {
    const { model_list } = appConfigFor(WEB_LLM_MODELS, mirror);
    for (const [i, record] of model_list.entries()) {
      const original = prebuilt(record.model_id)!;
      const model = WEB_LLM_MODELS[i]!;
      expect(record.model).toBe(`${mirror}mlc-ai/${model.repo}`);
      expect(record.model_lib).toBe(
        `${mirror}mlc-ai/binary-mlc-llm-libs/resolve/main/web-llm-models/${modelVersion}/${model.lib}`,
      );
      expect(record.model.split('/').at(-1)).toBe(original.model.split('/').at(-1));
      expect(record.model_lib.split('/').at(-1)).toBe(original.model_lib.split('/').at(-1));
    }
  });

  test('a mirror without a trailing slash gives the same URLs', () => {
    expect(appConfigFor(WEB_LLM_MODELS, 'http://192.168.1.20:8080')).toEqual(
      appConfigFor(WEB_LLM_MODELS, mirror),
    );
  });

  test('a mirror under a path keeps the path', () => {
    const [record] = appConfigFor(
      WEB_LLM_MODELS.slice(0, 1),
      'https://models.example/hf/',
    ).model_list;
    expect(record!.model).toBe(
      'https://models.example/hf/mlc-ai/SmolLM2-360M-Instruct-q4f16_1-MLC',
    );
    expect(record!.model_lib).toMatch(
      /^https:\/\/models\.example\/hf\/mlc-ai\/binary-mlc-llm-libs\/resolve\/main\/web-llm-models\//,
    );
  });
});
