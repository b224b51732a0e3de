/** One sample of a family: its labels beyond the family's name, and its value. */
export interface MetricSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A metric family: all its samples are written together, under one HELP, TYPE (and, in OpenMetrics, UNIT). */
export interface MetricFamily {
  /** With a unit, the name ends in `_<unit>`; an info family's samples are named `<name>_info`. */
  name: string;
  type: "gauge" | "info";
  unit?: string;
  help: string;
  samples: Iterable<MetricSample>;
}

export type ExpositionFormat = "openmetrics" | "prometheus";

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
  prometheus: "text/plain; version=0.0.4; charset=utf-8",
};

/**
 * OpenMetrics, unless the scraper asks for Prometheus text and not for OpenMetrics: Prometheus 2.x sends
 * `application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`, older scrapers `text/plain` alone.
 */
export function formatFor(accept: string | undefined): ExpositionFormat {
  const asked = (accept ?? "").toLowerCase();
  return asked.includes("text/plain") && !asked.includes("application/openmetrics-text") ? "prometheus" : "openmetrics";
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and line feed in both formats. */
const labelValue = (value: string) => value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));

/** HELP text: OpenMetrics escapes as label values; Prometheus text only backslash and line feed. */
const HELP_ESCAPES: Record<ExpositionFormat, (text: string) => string> = {
  openmetrics: labelValue,
  prometheus: (text) => text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\")),
};

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

function labelSet(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([name, value]) => {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) throw new Error(`Invalid label name ${JSON.stringify(name)}`);
    return `${name}="${labelValue(value)}"`;
  });
  return pairs.length > 0 ? `{${pairs.join(",")}}` : "";
}

/** The family's metadata lines and the name its samples carry, in this format. */
function header(family: MetricFamily, format: ExpositionFormat): { lines: string[]; sampleName: string } {
  if (!NAME.test(family.name)) throw new Error(`Invalid metric name ${JSON.stringify(family.name)}`);
  if (family.unit !== undefined && !family.name.endsWith(`_${family.unit}`)) throw new Error(`${family.name} does not end with its unit ${family.unit}`);
  const help = HELP_ESCAPES[format](family.help);
  if (format === "prometheus") {
    // Prometheus text has no info type: an info family is a gauge named with its `_info` suffix, always 1.
    const name = family.type === "info" ? `${family.name}_info` : family.name;
    return { lines: [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`], sampleName: name };
  }
  const lines = [`# HELP ${family.name} ${help}`, `# TYPE ${family.name} ${family.type}`];
  if (family.unit !== undefined) lines.push(`# UNIT ${family.name} ${family.unit}`);
  return { lines, sampleName: family.type === "info" ? `${family.name}_info` : family.name };
}

/**
 * The families as exposition text, a line at a time (each ending in a line feed) so that a large fleet can be
 * streamed. A family without samples is left out; OpenMetrics ends with `# EOF`.
 */
export function* exposition(families: Iterable<MetricFamily>, format: ExpositionFormat): Generator<string> {
  for (const family of families) {
    const samples = family.samples[Symbol.iterator]();
    let next = samples.next();
    if (next.done) continue;
    const { lines, sampleName } = header(family, format);
    for (const line of lines) yield `${line}\n`;
    for (; !next.done; next = samples.next()) yield `${sampleName}${labelSet(next.value.labels)} ${number(next.value.value)}\n`;
  }
  if (format === "openmetrics") yield "# EOF\n";
}
