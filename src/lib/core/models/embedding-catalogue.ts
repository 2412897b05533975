/** Sentence-embedding models the app offers, and how to use each one. */

export type Pooling = 'mean' | 'cls';

export interface EmbeddingModelSpec {
  /** Hugging Face repository id with ONNX weights in onnx/. */
  id: string;
  label: string;
  dimension?: number;
  pooling: Pooling;
  /** Prepended to questions (asymmetric models such as BGE are trained this way). */
  queryPrefix: string;
  /** Prepended to passages when they are embedded (E5 was trained with `passage: `). */
  passagePrefix: string;
  /** Approximate download in bytes: quantized (WASM) and full precision (WebGPU). */
  downloadBytes?: { q8: number; fp32: number };
  description?: string;
}

export const EMBEDDING_MODELS: readonly EmbeddingModelSpec[] = [
  {
    id: 'Xenova/all-MiniLM-L6-v2',
    label: 'all-MiniLM-L6-v2',
    dimension: 384,
    pooling: 'mean',
    queryPrefix: '',
    passagePrefix: '',
    downloadBytes: { q8: 23_000_000, fp32: 90_400_000 },
    description: 'Small and fast general-purpose English model.',
  },
  {
    id: 'Xenova/bge-small-en-v1.5',
    label: 'bge-small-en-v1.5',
    dimension: 384,
    pooling: 'cls',
    // BGE's model card: the instruction goes before queries only, passages as they are.
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    passagePrefix: '',
    downloadBytes: { q8: 34_000_000, fp32: 133_000_000 },
    description: 'Better retrieval quality, a little slower.',
  },
  {
    id: 'Xenova/gte-small',
    label: 'gte-small',
    dimension: 384,
    pooling: 'mean',
    queryPrefix: '',
    passagePrefix: '',
    downloadBytes: { q8: 34_000_000, fp32: 133_000_000 },
    description: 'Strong retrieval quality for its size.',
  },
  {
    id: 'Xenova/e5-small-v2',
    label: 'e5-small-v2',
    dimension: 384,
    pooling: 'mean',
    // E5's model card: without these prefixes its quality drops.
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    downloadBytes: { q8: 34_000_000, fp32: 133_100_000 },
    description: 'Retrieval model trained with query and passage prefixes.',
  },
];

export const DEFAULT_EMBEDDING_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** The spec of a catalogue model, or a mean-pooling spec for any other repository id. */
export function embeddingModelSpec(id: string): EmbeddingModelSpec {
  return (
    EMBEDDING_MODELS.find((m) => m.id === id) ?? {
      id,
      label: id.split('/').pop() || id,
      pooling: 'mean',
      queryPrefix: '',
      passagePrefix: '',
    }
  );
}

/** A repository id as Hugging Face accepts it: `owner/name`. */
export function isValidModelId(id: string): boolean {
  return /^[\w.-]+\/[\w.-]+$/.test(id) && !id.includes('..');
}
