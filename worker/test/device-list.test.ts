import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { DevicePage, DeviceSummary, Drift } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { statusOf } from "../src/dashboard/view/fleet-rows.js";
import { Fleet } from "../src/fleet.js";
import { deviceAttributes } from "../src/fleet-ops/attributes.js";
import { MAX_SELECTOR_VALUES, parseSelector, type SelectorKey, selects } from "../src/fleet-ops/selector.js";
import { ADVERSARIAL_SELECTORS, ADVERSARIAL_VALUE } from "../src/fleet-ops/selector-adversarial.js";
import { Completions } from "../src/mcp/completions.js";
import type { RegistryObject } from "../src/registry/registry-object.js";
import { createFleet } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

/** Reproducible "random" choices (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = [
  "NVIDIA Jetson AGX Orin Developer Kit",
  "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super",
  "NVIDIA Jetson Nano Developer Kit",
  "Jetson-AGX",
  "Acme Robotics Carrier v2",
  undefined,
];
const JETPACKS = ["6.2", "6.2.1", "6", "60.1", "5.1.2", "6.2-RC1", "4.6", undefined];
const L4TS = ["36.4.3", "36.40.0", "35.6.0", "R36.4", undefined];
const BRIDGES = ["0.1.0", "0.1.0-RC1", "0.2.1"];
const SOCS = ["tegra234", "Tegra194", "tegra210", undefined];
const TAGS = ["lab", "warehouse", "rack-2", "line-3", "all"];

/** A fleet of varied summaries: boards, versions in either case, tags, presence, alerts (the offline one too), some never reported. */
function generateFleet(fleet: string, count: number, seed: number): DeviceSummary[] {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const online = next() < 0.6;
    const alerts = [
      ...(next() < 0.25 ? [{ kind: "temperature" as const, since: 1, value: 95, message: "hot" }] : []),
      ...(!online && next() < 0.5 ? [{ kind: "offline" as const, since: 1, value: 5, message: "offline" }] : []),
    ];
    const model = pick(MODELS);
    const jetpack = pick(JETPACKS);
    const l4t = pick(L4TS);
    const soc = pick(SOCS);
    return {
      id: `dev-${String((i * 7919) % count).padStart(4, "0")}-${pick(["a", "b", "cam"])}`,
      fleet,
      online,
      ...(alerts.length > 0 && { alerts }),
      ...(next() < 0.8 && { tags: TAGS.filter(() => next() < 0.3) }),
      ...(next() < 0.9 && {
        state: {
          hostname: `h${i}`,
          bridgeVersion: pick(BRIDGES),
          capabilities: [],
          ...(model !== undefined && { board: model }),
          ...(jetpack !== undefined && { jetpack }),
          ...(l4t !== undefined && { l4t }),
          ...(soc !== undefined && { soc }),
        },
      }),
    };
  });
}

const SELECTOR_VALUES: Record<string, readonly string[]> = {
  id: ["dev-00*", "*-cam", "dev-0001-a", "*1*"],
  tag: ["lab", "warehouse", "rack-*", "all", "nope"],
  board: ["agx-orin", "orin-nano", "nano", "agx-xavier", "*orin*", "acme-*"],
  soc: ["tegra234", "tegra19*", "tegra*"],
  jetpack: ["6", "6.2", "6.2-rc1", "6*", "*rc*", "60", "5"],
  l4t: ["36.4", "36", "r36.4", "36.4*", "r*"],
  bridge: ["0.1", "0.1.0-rc1", "0.1*", "0"],
  online: ["true", "false"],
};

function generateSelectors(count: number, seed: number): string[] {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const keys = Object.keys(SELECTOR_VALUES);
  return [
    "*",
    ...Array.from({ length: count }, () =>
      Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
        const key = pick(keys);
        const values = [pick(SELECTOR_VALUES[key] ?? []), ...(next() < 0.3 ? [pick(SELECTOR_VALUES[key] ?? [])] : [])];
        return `${next() < 0.3 ? "-" : ""}${key}:${values.join(",")}`;
      }).join(" "),
    ),
  ];
}

const byId = (a: DeviceSummary, b: DeviceSummary) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const ids = (devices: readonly { id: string }[]) => devices.map((d) => d.id);

