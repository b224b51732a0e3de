import { z } from "zod";
import type { AptOperation } from "./apt-progress.js";
import { catalogueInput } from "./catalogue-input.js";

// The apt-get command lines the bridge runs as root, built here only: the actions build them, and
// the root helper (host/privileged-helper.ts) reads a request back into this form before it runs anything.

/**
 * Never a prompt: -y answers apt's question, dpkg keeps changed configuration files (confdef, then
 * confold), DEBIAN_FRONTEND=noninteractive answers debconf, and standard input is closed.
 * Status-Fd=1 puts progress lines on standard output; a held lock is waited for.
 */
export const APT_GET_OPTIONS: readonly string[] = [
  "-y",
  "-q",
  "-o", "APT::Status-Fd=1",
  "-o", "Dpkg::Options::=--force-confdef",
  "-o", "Dpkg::Options::=--force-confold",
  "-o", "Dpkg::Use-Pty=0",
  "-o", "DPkg::Lock::Timeout=120",
];

/** What the bridge asks apt-get to do: the packages as the catalogue's own action schemas take them. */
export const AptGetRequestSchema = z.discriminatedUnion("operation", [
  z.strictObject({ operation: z.literal("update") }),
  z.strictObject({ operation: z.literal("install"), names: catalogueInput("packages.install").shape.names }),
  z.strictObject({ operation: z.literal("upgrade"), names: catalogueInput("packages.upgrade").shape.names }),
  z.strictObject({ operation: z.literal("remove"), names: catalogueInput("packages.remove").shape.names }),
]);
export type AptGetRequest = z.infer<typeof AptGetRequestSchema>;

/** Each operation's words after the options; package names follow `--`, so none is read as an option. */
const OPERATIONS: Record<AptGetRequest["operation"], { words: readonly string[]; progress: AptOperation }> = {
  update: { words: ["update"], progress: "update" },
  install: { words: ["install", "--no-remove", "--"], progress: "install" },
  upgrade: { words: ["install", "--only-upgrade", "--no-remove", "--"], progress: "install" },
  remove: { words: ["remove", "--"], progress: "remove" },
};

export function aptGetArgs(request: AptGetRequest): string[] {
  return [...APT_GET_OPTIONS, ...OPERATIONS[request.operation].words, ...("names" in request ? request.names : [])];
}

export function aptProgressPhase(request: AptGetRequest): AptOperation {
  return OPERATIONS[request.operation].progress;
}

/** The request an argument list was built from (unchecked), or undefined when no operation builds it. */
export function readAptGetArgs(args: readonly string[]): unknown {
  if (!startsWith(args, APT_GET_OPTIONS)) return undefined;
  const rest = args.slice(APT_GET_OPTIONS.length);
  // No operation's words begin another's, so at most one matches.
  const match = Object.entries(OPERATIONS).find(([, { words }]) => startsWith(rest, words));
  if (!match) return undefined;
  const [operation, { words }] = match;
  const names = rest.slice(words.length);
  return operation === "update" ? (names.length === 0 ? { operation } : undefined) : { operation, names };
}

function startsWith(args: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((word, i) => args[i] === word);
}
