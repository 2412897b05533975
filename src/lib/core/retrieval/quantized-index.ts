/**
 * Exact top-k cosine in two passes. Every row is also kept as int8 codes (one scale per row), and
 * a first pass scores all of them with integer dot products: WebAssembly SIMD when the platform
 * has it (16 products per two instructions), a plain loop otherwise. Each approximate score
 * comes with a proven bound on its error, so the second pass rescores in Float32 exactly the rows
 * that could still be in the top k, and the result is the exact top k: the same rows and scores
 * as topKCosine, usually after rescoring a few hundred rows instead of every one.
 *
 * The bound, for a query q (unit length) quantized as t·d + f and a row v quantized as s·c + e
 * (|f_i| ≤ t/2, |e_i| ≤ s/2):
 *   v·q − s·t·(c·d) = s·c·f + e·q,  so  |v·q − s·t·(c·d)| ≤ ‖s·c‖·‖f‖ + ‖e‖·‖q‖
 * and cosine = (v·q)/‖v‖. ‖s·c‖ and ‖e‖ are kept per row, ‖f‖ is measured per query.
 */

import { normalized, TopKHeap, type TopK } from './top-k';

/** Bytes per row of codes: a multiple of 32, the SIMD loop's step (padding is zeros). */
export function codeStride(dim: number): number {
  return Math.ceil(dim / 32) * 32;
}

/**
 * Quantizes `dim` values of `source` from `from` into `codes` at `to`, as round(x / scale) with
 * scale = max |x| / 127. Returns the scale, the norm of scale·codes and the norm of the error.
 */
export function quantizeInto(
  source: Float32Array,
  from: number,
  dim: number,
  codes: Int8Array,
  to: number,
): { scale: number; codeNorm: number; errorNorm: number } {
  let max = 0;
  for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(source[from + d]!));
  const scale = max / 127;
  let codeSquares = 0;
  let errorSquares = 0;
  for (let d = 0; d < dim; d++) {
    const x = source[from + d]!;
    const code = scale > 0 ? Math.round(x / scale) : 0;
    codes[to + d] = code;
    codeSquares += code * code;
    errorSquares += (x - code * scale) ** 2;
  }
  return { scale, codeNorm: Math.sqrt(codeSquares) * scale, errorNorm: Math.sqrt(errorSquares) };
}

// ---------------------------------------------------------------------------------------------
// The SIMD kernel, assembled here so the app needs no build step or .wasm file. In text format:
//
// (func (export "dots") (param $query i32) (param $codes i32) (param $rows i32)
//                       (param $stride i32) (param $out i32)
//   (local $j i32) (local $acc v128) (local $acc2 v128) (local $a v128) (local $b v128)
//   (if (i32.eqz (local.get $rows)) (then (return)))
//   (loop $row
//     (local.set $acc (v128.const i32x4 0 0 0 0)) (local.set $acc2 (local.get $acc))
//     (local.set $j (i32.const 0))
//     (loop $step                     ;; 32 codes per step: bytes j…j+15 into $acc
//       (local.set $a (v128.load (i32.add (local.get $codes) (local.get $j))))
//       (local.set $b (v128.load (i32.add (local.get $query) (local.get $j))))
//       (local.set $acc (i32x4.add (local.get $acc) (i32x4.extadd_pairwise_i16x8_s
//         (i16x8.extmul_low_i8x16_s (local.get $a) (local.get $b)))))
//       (local.set $acc (i32x4.add (local.get $acc) (i32x4.extadd_pairwise_i16x8_s
//         (i16x8.extmul_high_i8x16_s (local.get $a) (local.get $b)))))
//       ;; …and bytes j+16…j+31 (v128.load offset=16) the same way into $acc2
//       (br_if $step (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 32)))
//                              (local.get $stride))))
//     (i32.store (local.get $out) (sum of the 4 lanes of $acc + $acc2))
//     (local.set $out (i32.add (local.get $out) (i32.const 4)))
//     (local.set $codes (i32.add (local.get $codes) (local.get $stride)))
//     (br_if $row (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))
//
// Products of two int8 codes in [−127, 127] fit an i16 and a row's sum fits an i32.

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];

