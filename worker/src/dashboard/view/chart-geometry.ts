/** The arithmetic of the dashboard's SVG line charts, kept apart from the DOM so it can be tested in Node. */

export interface Scale {
  (value: number): number;
}

/** A value that can be drawn: a finite number (a null or non-finite one is a gap). */
const drawable = (value: number | null): value is number => value !== null && Number.isFinite(value);

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // Halved before subtracting: the distance between values near ±1.8e308 overflows to Infinity.
  const fromStart = (value: number) => value / 2 - d0 / 2;
  const span = fromStart(d1) || 1;
  return (value) => r0 + (fromStart(value) / span) * (r1 - r0);
}

/** Round tick values (1, 2 or 5 times a power of ten) covering [min, max] in about `count` steps. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  // Divided before subtracting, for the same overflow.
  const raw = max / count - min / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const first = Math.ceil(min / step);
  const ticks: number[] = [];
  // Counted in steps: a step below the values' precision would never pass max, and i * step alone could overflow.
  for (let i = 0; i <= count + 1; i++) {
    const v = (first + i) * step;
    if (!(v <= max + step * 1e-9)) break;
    const tick = Number(v.toPrecision(12));
    if (ticks.at(-1) !== tick) ticks.push(tick);
  }
  return ticks;
}

/**
 * The value axis for these columns: from the tick just below the smallest value to the tick
 * just above the largest (from zero for quantities that start there), so no line touches the frame.
 */
export function valueExtent(columns: ReadonlyArray<ReadonlyArray<number | null>>, fromZero: boolean): [number, number] {
  let min = fromZero ? 0 : Infinity;
  let max = -Infinity;
  for (const column of columns) {
    for (const value of column) {
      if (!drawable(value)) continue;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
  if (max === -Infinity) return [0, 1];
  if (min === max) return [min - 1, max + 1];
  const [first = min, second = max] = niceTicks(min, max);
  const step = second - first;
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  // Near the largest double the tick beyond the data overflows, and below a double's precision ticks coincide: the data's own extent then.
  return Number.isFinite(low) && Number.isFinite(high) && low < high ? [low, high] : [min, max];
}

/**
 * An SVG path through the points, lifting the pen where a value is missing or where
 * consecutive points are further apart than `maxGapMs` (the device was offline).
 */
export function linePath(t: readonly number[], values: ReadonlyArray<number | null>, x: Scale, y: Scale, maxGapMs: number): string {
  let path = "";
  let previous: number | undefined;
  values.forEach((value, i) => {
    const time = t[i];
    if (!drawable(value) || time === undefined) {
      previous = undefined;
      return;
    }
    const move = previous === undefined || time - previous > maxGapMs;
    path += `${move ? "M" : "L"}${x(time).toFixed(1)} ${y(value).toFixed(1)}`;
    previous = time;
  });
  return path;
}

/** How far apart points may be before the line breaks: three times their usual spacing. */
export function gapThreshold(t: readonly number[], stepMs: number | undefined): number {
  if (stepMs !== undefined) return 3 * stepMs;
  const deltas = t.slice(1).map((time, i) => time - (t[i] ?? time)).sort((a, b) => a - b);
  return 3 * (deltas[Math.floor(deltas.length / 2)] ?? 60_000);
}

const TIME_STEPS = [60_000, 5 * 60_000, 15 * 60_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 86_400_000, 5 * 86_400_000];

/** Tick times on whole minutes, hours or days (local midnight for days), about `count` of them. */
export function timeTicks(from: number, to: number, count = 5): number[] {
  const step = TIME_STEPS.find((s) => (to - from) / s <= count) ?? TIME_STEPS.at(-1) ?? 86_400_000;
  const offset = step >= 86_400_000 ? new Date(from).getTimezoneOffset() * 60_000 : 0;
  const ticks: number[] = [];
  for (let tick = Math.ceil((from - offset) / step) * step + offset; tick <= to; tick += step) ticks.push(tick);
  return ticks;
}
