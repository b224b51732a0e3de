import { catalogue } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { aiHandlers } from "./ai.js";
import { containerHandlers } from "./containers.js";
import { gpioHandlers } from "./gpio.js";
import { handlers, SYSADMIN_AREAS } from "./index.js";
import { loadedOnFirstCall } from "./first-call.js";
import { sysadminHandlers } from "./sysadmin.js";
import type { ActionContext } from "./types.js";

const names = (table: object) => Object.keys(table).sort();

describe("handlers loaded on first call", () => {
  it("name every catalogued action once, each group exactly the actions its module handles", () => {
    expect(names(handlers)).toEqual(catalogue.map((action) => action.name).sort());
    expect(names(loadedOnFirstCall(["gpio"], async () => gpioHandlers))).toEqual(names(gpioHandlers));
    expect(names(loadedOnFirstCall(["containers"], async () => containerHandlers))).toEqual(names(containerHandlers));
    expect(names(loadedOnFirstCall(["ai"], async () => aiHandlers))).toEqual(names(aiHandlers));
    expect(names(loadedOnFirstCall(SYSADMIN_AREAS, async () => sysadminHandlers))).toEqual(names(sysadminHandlers));
  });

  it("load their module once, on the first call, and pass each call its input and context", async () => {
    let loads = 0;
    const calls: unknown[] = [];
    const status = { localTime: "Fri 2026-12-04 23:50:00 UTC", timezone: "Etc/UTC", ntpSynchronized: true };
    const table = loadedOnFirstCall(["time"], async () => {
      loads++;
      return {
        "time.status": async (input: Record<string, never>, context: ActionContext) => {
          calls.push([input, context.stateDir]);
          return status;
        },
      };
    });
    expect(loads).toBe(0);
    const context = { stateDir: "/state" } as ActionContext;
    const timeStatus = table["time.status"];
    expect(await Promise.all([timeStatus({}, context), timeStatus({}, context)])).toEqual([status, status]);
    expect(loads).toBe(1);
    expect(calls).toEqual([[{}, "/state"], [{}, "/state"]]);
  });
});
