import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** Why the WebAssembly backend was not used; null when it was. */
  fallbackReason: string | null;
}

let ready: Promise<BackendInfo> | null = null;

/**
 * Selects tfjs's WebAssembly backend (XNNPACK kernels, SIMD when the CPU has it; ~1.5× the pure-JS
 * backend on our MLPs) once per process, falling back to the pure-JS CPU backend with a logged
 * reason if the wasm module cannot initialise. It runs the models' predictions: the trainer's test
 * part and the backtest. Training itself runs in MlpEngine (mlp.engine.ts), outside tfjs. tfjs-node would be faster but downloads a native
 * binary at install time, which this deployment cannot do.
 *
 * On Node the backend's `.wasm` files are read from disk: `setWasmPaths` gets the package's own
 * dist directory (resolved from its entry point, so it works wherever npm put it), with a trailing
 * separator because tfjs concatenates prefix + file name. Threads are not used (no multithreaded
 * wasm build is loaded on Node), which suits a worker sharing the machine with other jobs.
 */
export function initTrainingBackend(log: (message: string) => void = (m) => console.warn(m)): Promise<BackendInfo> {
  ready ??= (async (): Promise<BackendInfo> => {
    try {
      setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep);
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
      await tf.ready();
      return { name: 'wasm', fallbackReason: null };
    } catch (e) {
      const reason = `wasm backend unavailable (${e instanceof Error ? e.message : String(e)})`;
      log(`training: ${reason}; falling back to the pure-JS cpu backend`);
      if (!(await tf.setBackend('cpu'))) throw new Error(`no tfjs backend could initialise: ${reason}`);
      await tf.ready();
      return { name: 'cpu', fallbackReason: reason };
    }
  })();
  return ready;
}
