import { percentile, summarize } from './stats';

describe('bench stats', () => {
  it('uses nearest-rank percentiles', () => {
    const xs = Array.from({ length: 200 }, (_, i) => i + 1); // 1..200
    expect(percentile(xs, 50)).toBe(100);
    expect(percentile(xs, 95)).toBe(190);
    expect(percentile(xs, 99)).toBe(198);
    expect(percentile(xs, 100)).toBe(200);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarizes unsorted samples and tolerates none', () => {
    const s = summarize([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ n: 5, min: 1, p50: 3, p99: 5, max: 5, mean: 3 });
    expect(summarize([]).n).toBe(0);
    expect(Number.isNaN(summarize([]).p99)).toBe(true);
  });
});
