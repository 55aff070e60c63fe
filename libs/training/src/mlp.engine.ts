import { createGemm, type Gemm } from './gemm.kernel.js';

/**
 * The strategy MLP's training arithmetic on typed arrays: forward, backward, inverted dropout and
 * Adam, written out by hand. The matrix products go to a small WebAssembly SIMD kernel
 * (gemm.kernel.ts). The trainer copies the weights into the tfjs LayersModel that buildMlp made,
 * so saving, loading and predicting still go through tfjs.
 *
 * Why hand-rolled and not tfjs. On 64-row batches the cost is tfjs's per-op dispatch, not the
 * arithmetic. A step has about a hundred small ops (Adam alone has ~10 per variable), and each op
 * goes through the engine, the tape and the kernel registry. Measured on the benchmark epoch
 * (5,000 × 24 rows, [64, 32], batch 64, dropout 0.1, 2-core EPYC, wasm backend):
 *   layers.fit (the trainer before this engine)              ~165 ms
 *   own loop over tfjs-core ops with optimizer.minimize      ~155 ms
 *   the same with fused matMul+bias+relu, no dropout         ~120 ms (SGD instead of Adam: ~90 ms)
 *   the pure-JS cpu backend                                  ~450 ms
 *   this engine, products in blocked JS loops                 ~60 ms
 *   this engine, products in the SIMD kernel                  ~21 ms (docs/BENCHMARKS.md)
 *   plain numpy, one BLAS thread (tools/bench/numpy-epoch.py) ~19 ms
 * tfjs-node would be faster but downloads a native library at install time, which this deployment
 * cannot do. onnxruntime-node ships a binary but cannot train. JS matrix libraries (ml-matrix,
 * stdlib's BLAS) would cover only the products, in scalar JS, allocating per call. Everything else
 * here (softmax cross-entropy, dropout masks, Adam) would still be ours.
 *
 * Layout. All arrays are views into the kernel's heap. Each dense layer keeps `k` [in][out], tfjs's
 * kernel layout, which Adam updates, and `w` = kᵀ [out][in], refreshed after every update:
 *   forward        Z  = X·K + b    (A = X)
 *   weight grads   dK = Xᵀ·dZ      (A = X read with swapped strides)
 *   input grads    dX = dZ·W       (A = dZ)
 *
 * Numbers: weights, Adam moments and activations are float32, like tfjs. Every operation happens in
 * a fixed order, so the same seed and data give bit-identical weights. The loss is Keras's: per
 * batch mean(w_y · −ln clip(p_y)), with clip = [1e-7, 1 − 1e-7]. Its gradient is taken fused
 * through the softmax, w_y · (p − onehot(y)) / B. Adam is tfjs's (β1 0.9, β2 0.999, ε 1e-7,
 * bias-corrected moments).
 */

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'elu';

export interface MlpShape {
  inputs: number;
  hidden: readonly number[];
  outputs: number;
  activation: Activation;
  /** Inverted-dropout rate after each hidden layer (0 = none). */
  dropout: number;
}

export interface MlpEngineOptions {
  learningRate: number;
  /** The most rows one accumulate/predict call will be given (buffers are sized for it). */
  maxRows: number;
  /** One seed per hidden layer for its stream of dropout masks (unused when dropout is 0). */
  dropoutSeeds: readonly number[];
  /** Use the pure-JS product even where WebAssembly SIMD works (tests of the fallback). */
  forceJs?: boolean;
}

export interface ChunkStats {
  /** Σ over the rows of w_y · −ln clip(p_y): the weighted loss before dividing by the batch size. */
  lossSum: number;
  /** Rows whose most probable class is the label (training mode, dropout on). */
  correct: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPSILON = 1e-7;
const CLIP = 1e-7;

const ACTIVATION_CODE: Record<Activation, number> = { relu: 0, tanh: 1, sigmoid: 2, elu: 3 };

/** A float32 array in the heap: its view and its element offset (what the kernel is given). */
interface Buf {
  at: number;
  v: Float32Array;
}

interface Dense {
  inputs: number;
  units: number;
  /** [inputs][units], tfjs's kernel layout; Adam updates it. */
  k: Buf;
  /** [units][inputs] = kᵀ, for dX = dZ·W. */
  w: Buf;
  b: Buf;
  gk: Buf;
  gb: Buf;
  mk: Float32Array;
  vk: Float32Array;
  mb: Float32Array;
  vb: Float32Array;
  /** Per-row outputs: post-activation (hidden) or probabilities (output layer), [rows][units]. */
  a: Buf;
  /** After dropout, the next layer's input (the same buffer as `a` without dropout). */
  h: Buf;
  /** Dropout scale per output cell: 0 or 1 / (1 − rate). */
  scale: Float32Array;
  /** dLoss/dZ for the chunk, [rows][units]. */
  dz: Buf;
}

/** Multiply-adds one row costs in a forward pass (the trainer sizes its chunks with it). */
export function macsPerRow(shape: MlpShape): number {
  const widths = [shape.inputs, ...shape.hidden, shape.outputs];
  let s = 0;
  for (let i = 1; i < widths.length; i++) s += widths[i - 1]! * widths[i]!;
  return s;
}

/** dst[cols×rows] = srcᵀ for src[rows×cols]. */
function transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const s = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[s + c]!;
  }
}

