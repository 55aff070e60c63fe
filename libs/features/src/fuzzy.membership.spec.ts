import { gaussian, membership, trapezoidal, triangular } from './fuzzy.membership.js';

describe('triangular', () => {
  const abc = [0, 20, 35] as const;
  it('is 0 at and beyond the corners, 1 at the peak, linear on both slopes', () => {
    expect(triangular(0, abc)).toBe(0);
    expect(triangular(35, abc)).toBe(0);
    expect(triangular(-5, abc)).toBe(0);
    expect(triangular(80, abc)).toBe(0);
    expect(triangular(20, abc)).toBe(1);
    expect(triangular(10, abc)).toBeCloseTo(0.5, 12);
    expect(triangular(5, abc)).toBeCloseTo(0.25, 12);
    expect(triangular(30, abc)).toBeCloseTo(5 / 15, 12);
  });
  it('makes shoulders when the peak sits on a corner', () => {
    expect(triangular(0, [0, 0, 10])).toBe(1);
    expect(triangular(5, [0, 0, 10])).toBeCloseTo(0.5, 12);
    expect(triangular(10, [0, 10, 10])).toBe(1);
    expect(triangular(11, [0, 10, 10])).toBe(0);
  });
  it('keeps NaN as NaN', () => expect(triangular(Number.NaN, abc)).toBeNaN());
});

describe('trapezoidal', () => {
  const abcd = [10, 20, 30, 50] as const;
  it('is 0 outside [a, d], 1 on [b, c], linear on the slopes', () => {
    expect(trapezoidal(10, abcd)).toBe(0);
    expect(trapezoidal(50, abcd)).toBe(0);
    expect(trapezoidal(9, abcd)).toBe(0);
    expect(trapezoidal(51, abcd)).toBe(0);
    expect(trapezoidal(20, abcd)).toBe(1);
    expect(trapezoidal(25, abcd)).toBe(1);
    expect(trapezoidal(30, abcd)).toBe(1);
    expect(trapezoidal(15, abcd)).toBeCloseTo(0.5, 12);
    expect(trapezoidal(45, abcd)).toBeCloseTo(0.25, 12);
  });
  it('handles vertical edges (a = b or c = d)', () => {
    expect(trapezoidal(0, [0, 0, 5, 10])).toBe(1);
    expect(trapezoidal(10, [0, 5, 10, 10])).toBe(1);
  });
  it('keeps NaN as NaN', () => expect(trapezoidal(Number.NaN, abcd)).toBeNaN());
});

describe('gaussian', () => {
  it('is 1 at the mean and e^(-1/2) at mean ± sigma, symmetric, in (0, 1]', () => {
    expect(gaussian(50, [50, 10])).toBe(1);
    expect(gaussian(60, [50, 10])).toBeCloseTo(Math.exp(-0.5), 12);
    expect(gaussian(40, [50, 10])).toBeCloseTo(Math.exp(-0.5), 12);
    expect(gaussian(70, [50, 10])).toBeCloseTo(Math.exp(-2), 12);
    expect(gaussian(500, [50, 10])).toBeGreaterThanOrEqual(0);
    expect(gaussian(500, [50, 10])).toBeLessThan(1e-100);
  });
  it('keeps NaN as NaN', () => expect(gaussian(Number.NaN, [0, 1])).toBeNaN());
});

describe('membership', () => {
  it('dispatches on the schema type', () => {
    expect(membership(10, { type: 'triangular', parameters: [0, 20, 35] })).toBeCloseTo(0.5, 12);
    expect(membership(15, { type: 'trapezoidal', parameters: [10, 20, 30, 50] })).toBeCloseTo(0.5, 12);
    expect(membership(60, { type: 'gaussian', parameters: [50, 10] })).toBeCloseTo(Math.exp(-0.5), 12);
  });
});
