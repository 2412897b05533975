/**
 * Dense top-10 over 100,000 × 384 unit vectors (the size of all-MiniLM-L6-v2's): the quantized
 * two-pass search VectorIndex uses by default against a plain Float32Array cosine scan
 * (topKCosine), on random and on clustered vectors. Goal: ≥ 4× faster, recall@10 ≥ 0.99.
 *
 *   npm run bench -- dense
 */
import { topKCosine } from '../src/lib/core/retrieval/top-k';
import { VectorIndex } from '../src/lib/core/retrieval/vector-index';
import { median, mib, ms, timeEach, times } from './support';
import { queryVectors, unitVectors } from './synthetic';

const ROWS = 100_000;
const DIM = 384;
const K = 10;
const QUERIES = 50;

function recall(found: Set<number>[], truth: Set<number>[]): number {
  let hits = 0;
  found.forEach((rows, i) => truth[i]!.forEach((row) => (hits += rows.has(row) ? 1 : 0)));
  return hits / (truth.length * K);
}

export async function run() {
  const results = [];
  for (const [kind, seed] of [
    ['random', 1],
    ['clustered', 2],
  ] as const) {
    const data = unitVectors(kind, ROWS, DIM, seed);
    const qs = queryVectors(kind, data, DIM, QUERIES, seed + 100);
    const simdIndex = new VectorIndex(DIM, ROWS);
    simdIndex.add('bench', 0, data);
    const jsIndex = new VectorIndex(DIM, ROWS, { simd: false });
    jsIndex.add('bench', 0, data);
    const invNorms = new Float32Array(ROWS).fill(1);
    const rowsOf = (hits: { ordinal: number }[]) => new Set(hits.map((h) => h.ordinal));

    const truth = qs.map((q) => new Set(topKCosine(data, DIM, ROWS, invNorms, q, K).rows));
    const scan = median(timeEach(qs, (q) => topKCosine(data, DIM, ROWS, invNorms, q, K)));
    const rescored: number[] = [];
    const simd = median(
      timeEach(qs, (q) => {
        const stats = { rescored: 0 };
        simdIndex.search(q, K, { stats });
        rescored.push(stats.rescored);
      }),
    );
    const js = median(timeEach(qs, (q) => jsIndex.search(q, K)));
    const simdRecall = recall(
      qs.map((q) => rowsOf(simdIndex.search(q, K))),
      truth,
    );
    const jsRecall = recall(
      qs.map((q) => rowsOf(jsIndex.search(q, K))),
      truth,
    );

    const plainBytes = data.byteLength + invNorms.byteLength;
    const quantizedBytes = simdIndex.byteLength - 8 * ROWS; // without the doc/ordinal columns
    results.push({
      name: `Dense top-${K}, ${ROWS.toLocaleString('en')} × ${DIM} ${kind} vectors, median of ${QUERIES} queries`,
      columns: ['method', 'time', 'speed-up', 'recall@10', 'memory', 'note'],
      rows: [
        ['Float32 scan (topKCosine)', ms(scan), times(1), '1.000', mib(plainBytes), 'baseline'],
        [
          'int8 WASM SIMD + exact rescoring',
          ms(simd),
          times(scan / simd),
          simdRecall.toFixed(3),
          mib(quantizedBytes),
          `rescored ${median(rescored).toFixed(0)} rows (median); Float32 rows kept for it`,
        ],
        [
          'int8 JavaScript + exact rescoring',
          ms(js),
          times(scan / js),
          jsRecall.toFixed(3),
          mib(quantizedBytes),
          'fallback without WebAssembly SIMD',
        ],
      ],
      ok: simdIndex.simd && scan / simd >= 4 && simdRecall >= 0.99 && jsRecall >= 0.99,
    });
  }
  return results;
}