const I32 = 0x7f;
const V128 = 0x7b;
const [QUERY, CODES, ROWS, STRIDE, OUT, J, ACC, ACC2, A, B] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const tee = (local: number) => [0x22, local];
const simd = (op: number) => [0xfd, ...leb(op)];
const V128_LOAD = (offset: number) => [...simd(0x00), 4, offset];
const V128_CONST_0 = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const I16X8_EXTMUL_LOW_I8X16_S = simd(0x9c);
const I16X8_EXTMUL_HIGH_I8X16_S = simd(0x9d);
const I32X4_EXTADD_PAIRWISE_I16X8_S = simd(0x7e);
const I32X4_ADD = simd(0xae);
const I32X4_EXTRACT_LANE = (lane: number) => [...simd(0x1b), lane];
const [I32_ADD, I32_SUB, I32_LT_U, I32_EQZ, I32_STORE] = [0x6a, 0x6b, 0x49, 0x45, [0x36, 2, 0]];
const [LOOP, IF, END, BR_IF, RETURN, VOID, I32_CONST] = [0x03, 0x04, 0x0b, 0x0d, 0x0f, 0x40, 0x41];

// prettier-ignore
const multiplyAdd = (acc: number, offset: number) => [
  ...get(CODES), ...get(J), I32_ADD, ...V128_LOAD(offset), ...set(A),
  ...get(QUERY), ...get(J), I32_ADD, ...V128_LOAD(offset), ...set(B),
  ...get(acc),
  ...get(A), ...get(B), ...I16X8_EXTMUL_LOW_I8X16_S, ...I32X4_EXTADD_PAIRWISE_I16X8_S, ...I32X4_ADD,
  ...get(A), ...get(B), ...I16X8_EXTMUL_HIGH_I8X16_S, ...I32X4_EXTADD_PAIRWISE_I16X8_S, ...I32X4_ADD,
  ...set(acc),
];

// prettier-ignore
const DOTS_BODY = [
  ...vector([[1, I32], [4, V128]]),
  ...get(ROWS), I32_EQZ, IF, VOID, RETURN, END,
  LOOP, VOID,
    ...V128_CONST_0, ...tee(ACC), ...set(ACC2),
    I32_CONST, 0, ...set(J),
    LOOP, VOID,
      ...multiplyAdd(ACC, 0),
      ...multiplyAdd(ACC2, 16),
      ...get(J), I32_CONST, 32, I32_ADD, ...tee(J), ...get(STRIDE), I32_LT_U, BR_IF, 0,
    END,
    ...get(ACC), ...get(ACC2), ...I32X4_ADD, ...set(ACC),
    ...get(OUT),
    ...get(ACC), ...I32X4_EXTRACT_LANE(0), ...get(ACC), ...I32X4_EXTRACT_LANE(1), I32_ADD,
    ...get(ACC), ...I32X4_EXTRACT_LANE(2), I32_ADD, ...get(ACC), ...I32X4_EXTRACT_LANE(3), I32_ADD,
    ...I32_STORE,
    ...get(OUT), I32_CONST, 4, I32_ADD, ...set(OUT),
    ...get(CODES), ...get(STRIDE), I32_ADD, ...set(CODES),
    ...get(ROWS), I32_CONST, 1, I32_SUB, ...tee(ROWS), BR_IF, 0,
  END,
  END,
];

const DOTS_MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  // type 0: (i32 i32 i32 i32 i32) → ()
  ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0]])),
  // import env.memory, at least one page
  ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])),
  ...section(3, vector([[0]])),
  ...section(7, vector([[...name('dots'), 0x00, 0]])),
  ...section(10, vector([[...leb(DOTS_BODY.length), ...DOTS_BODY]])),
]);

let simdModule: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is missing (the plain loop is used). */
function dotsModule(): WebAssembly.Module | null {
  if (simdModule === undefined) {
    try {
      simdModule =
        typeof WebAssembly === 'object' && WebAssembly.validate(DOTS_MODULE)
          ? new WebAssembly.Module(DOTS_MODULE)
          : null;
    } catch {
      simdModule = null;
    }
  }
  return simdModule;
}

// ---------------------------------------------------------------------------------------------

type DotsFunction = (
  query: number,
  codes: number,
  rows: number,
  stride: number,
  out: number,
) => void;

/**
 * Int8 codes of up to `capacity` rows, a query's codes and one i32 dot product per row, laid out
 * in one buffer (WebAssembly memory when SIMD is available):
 *   [query: stride bytes][dots: capacity × 4 bytes][codes: capacity × stride bytes]
 */
export class Int8Rows {
  readonly dim: number;
  readonly stride: number;
  readonly simd: boolean;
  #capacity = 0;
  #dots: DotsFunction | null = null;
  query = new Int8Array(0);
  dots = new Int32Array(0);
  codes = new Int8Array(0);

  constructor(dim: number, capacity: number, { simd = true }: { simd?: boolean } = {}) {
    this.dim = dim;
    this.stride = codeStride(dim);
    this.simd = simd && dotsModule() !== null;
    this.resize(capacity);
  }

  get capacity(): number {
    return this.#capacity;
  }

  get byteLength(): number {
    return this.query.byteLength + this.dots.byteLength + this.codes.byteLength;
  }

