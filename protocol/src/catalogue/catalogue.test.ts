import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { READ_ONLY } from "./define.js";
import { catalogue, defineAction, destructiveReason, findAction, parseActionInput, RESERVED_ARGUMENTS } from "./index.js";

const run = promisify(execFile);

describe("the action catalogue", () => {
  it("has unique names that map to MCP tool names", () => {
    const names = catalogue.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+\.[a-z_]+$/);
    const toolNames = names.map((n) => n.replaceAll(".", "_"));
    expect(new Set(toolNames).size).toBe(names.length);
  });

  it.each(catalogue.map((a) => [a.name, a] as const))("%s is fully described", (_name, action) => {
    expect(action.title.length).toBeGreaterThan(3);
    expect(action.description.length).toBeGreaterThan(20);
    expect(action.defaultTimeoutMs).toBeGreaterThan(0);
    expect(z.toJSONSchema(action.input, { io: "input" })).toMatchObject({ type: "object" });
    expect(z.toJSONSchema(action.output)).toMatchObject({ type: "object" });
    for (const reserved of RESERVED_ARGUMENTS) expect(Object.keys(action.input.shape)).not.toContain(reserved);
    // A destructive action cannot also claim to be read-only, and only a non-destructive one names destructive arguments.
    expect(action.hints.readOnly && action.hints.destructive).toBe(false);
    expect(action.destructiveWhen !== undefined && (action.hints.readOnly || action.hints.destructive)).toBe(false);
  });

  it("says which calls need confirmation: every destructive action, and containers.run on the host's network", () => {
    const run = (args: Record<string, unknown>) => destructiveReason(findAction("containers.run")!, { image: "nginx:1", ...args });
    expect(destructiveReason(findAction("power.reboot")!, {})).toBe("power.reboot is destructive");
    expect(run({ network: "host" })).toMatch(/^containers\.run is destructive with network "host"/);
    expect(run({ network: "Host" })).toMatch(/host's network/);
    for (const network of [undefined, "bridge", "none", "hostnet"]) expect(run({ network }), network).toBeUndefined();
    // Arguments the device would refuse anyway are not judged by what they ask.
    expect(run({ network: "host", privileged: true })).toBeUndefined();
    expect(destructiveReason(findAction("system.ping")!, {})).toBeUndefined();
  });

  it("asks for confirmation of the host's network in every action that takes a container's network", () => {
    const takesNetwork = catalogue.filter((action) => action.input instanceof z.ZodObject && "network" in action.input.shape);
    expect(takesNetwork.map((action) => action.name)).toEqual(expect.arrayContaining(["containers.run", "ai.serve"]));
    const required: Record<string, Record<string, unknown>> = { "containers.run": { image: "nginx:1" }, "ai.serve": { model: "m.onnx", image: "nginx:1" } };
    for (const action of takesNetwork) {
      expect(destructiveReason(action, { ...required[action.name], network: "host" }), action.name).toMatch(/host's network/);
    }
  });

  it("takes a power mode by id or by name, exactly one, as the cloud and the device both check it", () => {
    const input = (name: string, args: unknown) => {
      const action = findAction(name);
      if (!action) throw new Error(`no ${name}`);
      const parsed = parseActionInput(action, args);
      return parsed.success ? "ok" : parsed.error.issues.map((i) => i.message).join("; ");
    };
    expect(input("power.set", { id: 2 })).toBe("ok");
    expect(input("power.set", { name: "MODE_15W" })).toBe("ok");
    expect(input("power.set", { id: 2, name: "MODE_15W" })).toBe("give either id or name, not both");
    expect(input("power.set", {})).toBe("give either id or name, not both");
    expect(input("power.reboot", {})).toBe("ok");
    expect(input("power.reboot", { powerModeName: "maxn" })).toBe("ok");
    expect(input("power.reboot", { powerModeId: 0, powerModeName: "MAXN" })).toBe("give powerModeId or powerModeName, not both");
    expect(findAction("power.set")?.description).toMatch(/Ids differ per board.*should name the mode/);
  });

  it("finds actions by name and nothing else", () => {
    expect(findAction("system.info")?.name).toBe("system.info");
    expect(findAction("system.info; reboot")).toBeUndefined();
    expect(findAction("__proto__")).toBeUndefined();
  });
});

describe("the catalogue's schemas", () => {
  it("are built when an action's input or output is first read, once", () => {
    let builds = 0;
    const action = defineAction({
      name: "test.lazy",
      title: "Lazy",
      description: "An action whose schemas count their builds.",
      schemas: () => {
        builds++;
        return { input: z.object({ n: z.number() }), output: z.object({ ok: z.boolean() }) };
      },
      hints: READ_ONLY,
      defaultTimeoutMs: 1_000,
    });
    expect(builds).toBe(0);
    expect(action.input.parse({ n: 1 })).toEqual({ n: 1 });
    expect(action.output).toBe(action.output);
    expect(builds).toBe(1);
  });

  it("cost a bridge no heap until it runs an action: importing the catalogue builds none of them", async () => {
    // A fresh process, its heap collected before and after every action's schemas are read.
    const script = `
      const { catalogue } = await import(${JSON.stringify(fileURLToPath(new URL("./index.ts", import.meta.url)))});
      globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      for (const action of catalogue) void [action.input, action.output];
      globalThis.gc();
      process.stdout.write(String(process.memoryUsage().heapUsed - before));`;
    const { stdout } = await run(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script]);
    // About 0.8 MB on Node 20; nothing when the import had built them already.
    expect(Number(stdout)).toBeGreaterThan(400_000);
  });
});