function activate(z: Float32Array, count: number, code: number): void {
  switch (code) {
    case 0:
      for (let e = 0; e < count; e++) if (z[e]! < 0) z[e] = 0;
      break;
    case 1:
      for (let e = 0; e < count; e++) z[e] = Math.tanh(z[e]!);
      break;
    case 2:
      for (let e = 0; e < count; e++) z[e] = 1 / (1 + Math.exp(-z[e]!));
      break;
    default:
      for (let e = 0; e < count; e++) if (z[e]! < 0) z[e] = Math.exp(z[e]!) - 1;
  }
}

/** Row-wise softmax in place over `rows` rows of `width` logits. */
function softmaxRows(z: Float32Array, rows: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    let max = z[o]!;
    for (let c = 1; c < width; c++) if (z[o + c]! > max) max = z[o + c]!;
    let sum = 0;
    for (let c = 0; c < width; c++) {
      const e = Math.exp(z[o + c]! - max);
      z[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < width; c++) z[o + c] = z[o + c]! / sum;
  }
}

/** tfjs's Adam step, p −= lr · (m / c1) / (√(v / c2) + ε), with the two bias corrections folded into constants. */
function adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, c1: number, c2: number): void {
  const lrc = lr / c1;
  const rc2 = 1 / Math.sqrt(c2);
  for (let e = 0; e < p.length; e++) {
    const ge = g[e]!;
    const me = BETA1 * m[e]! + (1 - BETA1) * ge;
    const ve = BETA2 * v[e]! + (1 - BETA2) * ge * ge;
    m[e] = me;
    v[e] = ve;
    p[e] = p[e]! - (lrc * me) / (Math.sqrt(ve) * rc2 + ADAM_EPSILON);
  }
}

export class MlpEngine {
  readonly shape: MlpShape;
  /** Which product runs: 'wasm-simd', or 'js' where WebAssembly SIMD is unavailable. */
  readonly kernel: Gemm['kind'];
  private readonly gemm: Gemm['gemm'];
  private readonly layers: Dense[];
  private readonly code: number;
  private readonly learningRate: number;
  private readonly maxRows: number;
  /** mulberry32 state per hidden layer's dropout stream (inlined in the mask loop: a call per cell cost ~10 % of an epoch). */
  private readonly dropoutState: Int32Array;
  /** The chunk's input rows, [rows][inputs]. */
  private readonly xb: Buf;
  private step = 0;

  /** `weights` in tfjs's getWeights() order: kernel [in][out], bias, for each dense layer. */
  constructor(shape: MlpShape, weights: readonly Float32Array[], opts: MlpEngineOptions) {
    this.shape = shape;
    this.code = ACTIVATION_CODE[shape.activation];
    this.learningRate = opts.learningRate;
    this.maxRows = Math.max(1, opts.maxRows);
    this.dropoutState = Int32Array.from(shape.hidden, (_, i) => opts.dropoutSeeds[i] ?? i);
    const widths = [shape.inputs, ...shape.hidden, shape.outputs];
    if (weights.length !== 2 * (widths.length - 1)) throw new Error(`expected ${2 * (widths.length - 1)} weight arrays, got ${weights.length}`);
    const rows = this.maxRows;
    const hiddenCount = shape.hidden.length;
    const dropped = (l: number): boolean => l < hiddenCount && shape.dropout > 0;

    // Heap layout: element 0 stays unused (bias 0 means none), each array starts 16-byte aligned.
    const sizes: number[] = [rows * shape.inputs];
    widths.slice(1).forEach((units, l) => {
      const inputs = widths[l]!;
      sizes.push(inputs * units, inputs * units, units, inputs * units, units, rows * units, rows * units);
      if (dropped(l)) sizes.push(rows * units);
    });
    const round4 = (n: number): number => Math.ceil(n / 4) * 4;
    const total = sizes.reduce((s, n) => s + round4(n), 4);
    const g = createGemm(total, opts.forceJs);
    this.gemm = g.gemm;
    this.kernel = g.kind;
    let next = 4;
    const alloc = (n: number): Buf => {
      const at = next;
      next += round4(n);
      return { at, v: g.heap.subarray(at, at + n) };
    };

    this.xb = alloc(rows * shape.inputs);
    this.layers = widths.slice(1).map((units, l) => {
      const inputs = widths[l]!;
      const kernel = weights[2 * l]!;
      const bias = weights[2 * l + 1]!;
      if (kernel.length !== inputs * units || bias.length !== units) throw new Error(`layer ${l}: expected a ${inputs}×${units} kernel and ${units} biases`);
      const k = alloc(inputs * units);
      const w = alloc(inputs * units);
      const b = alloc(units);
      const gk = alloc(inputs * units);
      const gb = alloc(units);
      const a = alloc(rows * units);
      const dz = alloc(rows * units);
      const h = dropped(l) ? alloc(rows * units) : a;
      k.v.set(kernel);
      b.v.set(bias);
      transpose(k.v, inputs, units, w.v);
      return {
        inputs,
        units,
        k,
        w,
        b,
        gk,
        gb,
        mk: new Float32Array(inputs * units),
        vk: new Float32Array(inputs * units),
        mb: new Float32Array(units),
        vb: new Float32Array(units),
        a,
        h,
        scale: dropped(l) ? new Float32Array(rows * units) : new Float32Array(0),
        dz,
      };
    });
  }

