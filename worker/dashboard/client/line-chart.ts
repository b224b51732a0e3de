import type { ChartData } from "../../src/dashboard/chart-data.js";
import { gapThreshold, linearScale, linePath, niceTicks, timeTicks, valueExtent } from "../../src/dashboard/view/chart-geometry.js";
import { h, svg } from "./dom.js";

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  /** Values are divided by this before drawing (mW shown as W). */
  divisor?: number;
  fromZero: boolean;
  /** The lines: metrics by name, and how each is labelled. */
  lines: (data: ChartData) => Array<{ metric: string; label: string }>;
}

/** Colours with at least 4.5:1 contrast on white, told apart by hue. */
const COLOURS = ["#1d4ed8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#be185d", "#4b5563"];
const HEIGHT = 190;
const MARGIN = { left: 46, right: 12, top: 10, bottom: 26 };

function timeLabel(t: number, span: number): string {
  const date = new Date(t);
  return span > 2 * 86_400_000
    ? date.toLocaleDateString(undefined, { month: "short", day: "numeric" })
    : date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

function lastValue(column: ReadonlyArray<number | null>): number | undefined {
  for (let i = column.length - 1; i >= 0; i--) {
    const value = column[i];
    if (value !== null && value !== undefined) return value;
  }
  return undefined;
}

/**
 * Draws one chart into its figure: an SVG with axes and a line per metric, a legend with
 * each line's latest value, and the same in words for screen readers. The SVG carries
 * the number of points drawn in data-points.
 */
export function drawChart(figure: HTMLElement, spec: ChartSpec, data: ChartData, domain: [number, number]): void {
  const divisor = spec.divisor ?? 1;
  const lines = spec.lines(data).map((line, i) => ({
    ...line,
    colour: COLOURS[i % COLOURS.length] ?? "#000",
    values: (data.series[line.metric] ?? []).map((v) => (v === null ? null : v / divisor)),
  }));
  const width = Math.max(280, Math.floor(figure.clientWidth || 560));
  const x = linearScale(domain, [MARGIN.left, width - MARGIN.right]);
  const [low, high] = valueExtent(lines.map((line) => line.values), spec.fromZero);
  const y = linearScale([low, high], [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const maxGap = gapThreshold(data.t, data.stepMs);
  const points = lines.reduce((sum, line) => sum + line.values.filter((v) => v !== null).length, 0);
  const span = domain[1] - domain[0];

  const grid = niceTicks(low, high).map((v) =>
    svg("g", {},
      svg("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: MARGIN.left - 6, y: y(v) + 4, class: "tick", "text-anchor": "end" }, String(v)),
    ),
  );
  const times = timeTicks(domain[0], domain[1]).map((t) =>
    svg("text", { x: x(t), y: HEIGHT - 8, class: "tick", "text-anchor": "middle" }, timeLabel(t, span)),
  );
  const paths = lines.map((line) =>
    svg("path", { d: linePath(data.t, line.values, x, y, maxGap), stroke: line.colour, class: "line", "data-metric": line.metric }),
  );
  const chart = svg(
    "svg",
    { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: "img", "aria-label": `${spec.title} chart`, "data-points": points },
    ...grid,
    ...times,
    svg("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom, class: "axis" }),
    ...paths,
  );
  const latest = lines.map((line) => ({ ...line, last: lastValue(line.values) }));
  const format = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(1)} ${spec.unit}`);
  figure.replaceChildren(
    h("figcaption", {}, h("h3", {}, `${spec.title} (${spec.unit})`)),
    points === 0 ? h("p", { class: "muted empty" }, "No data in this range.") : chart,
    h("ul", { class: "legend" }, ...latest.map((line) =>
      h("li", {}, h("span", { class: "swatch", "data-colour": line.colour }), `${line.label} `, h("strong", {}, format(line.last))),
    )),
  );
  // The swatch colour is set through the CSSOM: the page's CSP allows no inline style attributes.
  for (const swatch of figure.querySelectorAll<HTMLElement>(".swatch")) swatch.style.background = swatch.dataset.colour ?? "";
}
