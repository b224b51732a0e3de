import type { DeviceAttributes } from "@jetson/protocol";
import { globMatches } from "./selector-glob.js";

/**
 * The selector language: space-separated `key:value` terms that must all hold.
 * `a,b` means either value, a leading `-` negates the term, `*` in a value is a
 * wildcard, and `*` alone chooses every device. Versions match by release
 * prefix: `jetpack:6` chooses 6, 6.2 and 6.2.1 but not 60.
 *
 *   tag:warehouse board:orin-nano online:true jetpack:6*
 */
export interface SelectorTerm {
  key: SelectorKey;
  negate: boolean;
  /** Lower-cased; any one may match. */
  values: string[];
}

/** A parsed selector: plain data, so it crosses RPC and is stored as JSON. */
export interface Selector {
  /** Canonical text (lower-cased, single spaces). */
  text: string;
  /** Empty: every device. */
  terms: SelectorTerm[];
}

export class SelectorError extends Error {}

/** `6` matches 6, 6.2 and 6.2.1; with a `*` the value is a plain wildcard. */
const release = (pattern: string, value: string) =>
  pattern.includes("*") ? globMatches(pattern, value) : value === pattern || value.startsWith(`${pattern}.`);

const one = (value: string | undefined) => (value === undefined ? [] : [value]);

interface KeyRule {
  /** The device's values for this key (none: a positive term fails). */
  read(attributes: DeviceAttributes): string[];
  matches(pattern: string, value: string): boolean;
  /** The values this key accepts, when they are a closed set. */
  allowed?: readonly string[];
}

const KEYS = {
  id: { read: (a) => [a.id], matches: globMatches },
  tag: { read: (a) => a.tags, matches: globMatches },
  board: { read: (a) => one(a.board), matches: globMatches },
  soc: { read: (a) => one(a.soc), matches: globMatches },
  jetpack: { read: (a) => one(a.jetpack), matches: release },
  l4t: { read: (a) => one(a.l4t), matches: release },
  bridge: { read: (a) => one(a.bridge), matches: release },
  online: { read: (a) => [String(a.online)], matches: (p, v) => p === v, allowed: ["true", "false"] },
} satisfies Record<string, KeyRule>;

export type SelectorKey = keyof typeof KEYS;
const SELECTOR_KEYS = Object.keys(KEYS) as SelectorKey[];
const KEY_NAMES = Object.keys(KEYS).join(", ");
const VALUE = /^[a-z0-9_.*-]+$/;
/**
 * Selectors are answered in SQL, and a Durable Object's SQLite refuses a GLOB pattern over 50 bytes
 * (SQLITE_LIMIT_LIKE_PATTERN_LENGTH): a value without `*` (a whole 63-character id) is compared as it is.
 */
export const MAX_WILDCARD_VALUE = 50;
/**
 * A Durable Object's SQLite takes at most 100 parameters in a statement and nests an expression at most 100
 * deep. Each value binds at most one parameter and adds one level of OR or AND (selector-sql.ts); a device-list
 * page adds four parameters (status, text, cursor, limit) and a few levels (device-table.ts). 64 values keep
 * both well within: the deepest selectors fail only past 92.
 */
export const MAX_SELECTOR_VALUES = 64;

function isKey(key: string): key is SelectorKey {
  return Object.hasOwn(KEYS, key);
}

/** Parses a selector, or throws a SelectorError naming the term at fault and what would be valid. */
export function parseSelector(input: string): Selector {
  const words = input.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new SelectorError("The selector is empty; use * to choose every device.");
  if (words.length === 1 && words[0] === "*") return { text: "*", terms: [] };
  const terms = words.map((word, index) => parseTerm(word, index + 1));
  const values = terms.reduce((sum, term) => sum + term.values.length, 0);
  if (values > MAX_SELECTOR_VALUES) throw new SelectorError(`The selector names ${values} values; a selector may name at most ${MAX_SELECTOR_VALUES} values in all.`);
  return { text: terms.map(termText).join(" "), terms };
}

function parseTerm(word: string, position: number): SelectorTerm {
  const fail = (why: string): never => {
    throw new SelectorError(`Selector term ${position} "${word}": ${why}.`);
  };
  const negate = word.startsWith("-");
  const body = negate ? word.slice(1) : word;
  const colon = body.indexOf(":");
  if (body === "*") fail("* chooses every device and cannot be combined with other terms");
  if (colon < 0) fail(`expected key:value (keys: ${KEY_NAMES})`);
  const key = body.slice(0, colon).toLowerCase();
  if (!isKey(key)) fail(`unknown key "${key}" (keys: ${KEY_NAMES})`);
  const values = body.slice(colon + 1).toLowerCase().split(",");
  const rule: KeyRule = KEYS[key as SelectorKey];
  for (const value of values) {
    if (value === "") fail(`${key} needs a value after the colon (a,b for either)`);
    if (!VALUE.test(value)) fail(`"${value}" may hold only letters, digits, _ . - and *`);
    if (value.includes("*") && value.length > MAX_WILDCARD_VALUE) fail(`"${value}" has ${value.length} characters; a value with * may have at most ${MAX_WILDCARD_VALUE}`);
    if (rule.allowed && !rule.allowed.includes(value)) fail(`${key} takes ${rule.allowed.join(" or ")}`);
  }
  return { key: key as SelectorKey, negate, values };
}

function termText(term: SelectorTerm): string {
  return `${term.negate ? "-" : ""}${term.key}:${term.values.join(",")}`;
}

/** A selector key and the start of a value: what a completion looks up. */
export interface TermPrefix {
  key: SelectorKey;
  prefix: string;
}

/** What a term being typed can still become: its possible keys and the value typed so far (`bo` → board and bridge, `board:or` → board "or"). */
export function termInProgress(typed: string): TermPrefix[] {
  const colon = typed.indexOf(":");
  if (colon < 0) return SELECTOR_KEYS.filter((key) => key.startsWith(typed.toLowerCase())).map((key) => ({ key, prefix: "" }));
  const key = typed.slice(0, colon).toLowerCase();
  return isKey(key) ? [{ key, prefix: typed.slice(colon + 1).toLowerCase() }] : [];
}

/** Whether the selector chooses a device with these attributes. */
export function selects(selector: Selector, attributes: DeviceAttributes): boolean {
  return selector.terms.every((term) => {
    const rule: KeyRule = KEYS[term.key];
    const have = rule.read(attributes);
    const hit = term.values.some((pattern) => have.some((value) => rule.matches(pattern, value)));
    return hit !== term.negate;
  });
}