  /** Copies of the weights in tfjs's getWeights() order (kernel [in][out], bias per layer). */
  weights(): Float32Array[] {
    return this.layers.flatMap((l) => [Float32Array.from(l.k.v), Float32Array.from(l.b.v)]);
  }

  /** Overwrites the weights (tfjs order, as `weights()` returns them); Adam's moments are kept. */
  setWeights(weights: readonly Float32Array[]): void {
    this.layers.forEach((l, i) => {
      l.k.v.set(weights[2 * i]!);
      l.b.v.set(weights[2 * i + 1]!);
      transpose(l.k.v, l.inputs, l.units, l.w.v);
    });
  }

  /** The gradients accumulated since zeroGrad(), in tfjs order and layout (for tests). */
  gradients(): Float32Array[] {
    return this.layers.flatMap((l) => [Float32Array.from(l.gk.v), Float32Array.from(l.gb.v)]);
  }

  zeroGrad(): void {
    for (const l of this.layers) {
      l.gk.v.fill(0);
      l.gb.v.fill(0);
    }
  }

  /**
   * Forward and backward over rows `order[from..to)` of `x` (row-major, `shape.inputs` columns),
   * adding their gradients of the batch's loss (a batch of `batchRows` rows, so each row weighs
   * 1 / batchRows) to the accumulated ones. Dropout is on.
   */
  accumulate(x: Float32Array, y: Uint8Array, order: Int32Array, from: number, to: number, batchRows: number, classWeights: readonly number[]): ChunkStats {
    const rows = to - from;
    if (rows > this.maxRows) throw new RangeError(`chunk of ${rows} rows exceeds the engine's ${this.maxRows}`);
    const cols = this.shape.inputs;
    const xb = this.xb.v;
    for (let r = 0; r < rows; r++) {
      const src = order[from + r]! * cols;
      const dst = r * cols;
      for (let c = 0; c < cols; c++) xb[dst + c] = x[src + c]!;
    }
    this.forward(rows, true);

    // Loss, accuracy and dLoss/dlogits of the softmax output.
    const out = this.layers[this.layers.length - 1]!;
    const width = out.units;
    const p = out.a.v;
    const dz = out.dz.v;
    let lossSum = 0;
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      const label = y[order[from + r]!]!;
      const w = classWeights[label]!;
      const o = r * width;
      const pl = p[o + label]!;
      lossSum -= w * Math.log(pl < CLIP ? CLIP : pl > 1 - CLIP ? 1 - CLIP : pl);
      let argmax = 0;
      for (let c = 1; c < width; c++) if (p[o + c]! > p[o + argmax]!) argmax = c;
      if (argmax === label) correct++;
      const f = w / batchRows;
      for (let c = 0; c < width; c++) dz[o + c] = f * (p[o + c]! - (c === label ? 1 : 0));
    }

