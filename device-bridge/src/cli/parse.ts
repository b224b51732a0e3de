import { createInterface } from "node:readline";
import type { L4tRelease } from "@jetson/protocol";
import { parseJetsonClocksShow } from "../parsers/jetson-clocks.js";
import { l4tFromCorePackageVersion, l4tReleaseFromVersion, parseNvTegraRelease } from "../parsers/nv-tegra-release.js";
import { parseNvpmodelConf, parseNvpmodelQuery } from "../parsers/nvpmodel.js";
import { readTegrastatsLine } from "../parsers/tegrastats.js";

/** Kinds whose whole input is one document, printed as one JSON object. */
const DOCUMENTS = new Map<string, (text: string) => unknown>([
  // -q output or a mode table (/etc/nvpmodel.conf, -p --verbose)
  ["nvpmodel", (text) => (/POWER_MODEL/.test(text) ? parseNvpmodelConf(text) : parseNvpmodelQuery(text))],
  ["jetson-clocks", parseJetsonClocksShow],
  // /etc/nv_tegra_release, or the nvidia-l4t-core package version where that file is missing
  ["nv-tegra-release", (text) => (/^#\s*R\d/m.test(text) ? parseNvTegraRelease(text) : l4tFromPackage(text))],
]);

const KINDS = ["tegrastats", ...DOCUMENTS.keys()];

/** `jetson-bridge parse KIND`: tool output on input, JSON on out. Exit 0, 1 (input not readable) or 2 (unknown kind). */
export async function runParse(
  kind: string,
  input: NodeJS.ReadableStream,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  if (kind === "tegrastats") return parseLines(input, out, err).catch((error: unknown) => inputFailed(err, error));
  const parse = DOCUMENTS.get(kind);
  if (!parse) {
    err.write(`unknown kind ${JSON.stringify(kind)}; kinds: ${KINDS.join(", ")}\n`);
    return 2;
  }
  let text: string;
  try {
    text = await readAll(input);
  } catch (error) {
    return inputFailed(err, error);
  }
  try {
    out.write(`${JSON.stringify(parse(text))}\n`);
    return 0;
  } catch (error) {
    err.write(`${kind}: ${message(error)}\n`);
    return 1;
  }
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

// A missing file or a broken pipe: say so instead of a stack trace.
function inputFailed(err: NodeJS.WritableStream, error: unknown): number {
  err.write(`cannot read input: ${message(error)}\n`);
  return 1;
}

function l4tFromPackage(text: string): L4tRelease {
  const release = l4tReleaseFromVersion(l4tFromCorePackageVersion(text) ?? "");
  if (!release) throw new Error("neither an nv_tegra_release line nor an nvidia-l4t-core version");
  return release;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// tegrastats runs for as long as it is asked to: print each sample as its line arrives.
async function parseLines(input: NodeJS.ReadableStream, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let failed = false;
  let number = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    number += 1;
    if (line.trim() === "") continue;
    try {
      const { sample, unread } = readTegrastatsLine(line);
      out.write(`${JSON.stringify(sample)}\n`);
      if (unread.length > 0) {
        failed = true;
        err.write(`line ${number}: left out what could not be read: ${unread.map((token) => JSON.stringify(token)).join(", ")}\n`);
      }
    } catch (error) {
      failed = true;
      err.write(`line ${number}: ${message(error)}: ${line}\n`);
    }
  }
  return failed ? 1 : 0;
}
