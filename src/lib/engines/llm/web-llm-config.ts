import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import { modelHost } from '../../core/models/model-source';
import {
  MODEL_LIB_HOST,
  WEB_LLM_MODEL_VERSION,
  type WebLlmModel,
} from '../../core/models/web-llm-catalogue';

/**
 * The web-llm configuration for `models`, downloading from `mirror` when given, laid out like the
 * hub (see DEVELOPERS.md):
 *
 *   <mirror>/mlc-ai/<repo>/resolve/main/<file>    weights, config, tokenizer (web-llm adds
 *                                                 `/resolve/main/` to `model` itself)
 *   <mirror>/mlc-ai/binary-mlc-llm-libs/resolve/main/web-llm-models/<version>/<lib>.wasm
 *
 * Without a mirror, the same URLs as web-llm's `prebuiltAppConfig`. Downloads are kept in the
 * Cache API, keyed by URL, so a model fetched from one source is not cached for another.
 */
export function appConfigFor(models: readonly WebLlmModel[], mirror?: string): AppConfig {
  const host = modelHost(mirror);
  const libHost =
    mirror === undefined ? MODEL_LIB_HOST : `${host}mlc-ai/binary-mlc-llm-libs/resolve/main/`;
  return {
    // web-llm-cache.ts reads and cleans the Cache API directly, so pin it as the backend.
    cacheBackend: 'cache',
    model_list: models.map((model): ModelRecord => ({
      model: `${host}mlc-ai/${model.repo}`,
      model_id: model.id,
      model_lib: `${libHost}web-llm-models/${WEB_LLM_MODEL_VERSION}/${model.lib}`,
      vram_required_MB: model.vramMB,
      low_resource_required: model.lowResource,
      required_features: [...model.requiredFeatures],
      ...(model.bufferSizeRequiredBytes !== undefined
        ? { buffer_size_required_bytes: model.bufferSizeRequiredBytes }
        : {}),
      overrides: { context_window_size: model.contextWindow },
    })),
  };
}
