#!/usr/bin/env python3
"""The numpy reference for the training benchmark (tools/bench/training.bench.ts runs it).

One epoch of the benchmark's network written as plain numpy, float32 like tfjs: 5,000 training
rows x 24 features, MLP hidden [64, 32] with ReLU and dropout 0.1 after each hidden layer, a
3-way softmax with cross-entropy, Adam (lr 0.001, beta1 0.9, beta2 0.999, eps 1e-7), batch 64 over
a freshly shuffled row order, then a forward pass over 1,000 validation rows with their loss and
accuracy. Times `--epochs` epochs after `--warmup` untimed ones and prints one JSON line:
{"p50": ms, "p99": ms, "n": epochs, ...}. Percentiles are nearest-rank, as in tools/bench/stats.ts.

Only numpy is needed (python3 tools/bench/numpy-epoch.py [--epochs 20] [--warmup 2]).
"""

import argparse
import json
import math
import os
import sys
import time

try:
    import numpy as np
except ImportError as e:  # the bench reports this as "not run: ..." rather than failing
    print(json.dumps({"error": f"numpy not importable: {e}"}))
    sys.exit(3)

TRAIN_ROWS = 5000
VALIDATION_ROWS = 1000
FEATURES = 24
HIDDEN = (64, 32)
CLASSES = 3
BATCH = 64
DROPOUT = 0.1
LR = 0.001
BETA1, BETA2, EPS = 0.9, 0.999, 1e-7


def nearest_rank(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[k - 1]


def make_data(rng):
    """Three Gaussian classes (BUY 25 %, HOLD 50 %, SELL 25 %), like syntheticClasses."""
    rows = TRAIN_ROWS + VALIDATION_ROWS
    y = rng.choice(CLASSES, size=rows, p=[0.25, 0.5, 0.25])
    centres = rng.standard_normal((CLASSES, FEATURES))
    centres *= 1.5 / np.linalg.norm(centres, axis=1, keepdims=True)
    x = (centres[y] + rng.standard_normal((rows, FEATURES))).astype(np.float32)
    return x[:TRAIN_ROWS], y[:TRAIN_ROWS], x[TRAIN_ROWS:], y[TRAIN_ROWS:]


def init_params(rng):
    sizes = (FEATURES, *HIDDEN, CLASSES)
    params = []
    for i in range(len(sizes) - 1):
        fan_in, fan_out = sizes[i], sizes[i + 1]
        if i < len(HIDDEN):  # He normal for the ReLU layers
            w = rng.standard_normal((fan_in, fan_out)) * math.sqrt(2 / fan_in)
        else:  # Glorot uniform for the softmax layer
            limit = math.sqrt(6 / (fan_in + fan_out))
            w = rng.uniform(-limit, limit, (fan_in, fan_out))
        params.append(w.astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    return params


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Trainer:
    def __init__(self, rng, params):
        self.rng = rng
        self.params = params
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, xb, yb):
        layers = len(self.params) // 2
        n = xb.shape[0]
        inputs, masks = [], []
        h = xb
        for i in range(layers - 1):
            inputs.append(h)
            h = np.maximum(h @ self.params[2 * i] + self.params[2 * i + 1], 0)
            mask = (self.rng.random(h.shape, dtype=np.float32) >= DROPOUT).astype(np.float32) * np.float32(1 / (1 - DROPOUT))
            masks.append(mask)
            h = h * mask
        inputs.append(h)
        p = softmax(h @ self.params[-2] + self.params[-1])
        loss = -np.log(np.clip(p[np.arange(n), yb], 1e-7, 1 - 1e-7)).mean()
        correct = int((p.argmax(axis=1) == yb).sum())
        # Backward: softmax + cross-entropy, then the layers in reverse.
        d = p
        d[np.arange(n), yb] -= 1
        d /= n
        grads = [None] * len(self.params)
        for i in range(layers - 1, -1, -1):
            a = inputs[i]
            grads[2 * i] = a.T @ d
            grads[2 * i + 1] = d.sum(axis=0)
            if i > 0:
                d = (d @ self.params[2 * i].T) * masks[i - 1]
                d *= a > 0  # ReLU derivative (a is the dropped-out activation: 0 where either zeroed it)
        self.t += 1
        lr_t = LR * math.sqrt(1 - BETA2**self.t) / (1 - BETA1**self.t)
        for k, g in enumerate(grads):
            m, v = self.m[k], self.v[k]
            m *= BETA1
            m += (1 - BETA1) * g
            v *= BETA2
            v += (1 - BETA2) * (g * g)
            self.params[k] -= lr_t * m / (np.sqrt(v) + EPS)
        return float(loss) * n, correct

    def predict(self, x):
        layers = len(self.params) // 2
        h = x
        for i in range(layers - 1):
            h = np.maximum(h @ self.params[2 * i] + self.params[2 * i + 1], 0)
        return softmax(h @ self.params[-2] + self.params[-1])


def epoch(trainer, rng, x, y, xv, yv):
    order = rng.permutation(TRAIN_ROWS)
    xs, ys = x[order], y[order]
    loss_sum, correct = 0.0, 0
    for start in range(0, TRAIN_ROWS, BATCH):
        l, c = trainer.step(xs[start : start + BATCH], ys[start : start + BATCH])
        loss_sum += l
        correct += c
    p = trainer.predict(xv)
    val_loss = float(-np.log(np.clip(p[np.arange(len(yv)), yv], 1e-7, 1 - 1e-7)).mean())
    val_acc = float((p.argmax(axis=1) == yv).mean())
    return loss_sum / TRAIN_ROWS, correct / TRAIN_ROWS, val_loss, val_acc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    x, y, xv, yv = make_data(rng)
    trainer = Trainer(rng, init_params(rng))
    times = []
    last = None
    for e in range(args.warmup + args.epochs):
        t0 = time.perf_counter()
        last = epoch(trainer, rng, x, y, xv, yv)
        elapsed = (time.perf_counter() - t0) * 1000
        if e >= args.warmup:
            times.append(elapsed)
    times.sort()
    result = {
        "p50": nearest_rank(times, 50),
        "p99": nearest_rank(times, 99),
        "max": times[-1] if times else float("nan"),
        "n": len(times),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "blas_threads_env": os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default",
        "last_epoch": {"loss": last[0], "acc": last[1], "val_loss": last[2], "val_acc": last[3]} if last else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
