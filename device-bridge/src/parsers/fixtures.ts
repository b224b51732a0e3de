import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Real-board outputs live beside the repository: <repo>/../shared/fixtures/jetson-real/<kind>/<board>-N.txt.
const ROOT = fileURLToPath(new URL("../../../../shared/fixtures/jetson-real/", import.meta.url));

/** The fixtures folder, or undefined when this checkout has none beside it. */
export function fixturesRoot(): string | undefined {
  return existsSync(ROOT) ? ROOT : undefined;
}

/** True (after saying why on the console) when the fixtures folder is absent, for `describe.skipIf`. */
export function fixturesMissing(suite: string): boolean {
  if (fixturesRoot()) return false;
  console.warn(`${suite}: skipped, the real-board fixtures folder ${ROOT} is absent`);
  return true;
}

export function readFixture(kind: string, file: string): string {
  return readFileSync(join(ROOT, kind, file), "utf8");
}

/** The fixture kinds (folders), sorted. */
export function listFixtureKinds(): string[] {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The fixture files of one kind, sorted. */
export function listFixtures(kind: string): string[] {
  return readdirSync(join(ROOT, kind))
    .filter((file) => file.endsWith(".txt"))
    .sort();
}

/** Fixture files of `kind` that `cases` (keyed by file name) does not cover. */
export function uncoveredFixtures(kind: string, cases: Record<string, unknown>): string[] {
  return listFixtures(kind).filter((file) => !Object.hasOwn(cases, file));
}