  /** Reallocates for `capacity` rows, keeping the first `keep` rows' codes. */
  resize(capacity: number, keep = 0): void {
    const { stride } = this;
    const dotsAt = stride;
    const codesAt = dotsAt + capacity * 4;
    const bytes = codesAt + capacity * stride;
    let buffer: ArrayBuffer;
    if (this.simd) {
      const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
      const instance = new WebAssembly.Instance(dotsModule()!, { env: { memory } });
      this.#dots = instance.exports.dots as DotsFunction;
      buffer = memory.buffer;
    } else {
      buffer = new ArrayBuffer(bytes);
    }
    const codes = new Int8Array(buffer, codesAt, capacity * stride);
    codes.set(this.codes.subarray(0, Math.min(keep, capacity) * stride));
    this.query = new Int8Array(buffer, 0, stride);
    this.dots = new Int32Array(buffer, dotsAt, capacity);
    this.codes = codes;
    this.#capacity = capacity;
  }

  /** dots[r] = codes of row r · query, for rows 0 … rows − 1. */
  computeDots(rows: number): void {
    if (this.#dots) {
      this.#dots(
        this.query.byteOffset,
        this.codes.byteOffset,
        rows,
        this.stride,
        this.dots.byteOffset,
      );
      return;
    }
    const { codes, query, dots, stride, dim } = this;
    for (let r = 0; r < rows; r++) {
      const base = r * stride;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let d = 0;
      for (; d + 3 < dim; d += 4) {
        d0 += codes[base + d]! * query[d]!;
        d1 += codes[base + d + 1]! * query[d + 1]!;
        d2 += codes[base + d + 2]! * query[d + 2]!;
        d3 += codes[base + d + 3]! * query[d + 3]!;
      }
      for (; d < dim; d++) d0 += codes[base + d]! * query[d]!;
      dots[r] = d0 + d1 + d2 + d3;
    }
  }
}

/** Per-row data the two passes need besides the codes, as VectorIndex keeps it. */
export interface QuantizedRows {
  data: Float32Array;
  dim: number;
  rows: number;
  invNorms: Float32Array;
  codes: Int8Rows;
  /** scale / ‖v‖: turns an integer dot product into an approximate cosine (times t). */
  scales: Float32Array;
  /** ‖s·c‖ / ‖v‖ and ‖e‖ / ‖v‖: the two terms of the row's error bound. */
  codeNorms: Float32Array;
  errorNorms: Float32Array;
}

/** What one search did, for benchmarks and tests. */
export interface QuantizedSearchStats {
  /** Rows rescored in Float32: those the bound could not rule out. */
  rescored: number;
}

// Float32 rounding in the approximate scores and the exact ones, far above either's error.
const SLACK = 1e-5;

/** The exact top k of `rows` by cosine with `query`, through the quantized first pass. */
export function quantizedTopK(
  index: QuantizedRows,
  query: Float32Array,
  k: number,
  stats?: QuantizedSearchStats,
): TopK {
  const { data, dim, rows, invNorms, codes, scales, codeNorms, errorNorms } = index;
  if (query.length !== dim) {
    throw new RangeError(`The query has ${query.length} dimensions; the index has ${dim}.`);
  }
  const q = normalized(query);
  const size = Math.max(0, Math.min(k, rows));
  if (size === 0) return { rows: new Int32Array(0), scores: new Float32Array(0) };

  const { scale: t, errorNorm: queryError } = quantizeInto(q, 0, dim, codes.query, 0);
  codes.computeDots(rows);
  const dots = codes.dots;
  const queryNorm = t > 0 ? 1 : 0;

  // Pass 1: the k-th best lower bound. No row whose upper bound is below it can be in the top k.
  const lower = new TopKHeap(size);
  let floor = -Infinity;
  for (let r = 0; r < rows; r++) {
    const approx = dots[r]! * t * scales[r]!;
    const bound = codeNorms[r]! * queryError + errorNorms[r]! * queryNorm + SLACK;
    const low = approx - bound;
    if (low > floor) {
      lower.push(r, low);
      floor = lower.threshold;
    }
  }

  // Pass 2: rescore, exactly, the rows that could reach it.
  const best = new TopKHeap(size);
  let rescored = 0;
  for (let r = 0; r < rows; r++) {
    const approx = dots[r]! * t * scales[r]!;
    const bound = codeNorms[r]! * queryError + errorNorms[r]! * queryNorm + SLACK;
    if (approx + bound < floor) continue;
    rescored++;
    const base = r * dim;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += data[base + d]! * q[d]!;
    best.push(r, dot * invNorms[r]!);
  }
  if (stats) stats.rescored = rescored;
  return best.result();
}
