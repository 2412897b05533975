/**
 * The WebGPU self-check's arithmetic: do an embedding model's WebGPU vectors agree with its WASM
 * vectors? onnxruntime-web's WebGPU kernels can return silently wrong vectors for some models and
 * quantizations (transformers.js issue #1728: EmbeddingGemma q4/q8 on WebGPU, cosine ≈ 0.0–0.08
 * against WASM for the same input, with normal-looking norms), so the first run of a model on a
 * device embeds these sentences on both backends and compares.
 */

/**
 * What the self-check embeds: short and long, plain and technical, a question, digits, another
 * language — so a kernel that is wrong only for some lengths or tokens still shows.
 */
export const SELF_CHECK_SENTENCES: readonly string[] = [
  'The weather is lovely today.',
  'How many days of paid leave do employees receive each year?',
  'Mitochondria produce ATP through oxidative phosphorylation across the inner membrane.',
  'Invoice #4471 was paid on 3 March 2024: €1,250.00 for 12 licences.',
  'Le chat dort sur le canapé pendant que la pluie tombe.',
  'After the storm, volunteers cleared fallen branches from the orchard paths, repaired the ' +
    'fence near the old wall, and counted the hives to make sure none had been knocked over.',
];

/**
 * The lowest cosine, per sentence, at which WebGPU and WASM vectors count as the same.
 *
 * The two backends do not run the same weights: WebGPU loads `onnx/model.onnx` (fp32), WASM
 * `onnx/model_quantized.onnx` (int8), so even a correct WebGPU gives cosines a little under 1.
 * Measured on the sentences above (`npm run bench -- self-check`: WebGPU on SwiftShader in
 * headless Chromium against WASM), lowest–highest per model: all-MiniLM-L6-v2 0.987–0.993,
 * bge-small-en-v1.5 0.994–0.997, e5-small-v2 0.997–0.998 (the tiny test model: 1.000). A broken
 * kernel gives vectors unrelated to the right ones, cosines about 0: the issue's −0.05–0.08, our
 * disagreeing test model's (two independent random tables) −0.146–0.095. 0.9 sits well below the
 * real models' worst sentence and far above unrelated vectors.
 */
export const MIN_AGREEMENT_COSINE = 0.9;

/**
 * Cosine between row i of `a` and row i of `b` (row-major, `dimension` wide), for every row. A
 * row that is all zeros, or holds NaN, gives NaN: no agreement can be read from it.
 */
export function rowCosines(a: Float32Array, b: Float32Array, dimension: number): number[] {
  if (a.length !== b.length || dimension <= 0 || a.length % dimension !== 0) {
    throw new RangeError(
      `Cannot compare ${a.length} and ${b.length} values as rows of ${dimension}.`,
    );
  }
  const cosines: number[] = [];
  for (let start = 0; start < a.length; start += dimension) {
    let dot = 0;
    let normA = 0;
    let normB = 0;
    for (let i = start; i < start + dimension; i++) {
      const x = a[i]!;
      const y = b[i]!;
      dot += x * y;
      normA += x * x;
      normB += y * y;
    }
    cosines.push(normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : NaN);
  }
  return cosines;
}

/** Every sentence agrees; NaN (or no sentence at all) never does. */
export function vectorsAgree(
  cosines: readonly number[],
  threshold = MIN_AGREEMENT_COSINE,
): boolean {
  return cosines.length > 0 && cosines.every((c) => c >= threshold);
}

/** The worst sentence's cosine (NaN if any is NaN), the figure a person is shown. */
export function lowestCosine(cosines: readonly number[]): number {
  return cosines.reduce((low, c) => (Number.isNaN(c) || c < low ? c : low), Infinity);
}

/** The self-check's verdict for one model on one WebGPU adapter. */
export interface SelfCheck {
  modelId: string;
  /** The WebGPU adapter as the browser describes it; a verdict holds only for the same one. */
  device: string;
  agree: boolean;
  /** WebGPU against WASM, one per check sentence (NaN where a vector was empty or NaN). */
  cosines: number[];
  /** When it was measured (ms since 1970). */
  checkedAt: number;
}

/** The worst sentence's cosine as a person reads it: `cosine 0.12`, or that there was none. */
export function lowestCosineText(cosines: readonly number[]): string {
  const low = lowestCosine(cosines);
  return Number.isFinite(low) ? `cosine ${low.toFixed(2)}` : 'no usable vectors';
}
