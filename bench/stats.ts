/** Percentile of a sample (nearest rank), in the sample's unit. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[rank] ?? Number.NaN);
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function latencies(values: readonly number[]) {
  return {
    calls: values.length,
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
    meanMs: round(values.reduce((a, b) => a + b, 0) / values.length),
  };
}

/** Times `count` sequential runs of `once`, after `warmup` untimed ones. */
export async function timeSequential(count: number, warmup: number, once: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  return times;
}
