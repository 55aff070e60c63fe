import { FeaturesError } from './features.error.js';
import { applyScaler, fitScaler, parseScaler } from './standard.scaler.js';

describe('standard scaler', () => {
  // 4 rows × 3 columns; the last column is constant.
  const X = Float32Array.from([1, 10, 5, 2, 20, 5, 3, 30, 5, 4, 40, 5]);
  const names = ['a@1d', 'b@1d', 'c@1d'];

  it('fits population mean and std per column; a constant column gets std 1', () => {
    const s = fitScaler(X, 4, names);
    expect(s.mean).toEqual([2.5, 25, 5]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(125), 12);
    expect(s.std[2]).toBe(1);
    expect(s.names).toEqual(names);
  });

  it('fits on the first `rows` rows only: changing a later row changes nothing', () => {
    const a = fitScaler(X, 3, names);
    const Y = X.slice();
    Y[9] = 1000; // row 3 is outside the fitted rows
    expect(fitScaler(Y, 3, names)).toEqual(a);
    expect(fitScaler(Y, 4, names)).not.toEqual(fitScaler(X, 4, names));
  });

  it('scales to zero mean and unit variance; NaN stays NaN', () => {
    const s = fitScaler(X, 4, names);
    const Z = applyScaler(s, X);
    for (let c = 0; c < 2; c++) {
      const col = [0, 1, 2, 3].map((r) => Z[r * 3 + c]!);
      expect(col.reduce((x, y) => x + y) / 4).toBeCloseTo(0, 6);
      expect(col.reduce((x, y) => x + y * y, 0) / 4).toBeCloseTo(1, 6);
    }
    expect(Z[2]).toBe(0);
    expect(applyScaler(s, Float32Array.from([Number.NaN, 25, 5]))[0]).toBeNaN();
  });

  it('round-trips through JSON and refuses a malformed scaler', () => {
    const s = fitScaler(X, 4, names);
    expect(parseScaler(JSON.stringify(s))).toEqual(s);
    expect(parseScaler(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(() => parseScaler({ ...s, std: [1, 0, 1] })).toThrow(FeaturesError);
    expect(() => parseScaler({ ...s, mean: [1] })).toThrow(/same length/);
    expect(() => parseScaler('{not json')).toThrow(/invalid feature scaler/);
  });
});
