import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { DeviceSummary } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { AlarmScheduler } from "../src/device/alarm-scheduler.js";
import { DEVICE_SCHEMAS } from "../src/device/device-object.js";
import { DeviceStore } from "../src/device/store.js";
import { FIGURES_EVERY_MS, RETRY_AFTER_MS, SummaryPublisher } from "../src/device/summary-publisher.js";
import { migrate } from "../src/sqlite-migrations.js";

const figures = (t: number, hottestC: number): DeviceSummary["latest"] => ({ t, hottestC });

/**
 * A publisher over a device object's own storage and alarm, as the object wires it, writing to a registry
 * that can be made unreachable; `rebuilt()` is the publisher a rebuilt object (after hibernation or
 * eviction) has: the same storage, nothing in memory.
 */
function publishers(ctx: DurableObjectState) {
  migrate(ctx.storage, DEVICE_SCHEMAS);
  const now = Date.now();
  const current: DeviceSummary = { id: "pm", fleet: "local", online: true, lastSeen: now, latest: figures(now, 50) };
  const registry: { writes: DeviceSummary[]; down: boolean } = { writes: [], down: false };
  const rebuilt = () =>
    new SummaryPublisher(
      async () => structuredClone(current),
      async (summary) => {
        if (registry.down) throw new Error("registry unreachable");
        registry.writes.push(summary);
      },
      new DeviceStore(ctx.storage.sql),
      new AlarmScheduler(ctx.storage, { publish: () => undefined }),
      FIGURES_EVERY_MS,
    );
  const publishDue = () => ctx.storage.sql.exec<{ due: number }>("SELECT due FROM alarm_duties WHERE name = 'publish'").toArray()[0]?.due;
  return { current, registry, rebuilt, publishDue };
}

describe("what the summary publisher keeps in memory between telemetry batches", () => {
  it("sends at once a change whose send failed, even with figures alone after it", () =>
    runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("local/pm-failed")), async (_instance, ctx) => {
      const { current, registry, rebuilt, publishDue } = publishers(ctx);
      const publisher = rebuilt();
      await publisher.publish();
      await publisher.refresh(false);
      expect(registry.writes).toHaveLength(1);

      current.tags = ["warehouse"];
      registry.down = true;
      const failedAt = Date.now();
      // The caller (a device's message) goes on; the alarm tries again within the retry window.
      await publisher.publish();
      expect(registry.writes).toHaveLength(1);
      expect(publishDue()).toBeGreaterThanOrEqual(failedAt + RETRY_AFTER_MS);
      expect(publishDue()).toBeLessThanOrEqual(Date.now() + 2 * RETRY_AFTER_MS);
      registry.down = false;
      current.latest = figures(Date.now(), 51);
      await publisher.refresh(false);

      expect(registry.writes).toHaveLength(2);
      expect(registry.writes[1]).toMatchObject({ tags: ["warehouse"], latest: { hottestC: 51 } });
    }));

  it("holds figures alone back after the object is rebuilt, and still sends an alert at once", () =>
    runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("local/pm-rebuilt")), async (_instance, ctx) => {
      const { current, registry, rebuilt, publishDue } = publishers(ctx);
      await rebuilt().publish();
      const sentAt = new DeviceStore(ctx.storage.sql).published()?.at ?? 0;

      current.latest = figures(Date.now(), 52);
      const afterRebuild = rebuilt();
      await afterRebuild.refresh(false);
      await afterRebuild.refresh(false);
      expect(registry.writes).toHaveLength(1);
      expect(publishDue()).toBe(sentAt + FIGURES_EVERY_MS);

      current.alerts = [{ kind: "temperature", since: Date.now(), value: 90, message: "hot" }];
      await afterRebuild.refresh(true);
      expect(registry.writes).toHaveLength(2);
      expect(registry.writes[1]?.alerts?.map((alert) => alert.kind)).toEqual(["temperature"]);
    }));
});