async function seed(fleet: string, summaries: readonly DeviceSummary[]): Promise<void> {
  const registry = env.REGISTRY.get(env.REGISTRY.idFromName(fleet));
  for (const summary of summaries) await registry.upsert(summary);
}

/** GET /api/devices with the fleet's token, waiting out its rate limit as a polite script does. */
async function listPage(token: string, params: Record<string, string>): Promise<{ status: number; body: DevicePage & { error?: string } }> {
  for (;;) {
    const response = await exports.default.fetch(`http://w/api/devices?${new URLSearchParams(params)}`, { headers: { Authorization: `Bearer ${token}` } });
    if (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("Retry-After") ?? 1) * 1000));
      continue;
    }
    return { status: response.status, body: (await response.json()) as DevicePage & { error?: string } };
  }
}

/** Every page of a filtered list, following nextCursor; checks that total stays the same on every page. */
async function everyPage(token: string, filters: Record<string, string>, limit: number): Promise<{ devices: DeviceSummary[]; pages: number; total: number }> {
  const devices: DeviceSummary[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let total: number | undefined;
  do {
    const { status, body } = await listPage(token, { ...filters, limit: String(limit), ...(cursor && { cursor }) });
    expect(status, body.error).toBe(200);
    expect(body.devices.length).toBeLessThanOrEqual(limit);
    total ??= body.total;
    expect(body.total).toBe(total);
    devices.push(...body.devices);
    cursor = body.nextCursor;
    pages += 1;
  } while (cursor);
  return { devices, pages, total: total ?? 0 };
}

describe("the device list, a page at a time", () => {
  const FLEET = "paging";
  const fleet = generateFleet(FLEET, 230, 16);
  let token: string;

  it("pages through the whole fleet: every device exactly once, in id order, with total and no cursor on the last page", async () => {
    token = await createFleet(FLEET);
    await seed(FLEET, fleet);
    const { devices, pages, total } = await everyPage(token, {}, 40);
    expect(ids(devices)).toEqual(ids([...fleet].sort(byId)));
    expect(devices).toEqual([...fleet].sort(byId));
    expect(pages).toBe(Math.ceil(fleet.length / 40));
    expect(total).toBe(fleet.length);

    // An old caller without parameters gets the first page and the way on.
    const first = await listPage(token, {});
    expect(first.body.devices).toHaveLength(100);
    expect(first.body.nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ["status=online", { status: "online" }, (d: DeviceSummary) => statusOf(d) === "online"],
    ["status=alerting", { status: "alerting" }, (d: DeviceSummary) => statusOf(d) === "alerting"],
    ["status=offline", { status: "offline" }, (d: DeviceSummary) => !d.online],
    ["alerts=true", { alerts: "true" }, (d: DeviceSummary) => (d.alerts ?? []).some((a) => a.kind !== "offline")],
    ["a selector", { selector: "tag:lab,warehouse -board:nano jetpack:6" }, (d: DeviceSummary) => selects(parseSelector("tag:lab,warehouse -board:nano jetpack:6"), deviceAttributes(d))],
    ["text", { text: "CAM" }, (d: DeviceSummary) => d.id.includes("cam")],
    ["all together", { status: "online", selector: "-tag:all", text: "-0" }, (d: DeviceSummary) => statusOf(d) === "online" && !(d.tags ?? []).includes("all") && d.id.includes("-0")],
  ])("pages through the devices %s keeps, each once and in order", async (_name, filters, keeps) => {
    const expected = fleet.filter(keeps).sort(byId);
    expect(expected.length).toBeGreaterThan(10);
    const { devices, total } = await everyPage(token, filters as Record<string, string>, 7);
    expect(ids(devices)).toEqual(ids(expected));
    expect(total).toBe(expected.length);
  });

  it("refuses a cursor made for other filters, a garbage one, and bad parameters, with a reason", async () => {
    const first = await listPage(token, { status: "online", limit: "5" });
    const cursor = first.body.nextCursor ?? "";
    expect((await listPage(token, { status: "online", limit: "50", cursor })).status).toBe(200);
    const other = await listPage(token, { status: "offline", limit: "5", cursor });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatch(/cursor belongs to a list with other filters/);
    for (const garbage of ["garbage", "eyJhIjoxfQ", "%%%", cursor.slice(0, -3)]) {
      const refused = await listPage(token, { status: "online", cursor: garbage });
      expect(refused.status, garbage).toBe(400);
      expect(refused.body.error).toMatch(/cursor/);
    }
    const bad: Record<string, string>[] = [{ limit: "0" }, { limit: "501" }, { limit: "ten" }, { status: "busy" }, { alerts: "yes" }, { selector: "bord:nano" }, { colour: "red" }];
    for (const params of bad) {
      const refused = await listPage(token, params);
      expect(refused.status, JSON.stringify(params)).toBe(400);
      expect(refused.body.error).toMatch(/Invalid device list query|unknown key "bord"/);
    }
  });

  it("answers a selector of many alternatives, and refuses one that names too many values with the limit, never an engine error", async () => {
    // Each of these bound three SQL parameters before: 34 of them, 102, were past SQLite's 100.
    const versions = `jetpack:${Array(34).fill("6").join(",")}`;
    const answered = await listPage(token, { selector: versions });
    expect(answered.status, answered.body.error).toBe(200);
    expect(answered.body.total).toBe(fleet.filter((d) => selects(parseSelector("jetpack:6"), deviceAttributes(d))).length);

    const refusal = `The selector names 99 values; a selector may name at most ${MAX_SELECTOR_VALUES} values in all.`;
    const refused = await listPage(token, { selector: `id:${Array(99).fill("a").join(",")}` });
    expect(refused).toEqual({ status: 400, body: expect.objectContaining({ error: refusal }) });
    const tool = (await mcpRequest(token, "tools/call", { name: "list_devices", arguments: { selector: `tag:${Array(99).fill("a").join(",")}` } }, { waitOnRateLimit: true })).body.result;
    expect(tool?.isError).toBe(true);
    expect(tool?.content?.[0]?.text).toBe(refusal);
    expect(JSON.stringify(tool)).not.toMatch(/SQLITE|SQL variables/i);
  });

  it("list_devices pages with a cursor and says the total; a bad cursor is an error result", async () => {
    const call = async (args: Record<string, unknown>) => (await mcpRequest(token, "tools/call", { name: "list_devices", arguments: args }, { waitOnRateLimit: true })).body.result;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await call({ selector: "online:false", limit: 30, ...(cursor && { cursor }) });
      const page = result?.structuredContent as DevicePage;
      expect(page.total).toBe(fleet.filter((d) => !d.online).length);
      seen.push(...ids(page.devices));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids(fleet.filter((d) => !d.online).sort(byId)));

    const first = (await call({ limit: 3 }))?.structuredContent as DevicePage;
    const refused = await call({ status: "online", cursor: first.nextCursor });
    expect(refused?.isError).toBe(true);
    expect(refused?.content?.[0]?.text).toMatch(/cursor belongs to a list with other filters/);
  });

  it("jetson://devices holds the first page, the fleet's size and how to read on", async () => {
    const read = await mcpRequest(token, "resources/read", { uri: "jetson://devices" }, { waitOnRateLimit: true });
    const contents = read.body.result?.contents as Array<{ text: string }>;
    const body = JSON.parse(contents[0]?.text ?? "{}") as DevicePage & { more: string };
    expect(ids(body.devices)).toEqual(ids([...fleet].sort(byId).slice(0, 100)));
    expect(body.total).toBe(fleet.length);
    expect(body.more).toContain(`list_devices tool with cursor "${body.nextCursor}"`);
  });
});

/** Puts `fleet` in the registry, then checks that each selector's SQL chooses exactly what the selector language chooses. */
async function expectSqlChoosesAsTheLanguage(object: RegistryObject, fleet: readonly DeviceSummary[], selectors: readonly string[]): Promise<void> {
  for (const summary of fleet) await object.upsert(summary);
  for (const text of selectors) {
    const selector = parseSelector(text);
    const expected = fleet.filter((d) => selects(selector, deviceAttributes(d))).sort(byId);
    expect(ids((await object.select(selector)).devices), text).toEqual(ids(expected));
  }
}

describe("selectors answered in SQL", () => {
  it("choose exactly the devices the selector language chooses, over many generated fleets and selectors", async () => {
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("selector-sql"));
    await createFleet("selector-sql");
    const fleet = generateFleet("selector-sql", 400, 17);
    const selectors = generateSelectors(300, 18);
    await runInDurableObject(registry, (object) => expectSqlChoosesAsTheLanguage(object, fleet, selectors));
    // Not a degenerate comparison: the generated selectors choose many different sets.
    const sizes = new Set(await runInDurableObject(registry, (object) => Promise.all(selectors.map(async (s) => (await object.select(parseSelector(s))).devices.length))));
    expect(sizes.size).toBeGreaterThan(30);
  }, 30_000);

  it("answer the selectors built to make a backtracking matcher explode, over 63-character values, as the language does", async () => {
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("selector-adversarial"));
    const fleet: DeviceSummary[] = Array.from({ length: 100 }, (_, i) => ({
      id: `${"a".repeat(60)}${String(i).padStart(3, "0")}`,
      fleet: "selector-adversarial",
      online: true,
      tags: [ADVERSARIAL_VALUE],
      state: { hostname: "h", bridgeVersion: "0.1.0", capabilities: [], board: ADVERSARIAL_VALUE },
    }));
    await runInDurableObject(registry, async (object) => {
      await expectSqlChoosesAsTheLanguage(object, fleet, ADVERSARIAL_SELECTORS);
      // Values without * are compared whole, however long: SQLite refuses GLOB patterns over 50 bytes.
      const one = fleet[7]?.id ?? "";
      expect(ids((await object.select(parseSelector(`id:${one}`))).devices)).toEqual([one]);
      expect((await object.select(parseSelector(`tag:${ADVERSARIAL_VALUE} -board:${ADVERSARIAL_VALUE}`))).devices).toEqual([]);
      expect((await object.select(parseSelector(`tag:${ADVERSARIAL_VALUE}`))).devices.length).toBe(100);
    });
  });

  it("answer the largest selectors the language accepts under every list filter and a cursor, as the language does", async () => {
    // SQLite in a Durable Object binds at most 100 parameters and nests an expression at most 100 deep: the
    // deepest selectors are one term of every value and every value its own term, negated.
    const FLEET = "selector-largest";
    await createFleet(FLEET);
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName(FLEET));
    const fleet = generateFleet(FLEET, 60, 19);
    await seed(FLEET, fleet);
    const after = ids([...fleet].sort(byId))[3] ?? "";
    const largest = Object.entries(SELECTOR_VALUES).flatMap(([key, values]) => {
      const all = Array.from({ length: MAX_SELECTOR_VALUES }, (_, i) => values[i % values.length]);
      return [`-${key}:${all.join(",")}`, all.map((value) => `-${key}:${value}`).join(" ")];
    });
    for (const text of largest) {
      const selector = parseSelector(text);
      expect(selector.terms.flatMap((term) => term.values)).toHaveLength(MAX_SELECTOR_VALUES);
      const chosen = fleet.filter((d) => selects(selector, deviceAttributes(d))).sort(byId);
      expect(ids((await registry.select(selector)).devices), text).toEqual(ids(chosen));
      const kept = chosen.filter((d) => statusOf(d) === "alerting" && d.id.includes("-") && d.id > after);
      const page = await registry.list({ filter: { status: "alerting", alerts: true, selector, text: "-" }, after, limit: 5 });
      expect(ids(page.devices), text).toEqual(ids(kept.slice(0, 5)));
      expect(page.total, text).toBe(chosen.filter((d) => statusOf(d) === "alerting").length);
    }
  });

  it("follow a device's changes: a new tag, a new version, going offline", async () => {
    await createFleet("selector-follow");
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("selector-follow"));
    const base: DeviceSummary = { id: "cam-1", fleet: "selector-follow", online: true, tags: ["lab"], state: { hostname: "c", bridgeVersion: "0.1.0", capabilities: [], jetpack: "6.2" } };
    await registry.upsert(base);
    const chosen = async (text: string) => ids((await registry.select(parseSelector(text))).devices);
    expect(await chosen("tag:lab jetpack:6 online:true")).toEqual(["cam-1"]);
    await registry.upsert({ ...base, tags: ["warehouse"], online: false, state: { ...base.state!, jetpack: "5.1.2" } });
    expect(await chosen("tag:lab")).toEqual([]);
    expect(await chosen("tag:warehouse jetpack:5 online:false")).toEqual(["cam-1"]);
    await registry.remove("cam-1");
    expect(await chosen("*")).toEqual([]);
  });
});

