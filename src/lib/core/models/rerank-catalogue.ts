/** Cross-encoder rerankers the app offers. */

export interface RerankerModelSpec {
  /** Hugging Face repository id with ONNX weights in onnx/ (a BertForSequenceClassification). */
  id: string;
  label: string;
  /**
   * Approximate download in bytes, model and tokenizer: quantized (WASM) and full precision
   * (WebGPU).
   */
  downloadBytes?: { q8: number; fp32: number };
  description?: string;
}

export const RERANKER_MODELS: readonly RerankerModelSpec[] = [
  {
    id: 'Xenova/ms-marco-MiniLM-L-6-v2',
    label: 'ms-marco-MiniLM-L-6-v2',
    // onnx/model_quantized.onnx 23.1 MB, onnx/model.onnx 91 MB, tokenizer.json 712 kB (the hub's
    // file listing); the same architecture as all-MiniLM-L6-v2 with a one-logit head.
    downloadBytes: { q8: 23_800_000, fp32: 91_700_000 },
    description:
      'Reads the question and each passage together and scores how well the passage answers it. ' +
      'Trained on MS MARCO web search; English.',
  },
];

export const DEFAULT_RERANKER_MODEL = 'Xenova/ms-marco-MiniLM-L-6-v2';

/** The spec of a catalogue model, or a bare spec for any other repository id. */
export function rerankerModelSpec(id: string): RerankerModelSpec {
  return RERANKER_MODELS.find((m) => m.id === id) ?? { id, label: id.split('/').pop() || id };
}
