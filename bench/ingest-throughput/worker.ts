/**
 * One embedding variant of the ingest-throughput benchmark, in a fresh dedicated worker: the
 * app's `loadTransformersEmbedder` on WASM with the given weights and thread count, embedding
 * each document's chunk texts in batches of the given size, in document order or sorted by
 * length. onnxruntime reads its thread count once, when it starts: hence a worker per variant.
 */
import { env } from '@huggingface/transformers';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { embeddingModelSpec } from '../../src/lib/core/models/embedding-catalogue';
import { loadTransformersEmbedder } from '../../src/lib/engines/embedding/transformers-embedder';
import { serve, Transfer, type Endpoint } from '../../src/lib/workers/rpc';

export interface EmbedVariant {
  dtype: 'q8' | 'fp32';
  /** onnxruntime-web's WASM threads; 0 leaves its default. */
  threads: number;
  batch: number;
  /** Batches of chunks of similar length, so short chunks are not padded to long ones. */
  sorted: boolean;
}

export interface EmbedRun {
  /** Embedding every chunk, model already loaded. */
  ms: number;
  /** The threads onnxruntime used, and whether the page was cross-origin isolated. */
  threads: number;
  isolated: boolean;
  /** chunks × 384, in document and chunk order. */
  vectors: Float32Array;
}

export type BenchMethods = {
  embed: {
    request: EmbedVariant & { model: string; mirror: string; docs: string[][] };
    result: EmbedRun;
    progress: never;
  };
};

const wasmPaths = {
  mjs: new URL(ortMjs, import.meta.url).href,
  wasm: new URL(ortWasm, import.meta.url).href,
};

/** Indices of `texts` in the order they are embedded. */
export function embeddingOrder(texts: string[], sorted: boolean): number[] {
  const order = texts.map((_, i) => i);
  return sorted ? order.sort((a, b) => texts[a]!.length - texts[b]!.length) : order;
}

serve<BenchMethods>(self as unknown as Endpoint, {
  async embed({ model, mirror, docs, dtype, threads, batch, sorted }) {
    const wasm = env.backends.onnx.wasm!;
    if (threads > 0) wasm.numThreads = threads;
    const embedder = await loadTransformersEmbedder({
      model: embeddingModelSpec(model),
      backend: 'wasm',
      remoteHost: mirror,
      wasmPaths,
      dtype,
    });
    const dim = embedder.dimension;
    const vectors = new Float32Array(docs.reduce((n, d) => n + d.length, 0) * dim);
    const started = performance.now();
    let offset = 0;
    for (const texts of docs) {
      const order = embeddingOrder(texts, sorted);
      for (let from = 0; from < order.length; from += batch) {
        const rows = order.slice(from, from + batch);
        const out = await embedder.embed(rows.map((i) => texts[i]!));
        rows.forEach((row, j) =>
          vectors.set(out.subarray(j * dim, (j + 1) * dim), (offset + row) * dim),
        );
      }
      offset += texts.length;
    }
    const ms = performance.now() - started;
    await embedder.dispose();
    const run = {
      ms,
      threads: Number(wasm.numThreads),
      isolated: self.crossOriginIsolated,
      vectors,
    };
    return new Transfer(run, [vectors.buffer]);
  },
});
