import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { DesiredStateRule, DesiredStatus, DeviceSummary } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { DESIRED_RULES_SCHEMA, DesiredRules, MAX_DESIRED_RULES } from "../src/fleet-ops/desired-rules.js";
import { parseSelector } from "../src/fleet-ops/selector.js";
import { REGISTRY_SCHEMAS, RegistryObject } from "../src/registry/registry-object.js";
import { migrate, schemaVersion } from "../src/sqlite-migrations.js";
import { createFleet } from "./device-client.js";
import { withControlledClock } from "./frozen-clock.js";
import { rest } from "./rest-call.js";

const registry = (fleet: string) => env.REGISTRY.get(env.REGISTRY.idFromName(fleet));
const device = (fleet: string, id: string, tags: string[] = []): DeviceSummary => ({ id, fleet, online: true, tags });

async function provision(token: string, id: string): Promise<void> {
  const response = await exports.default.fetch("http://w/api/devices", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id }),
  });
  expect(response.status).toBe(201);
}

describe("a fleet's desired-state rules", () => {
  it(`are at most ${MAX_DESIRED_RULES}: a new one past that is refused with the limit, writing nothing, while existing ones still change`, async () => {
    const FLEET = "desired-cap";
    const token = await createFleet(FLEET);
    await provision(token, "cam-new");
    await runInDurableObject(registry(FLEET), async (object: RegistryObject) => {
      for (let i = 0; i < MAX_DESIRED_RULES; i++) await object.setDesiredRule(parseSelector(`id:dev-${i}`), { clocksLocked: true }, "test");
    });
    const rules = async () => (await rest<{ rules: DesiredStateRule[] }>(token, "GET", "/api/desired-state")).body.rules;
    expect(await rules()).toHaveLength(MAX_DESIRED_RULES);

    const refusal = `This fleet holds ${MAX_DESIRED_RULES} desired-state rules, the most it may; withdraw one (an empty state for its selector) or declare a selector that chooses several devices, then try again.`;
    expect(await rest(token, "PUT", "/api/devices/cam-new/desired-state", { powerModeId: 1 })).toEqual({ status: 409, body: { error: refusal } });
    expect(await rest(token, "PUT", "/api/desired-state", { selector: "tag:lab", state: { powerModeId: 1 } })).toEqual({ status: 409, body: { error: refusal } });
    const kept = await rules();
    expect(kept).toHaveLength(MAX_DESIRED_RULES);
    expect(kept.some((rule) => rule.selector === "tag:lab" || rule.selector === "id:cam-new")).toBe(false);
    expect((await rest<DesiredStatus>(token, "GET", "/api/devices/cam-new/desired-state")).body).toMatchObject({ desired: {}, rules: [] });

    // A rule the fleet holds still changes; one withdrawn makes room.
    expect((await rest(token, "PUT", "/api/desired-state", { selector: "id:dev-7", state: { powerModeId: 2 } })).status).toBe(200);
    expect((await rest(token, "PUT", "/api/desired-state", { selector: "id:dev-8", state: {} })).status).toBe(200);
    const set = await rest<DesiredStatus>(token, "PUT", "/api/devices/cam-new/desired-state", { powerModeId: 1 });
    expect(set).toMatchObject({ status: 200, body: { desired: { powerModeId: 1 }, rules: ["id:cam-new"] } });
  }, 60_000);

  it("find each device's own rules among thousands, merged with the selectors that choose it in the order they were declared", async () => {
    const FLEET = "desired-own";
    await createFleet(FLEET);
    const cam = device(FLEET, "cam-1", ["lab"]);
    await runInDurableObject(registry(FLEET), async (object: RegistryObject, state) => {
      const rules = new DesiredRules(state.storage.sql);
      for (let i = 0; i < 1_500; i++) rules.set(parseSelector(`id:dev-${i}`), { powerModeId: 9 }, 1_000 + i, "test");
      rules.set(parseSelector("tag:lab"), { powerModeId: 1, fan: { pwmPct: 40 } }, 10, "test");
      rules.set(parseSelector("id:cam-1"), { powerModeId: 2 }, 20, "test");
      rules.set(parseSelector("id:cam-*"), { fan: { profile: "quiet" } }, 30, "test");
      rules.set(parseSelector("id:cam-1,cam-2"), { clocksLocked: true }, 40, "test");
      rules.set(parseSelector("-id:cam-1"), { powerModeId: 5 }, 50, "test");

      expect(await object.desiredFor(cam)).toMatchObject({
        state: { powerModeId: 2, fan: { pwmPct: 40, profile: "quiet" }, clocksLocked: true },
        rules: ["tag:lab", "id:cam-1", "id:cam-*", "id:cam-1,cam-2"],
      });
      expect(await object.desiredFor(device(FLEET, "dev-1234"))).toMatchObject({ state: { powerModeId: 9 }, rules: ["-id:cam-1", "id:dev-1234"] });
    });

    // Rules declared later, through the registry as the Worker declares them, are found at once.
    const fleet = registry(FLEET);
    await withControlledClock(async (advance) => {
      await fleet.setDesiredRule(parseSelector("tag:lab"), { powerModeId: 3 }, "test");
      advance(1);
      await fleet.setDesiredRule(parseSelector("id:cam-1"), { clocksLocked: false }, "test");
    });
    expect(await fleet.desiredFor(cam)).toMatchObject({
      state: { powerModeId: 3, fan: { profile: "quiet" }, clocksLocked: false },
      rules: ["id:cam-*", "id:cam-1,cam-2", "tag:lab", "id:cam-1"],
    });
    await fleet.removeDesiredRule("id:cam-1");
    await fleet.removeDesiredRule("id:cam-*");
    expect(await fleet.desiredFor(cam)).toMatchObject({ state: { powerModeId: 3, clocksLocked: true }, rules: ["id:cam-1,cam-2", "tag:lab"] });
  }, 60_000);
});

