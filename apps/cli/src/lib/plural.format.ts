/** A count with its noun: `1 trial`, `3 trials`, `2 entries` (with `many`). */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
