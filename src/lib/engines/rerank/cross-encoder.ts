import { messageOf } from '../../core/text/format';
import {
  AutoModelForSequenceClassification,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type ProgressInfo,
  type Tensor,
} from '@huggingface/transformers';
import { backendName } from '../../core/models/embedding-backend';
import { HUGGING_FACE_HUB, modelHost } from '../../core/models/model-source';
import type { RerankerModelSpec } from '../../core/models/rerank-catalogue';
import {
  RerankerLoadError,
  type DownloadProgress,
  type RerankBackend,
  type Reranker,
} from './reranker';

/**
 * Pairs scored per model call. Every pair in a call is padded to the longest, so the passages are
 * batched by length; small batches also let an abort take effect promptly.
 */
export const RERANK_BATCH = 8;

export interface CrossEncoderOptions {
  model: RerankerModelSpec;
  backend: RerankBackend;
  /** A Hugging Face-style host (`<host>/<org>/<name>/resolve/main/<file>`); the hub by default. */
  remoteHost?: string;
  /** onnxruntime-web's runtime files, served by the app itself rather than a CDN. */
  wasmPaths?: { mjs: string; wasm: string };
  onProgress?: (progress: DownloadProgress) => void;
  batchSize?: number;
}

/** Loads a cross-encoder (a sequence classifier with one logit) with transformers.js. */
export async function loadCrossEncoder({
  model,
  backend,
  remoteHost = HUGGING_FACE_HUB,
  wasmPaths,
  onProgress,
  batchSize = RERANK_BATCH,
}: CrossEncoderOptions): Promise<Reranker> {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = modelHost(remoteHost);
  const onnx = env.backends.onnx;
  if (wasmPaths && onnx.wasm) onnx.wasm.wasmPaths = { ...wasmPaths };

  // The tokenizer and the model load side by side: one running total over both.
  const files = new Map<string, { loaded: number; total: number }>();
  const progress_callback = (info: ProgressInfo) => {
    if (info.status !== 'progress' || !onProgress) return;
    files.set(info.file, { loaded: info.loaded, total: info.total });
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    onProgress({ loaded, total, file: info.file });
  };

  let tokenizer: PreTrainedTokenizer;
  let classifier: PreTrainedModel;
  try {
    [tokenizer, classifier] = await Promise.all([
      AutoTokenizer.from_pretrained(model.id, { progress_callback }),
      AutoModelForSequenceClassification.from_pretrained(model.id, {
        device: backend,
        // Quantized weights on CPU (4× smaller, fast with WASM SIMD); full precision on WebGPU,
        // which has no fast int8 path. The same choice as the embedder's.
        dtype: backend === 'webgpu' ? 'fp32' : 'q8',
        progress_callback,
      }),
    ]);
  } catch (error) {
    const reason = messageOf(error);
    throw new RerankerLoadError(
      `Could not load the reranking model ${model.id} from ${env.remoteHost} on ` +
        `${backendName(backend)}: ${reason}. Check the connection (or the models= mirror) and ` +
        'try again, or turn the reranker off.',
    );
  }

  const maxTokens = Math.min(Number(tokenizer.model_max_length) || 512, 512);

  const scoreBatch = async (query: string, passages: string[]): Promise<Float32Array> => {
    // Pairs are encoded as [CLS] query [SEP] passage [SEP], the way the model was trained; a pair
    // longer than maxTokens loses the end of its passage.
    const inputs = tokenizer(
      passages.map(() => query),
      { text_pair: passages, padding: true, truncation: true, max_length: maxTokens },
    );
    const { logits } = (await classifier(inputs)) as { logits: Tensor };
    const [rows, labels] = logits.dims;
    if (rows !== passages.length || labels !== 1) {
      throw new Error(
        `${model.id} gave logits of shape [${logits.dims.join(', ')}], not ` +
          `[${passages.length}, 1]: it is not a cross-encoder with one score per pair.`,
      );
    }
    return logits.data as Float32Array;
  };

  return {
    modelId: model.id,
    backend,
    maxTokens,
    async score(query, passages, signal) {
      const scores = new Array<number>(passages.length);
      // Longest first, so each batch pads little; scores go back to each passage's own place.
      const length = (i: number) => passages[i]!.length;
      const order = passages.map((_, i) => i).sort((a, b) => length(b) - length(a) || a - b);
      for (let from = 0; from < order.length; from += batchSize) {
        signal?.throwIfAborted();
        const batch = order.slice(from, from + batchSize);
        const logits = await scoreBatch(
          query,
          batch.map((i) => passages[i]!),
        );
        batch.forEach((i, row) => (scores[i] = logits[row]!));
      }
      signal?.throwIfAborted();
      return scores;
    },
    async dispose() {
      await classifier.dispose();
    },
  };
}