describe("desired-state rules written before a device's own were indexed", () => {
  it("gain the device column, filled for the rules that name one device, and each device still finds its own", async () => {
    await runInDurableObject(registry("old-desired-fleet"), async (_object, state) => {
      const sql = state.storage.sql;
      migrate(state.storage, REGISTRY_SCHEMAS.map((schema) => (schema === DESIRED_RULES_SCHEMA ? { ...schema, migrations: schema.migrations.slice(0, 2) } : schema)));
      const insert = (selector: string, state: object, at: number) =>
        sql.exec(
          "INSERT INTO desired_rules (selector, terms, state, updated_at, updated_by) VALUES (?, ?, ?, ?, 'token:old')",
          selector,
          JSON.stringify(parseSelector(selector).terms),
          JSON.stringify(state),
          at,
        );
      insert("id:cam-1", { powerModeId: 2 }, 2);
      insert("tag:lab", { powerModeId: 1 }, 1);
      insert("id:cam-*", { clocksLocked: true }, 3);

      const started = new RegistryObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);

      expect(schemaVersion(sql, DESIRED_RULES_SCHEMA.name)).toBe(DESIRED_RULES_SCHEMA.migrations.length);
      expect(sql.exec("SELECT selector, device FROM desired_rules ORDER BY selector").toArray()).toEqual([
        { selector: "id:cam-*", device: null },
        { selector: "id:cam-1", device: "cam-1" },
        { selector: "tag:lab", device: null },
      ]);
      expect(await started.desiredFor(device("old-desired-fleet", "cam-1", ["lab"]))).toMatchObject({
        state: { powerModeId: 2, clocksLocked: true },
        rules: ["tag:lab", "id:cam-1", "id:cam-*"],
      });
      expect(await started.desiredFor(device("old-desired-fleet", "cam-2"))).toMatchObject({ state: { clocksLocked: true }, rules: ["id:cam-*"] });
    });
  });
});