describe("what completions and the drift report read, from indexed columns", () => {
  /** Each key's values as the selector language reads them from a summary, lower-cased as terms compare them. */
  const READ: Record<SelectorKey, (a: ReturnType<typeof deviceAttributes>) => Array<string | undefined>> = {
    id: (a) => [a.id],
    tag: (a) => a.tags,
    board: (a) => [a.board],
    soc: (a) => [a.soc],
    jetpack: (a) => [a.jetpack],
    l4t: (a) => [a.l4t],
    bridge: (a) => [a.bridge],
    online: (a) => [String(a.online)],
  };

  it("offer each selector key's distinct values in the fleet that start with what was typed, in order, at most the limit", async () => {
    const FLEET = "term-values";
    const fleet = generateFleet(FLEET, 230, 23);
    await seed(FLEET, fleet);
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName(FLEET));
    const termValues = async (key: SelectorKey, prefix: string, limit: number) => (await registry.termValues([{ key, prefix }], limit))[0];
    for (const [key, read] of Object.entries(READ) as Array<[SelectorKey, (typeof READ)[SelectorKey]]>) {
      const all = [...new Set(fleet.flatMap((summary) => read(deviceAttributes(summary))).flatMap((v) => (v === undefined ? [] : [v.toLowerCase()])))].sort();
      expect(await termValues(key, "", 1000), key).toEqual(all);
      for (const prefix of new Set(all.map((value) => value.slice(0, 2)))) {
        expect(await termValues(key, prefix, 1000), `${key}:${prefix}`).toEqual(all.filter((value) => value.startsWith(prefix)));
      }
      expect(await termValues(key, "", 2), key).toEqual(all.slice(0, 2));
    }
    expect(await termValues("board", "zz", 10)).toEqual([]);
  });

  it("complete a bare selector with every key's values from one registry request", async () => {
    const FLEET = "completion-requests";
    const fleet = generateFleet(FLEET, 40, 7);
    await seed(FLEET, fleet);
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName(FLEET));
    const counted = await runInDurableObject(registry, (instance) => {
      const prototype = Object.getPrototypeOf(instance) as typeof instance;
      const termValues = prototype.termValues;
      const calls = { count: 0, restore: () => void (prototype.termValues = termValues) };
      prototype.termValues = function (this: typeof instance, ...args: Parameters<typeof termValues>) {
        calls.count += 1;
        return termValues.apply(this, args);
      };
      return calls;
    });
    try {
      const offered = await new Completions(new Fleet(env, { fleet: FLEET, kind: "token", id: "t", scopes: ["read"] })).selectors("online:true ");
      const keysOffered = new Set(offered.map((term) => term.slice("online:true ".length).split(":")[0]));
      expect([...keysOffered].sort()).toEqual(Object.keys(READ).sort());
      expect(offered).toContain(`online:true id:${fleet[0]?.id}`);
      expect(counted.count).toBe(1);
    } finally {
      counted.restore();
    }
  });

  it("list the drifting devices only, and follow a device that stops drifting", async () => {
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("drifting"));
    const drift = [{ aspect: "powerMode", wanted: "mode 0", actual: "mode 2", reason: "changed on the device", since: 1 }] satisfies Drift[];
    await registry.upsert({ id: "cam-1", fleet: "drifting", online: true, drift });
    await registry.upsert({ id: "cam-2", fleet: "drifting", online: true, drift: [] });
    await registry.upsert({ id: "cam-3", fleet: "drifting", online: true });
    expect(ids((await registry.drifting()).devices)).toEqual(["cam-1"]);
    await registry.upsert({ id: "cam-1", fleet: "drifting", online: true, drift: [] });
    expect((await registry.drifting()).devices).toEqual([]);
  });
});