    for (let li = this.layers.length - 1; li >= 0; li--) {
      const l = this.layers[li]!;
      const input = li === 0 ? this.xb : this.layers[li - 1]!.h;
      // dK += Xᵀ·dZ (X read column-wise through its strides), db += Σ_rows dZ.
      this.gemm(l.gk.at, l.units, input.at, 1, l.inputs, l.dz.at, l.units, 0, l.inputs, l.units, rows, 1);
      const gb = l.gb.v;
      const d = l.dz.v;
      for (let r = 0; r < rows; r++) {
        const o = r * l.units;
        for (let j = 0; j < l.units; j++) gb[j] = gb[j]! + d[o + j]!;
      }
      if (li === 0) break;
      // dX = dZ·W into the previous layer's dz, then back through its dropout and activation.
      const prev = this.layers[li - 1]!;
      this.gemm(prev.dz.at, l.inputs, l.dz.at, l.units, 1, l.w.at, l.inputs, 0, rows, l.inputs, l.units, 0);
      this.backActivation(prev, rows);
    }
    return { lossSum, correct };
  }

  /** dz ← dz · dropout scale · f'(a) for a hidden layer (dz holds dLoss/dh on entry). */
  private backActivation(l: Dense, rows: number): void {
    const count = rows * l.units;
    const dz = l.dz.v;
    const a = l.a.v;
    const s = l.scale;
    const dropped = s.length > 0;
    switch (this.code) {
      case 0:
        for (let e = 0; e < count; e++) dz[e] = a[e]! > 0 ? (dropped ? dz[e]! * s[e]! : dz[e]!) : 0;
        break;
      case 1:
        for (let e = 0; e < count; e++) dz[e] = dz[e]! * (dropped ? s[e]! : 1) * (1 - a[e]! * a[e]!);
        break;
      case 2:
        for (let e = 0; e < count; e++) dz[e] = dz[e]! * (dropped ? s[e]! : 1) * a[e]! * (1 - a[e]!);
        break;
      default:
        for (let e = 0; e < count; e++) dz[e] = dz[e]! * (dropped ? s[e]! : 1) * (a[e]! > 0 ? 1 : a[e]! + 1);
    }
  }

  /** Forward pass of `rows` rows held in xb; dropout only when training. */
  private forward(rows: number, training: boolean): void {
    const last = this.layers.length - 1;
    let input = this.xb;
    for (let li = 0; li <= last; li++) {
      const l = this.layers[li]!;
      this.gemm(l.a.at, l.units, input.at, l.inputs, 1, l.k.at, l.units, l.b.at, rows, l.units, l.inputs, 0);
      const count = rows * l.units;
      if (li === last) {
        softmaxRows(l.a.v, rows, l.units);
        break;
      }
      activate(l.a.v, count, this.code);
      input = l.a;
      if (training && l.scale.length > 0) {
        const rate = this.shape.dropout;
        const keep = 1 / (1 - rate);
        // A cell is dropped when its 32-bit draw is below rate · 2³² (mulberry32, as seededRandom).
        const threshold = Math.floor(rate * 4294967296);
        const a = l.a.v;
        const h = l.h.v;
        const s = l.scale;
        // The state stays an int32 (| 0): kept as a uint32 (>>> 0) it leaves V8's small integers and costs twice as much.
        let st = this.dropoutState[li]!;
        for (let e = 0; e < count; e++) {
          st = (st + 0x6d2b79f5) | 0;
          let t = Math.imul(st ^ (st >>> 15), st | 1);
          t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
          const f = (t ^ (t >>> 14)) >>> 0 < threshold ? 0 : keep;
          s[e] = f;
          h[e] = a[e]! * f;
        }
        this.dropoutState[li] = st;
        input = l.h;
      }
    }
  }

  /**
   * Class probabilities (dropout off) for rows [from, to) of `x` (row-major, `shape.inputs`
   * columns), written row-major into `out` from row `from` on. At most maxRows rows per call.
   */
  predict(x: Float32Array, from: number, to: number, out: Float32Array): void {
    const rows = to - from;
    if (rows > this.maxRows) throw new RangeError(`chunk of ${rows} rows exceeds the engine's ${this.maxRows}`);
    const cols = this.shape.inputs;
    this.xb.v.set(x.subarray(from * cols, to * cols));
    this.forward(rows, false);
    const o = this.layers[this.layers.length - 1]!;
    out.set(o.a.v.subarray(0, rows * o.units), from * o.units);
  }

  /** One Adam update from the accumulated gradients; the transposed copies follow. */
  adamStep(): void {
    this.step++;
    const c1 = 1 - BETA1 ** this.step;
    const c2 = 1 - BETA2 ** this.step;
    const lr = this.learningRate;
    for (const l of this.layers) {
      adam(l.k.v, l.gk.v, l.mk, l.vk, lr, c1, c2);
      adam(l.b.v, l.gb.v, l.mb, l.vb, lr, c1, c2);
      transpose(l.k.v, l.inputs, l.units, l.w.v);
    }
  }
}
