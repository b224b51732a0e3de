import type { DesiredState } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { DeviceAway, type DeviceCall, reconcile } from "./desired-state.js";
import type { InvokeOutcome } from "./invoke.js";

type Answer = (args: Record<string, unknown>) => InvokeOutcome;
const ok = (data: unknown): InvokeOutcome => ({ ok: true, data, startedAt: 1, endedAt: 2 });
const refused = (message: string): InvokeOutcome => ({ ok: false, error: { code: "invalid_input", message } });

/** A device answering each action from a table, recording what it was asked. */
function fakeDevice(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const call: DeviceCall = async (action, args) => {
    calls.push(Object.keys(args).length ? `${action} ${JSON.stringify(args)}` : action);
    const answer = answers[action];
    return answer ? answer(args) : refused(`unexpected ${action}`);
  };
  return { call, calls };
}

const mode = (id: number, name: string) => ({ id, name });
const clocks = (lockedAtMax: boolean) => ({ cpus: [], lockedAtMax });
const fan = (pwmPct: number) => ({ pwm: Math.round((pwmPct / 100) * 255), pwmPct });

describe("keeping the desired state", () => {
  it("changes only what differs, power mode before the clock lock", async () => {
    const device = fakeDevice({
      "power.get": () => ok(mode(0, "MAXN")),
      "power.set": ({ id }) => ok({ requested: mode(1, "5W"), previous: mode(0, "MAXN"), current: mode(Number(id), "5W"), changed: true, rebootRequired: false, message: "Switched" }),
      "clocks.status": () => ok(clocks(false)),
      "clocks.lock": () => ok({ status: clocks(true), saved: true }),
      "fan.get": () => ok(fan(40)),
    });
    const desired: DesiredState = { powerModeId: 1, clocksLocked: true, fan: { pwmPct: 40 } };
    expect(await reconcile(desired, device.call, [], 1_000)).toEqual([]);
    expect(device.calls).toEqual(["power.get", 'power.set {"id":1}', "clocks.status", "clocks.lock", "fan.get"]);
  });

  it("reports what the device refused as drift, keeping when it began", async () => {
    const device = fakeDevice({
      "power.get": () => ok(mode(0, "MAXN")),
      "power.set": () => refused("No power mode 7 on this board (valid: 0 MAXN, 1 5W)."),
    });
    const [drift] = await reconcile({ powerModeId: 7 }, device.call, [], 1_000);
    expect(drift).toEqual({
      aspect: "powerMode",
      item: undefined,
      wanted: "mode 7",
      actual: "MAXN (mode 0)",
      reason: "power.set: No power mode 7 on this board (valid: 0 MAXN, 1 5W).",
      since: 1_000,
    });
    const again = await reconcile({ powerModeId: 7 }, device.call, drift ? [drift] : [], 5_000);
    expect(again[0]?.since).toBe(1_000);
  });

  it("reports a mode that needs a reboot", async () => {
    const device = fakeDevice({
      "power.get": () => ok(mode(2, "MODE_30W")),
      "power.set": () => ok({ requested: mode(0, "MAXN"), previous: mode(2, "MODE_30W"), current: mode(2, "MODE_30W"), changed: false, rebootRequired: true, message: "needs reboot" }),
    });
    const drift = await reconcile({ powerModeId: 0 }, device.call, [], 1);
    expect(drift.map((d) => [d.aspect, d.item, d.reason])).toEqual([["powerMode", undefined, expect.stringContaining("power.reboot with powerModeId 0")]]);
  });

  it("sets the nvfancontrol profile with fan.set, before a speed", async () => {
    const daemon = (profile: string) => ({ running: true, profile, defaultProfile: profile, profiles: ["quiet", "cool"] });
    const device = fakeDevice({
      "fan.get": () => ok({ ...fan(30), nvfancontrol: daemon("quiet") }),
      "fan.set": ({ profile }) => ok({ ...fan(30), nvfancontrol: daemon(String(profile)) }),
    });
    expect(await reconcile({ fan: { profile: "cool" } }, device.call, [], 1)).toEqual([]);
    expect(device.calls).toEqual(["fan.get", 'fan.set {"profile":"cool"}']);
    const held = fakeDevice({ "fan.get": () => ok({ ...fan(30), nvfancontrol: daemon("cool") }) });
    expect(await reconcile({ fan: { profile: "cool" } }, held.call, [], 1)).toEqual([]);
    expect(held.calls).toEqual(["fan.get"]);
  });

  it("reports a profile the device refused, and gives a JetPack 4 fan back to temp_control", async () => {
    const refusing = fakeDevice({
      "fan.get": () => ok({ ...fan(30), nvfancontrol: { running: true, profile: "quiet", profiles: ["quiet", "cool"] } }),
      "fan.set": () => refused("/etc/nvfancontrol.conf has no profile turbo; it lists quiet, cool."),
    });
    expect(await reconcile({ fan: { profile: "turbo" } }, refusing.call, [], 1)).toEqual([
      { aspect: "fan", item: "profile", wanted: "turbo", actual: "quiet", reason: "fan.set: /etc/nvfancontrol.conf has no profile turbo; it lists quiet, cool.", since: 1 },
    ]);
    const nano = fakeDevice({
      "fan.get": () => ok({ ...fan(60), targetPwm: 153, tempControl: false }),
      "fan.set": () => ok({ ...fan(60), targetPwm: 153, tempControl: true }),
    });
    expect(await reconcile({ fan: { profile: "temp_control" } }, nano.call, [], 1)).toEqual([]);
    expect(nano.calls).toEqual(["fan.get", 'fan.set {"profile":"temp_control"}']);
  });

  it("holds a JetPack 4 fan speed by the target it was set to while the fan ramps there", async () => {
    // What the bridge answers on the Nano (pwm-fan): cur_pwm is still 0 right after target_pwm was written.
    let nano = { pwm: 0, pwmPct: 0, targetPwm: 0, rpm: 0, tempControl: false };
    const device = fakeDevice({
      "fan.get": () => ok(nano),
      "fan.set": ({ pwmPct }) => {
        nano = { ...nano, targetPwm: Math.round((Number(pwmPct) / 100) * 255) };
        return ok(nano);
      },
    });
    expect(await reconcile({ fan: { pwmPct: 40 } }, device.call, [], 1)).toEqual([]);
    nano = { ...nano, pwm: 51, pwmPct: 20 };
    expect(await reconcile({ fan: { pwmPct: 40 } }, device.call, [], 2)).toEqual([]);
    expect(device.calls).toEqual(["fan.get", 'fan.set {"pwmPct":40}', "fan.get"]);
  });

  it("keeps temp_control and reports a fixed speed asked beside it, instead of switching between them each pass", async () => {
    const device = fakeDevice({
      "fan.get": () => ok({ ...fan(30), targetPwm: 77, tempControl: true }),
      "fan.set": () => ok({ ...fan(30), targetPwm: 102, tempControl: false }),
    });
    expect(await reconcile({ fan: { profile: "temp_control", pwmPct: 40 } }, device.call, [], 1)).toEqual([
      {
        aspect: "fan",
        item: "pwmPct",
        wanted: "40%",
        actual: "30%",
        reason: "A fixed speed turns temp_control off, so the fan cannot keep both: the desired state should give either profile temp_control or pwmPct.",
        since: 1,
      },
    ]);
    expect(device.calls).toEqual(["fan.get"]);
  });

  it("pulls and runs a missing container, starts a stopped one, and leaves one on another image alone", async () => {
    const device = fakeDevice({
      "containers.list": () =>
        ok({
          containers: [
            { id: "1", name: "stopped", image: "docker.io/library/nginx:latest", state: "exited", status: "Exited", ports: [], gpu: false },
            { id: "2", name: "other", image: "redis:7", state: "running", status: "Up", ports: [], gpu: false },
          ],
        }),
      "containers.start": ({ container }) => ok({ container, state: "running", changed: true }),
      "containers.images": () => ok({ images: [] }),
      "containers.pull": ({ image }) => ok({ image, id: "sha", sizeBytes: 1 }),
      "containers.run": ({ name }) => ok({ id: "3", name, state: "running", warnings: [] }),
    });
    const drift = await reconcile(
      { containers: [{ name: "stopped", image: "nginx" }, { name: "missing", image: "dustynv/ollama:r36.4.0" }, { name: "other", image: "redis:8" }] },
      device.call,
      [],
      1,
    );
    expect(device.calls).toEqual([
      'containers.list {"all":true}',
      'containers.start {"container":"stopped"}',
      "containers.images",
      'containers.pull {"image":"dustynv/ollama:r36.4.0"}',
      'containers.run {"image":"dustynv/ollama:r36.4.0","name":"missing","restart":"unless-stopped"}',
    ]);
    expect(drift).toEqual([expect.objectContaining({ aspect: "containers", item: "other", actual: "redis:7 running", reason: expect.stringContaining("destructive") })]);
  });

  it("stops when the device goes offline part-way", async () => {
    const device = fakeDevice({ "power.get": () => ({ ok: false, error: { code: "device_offline", message: "gone" } }) });
    await expect(reconcile({ powerModeId: 1 }, device.call, [], 1)).rejects.toBeInstanceOf(DeviceAway);
  });
});
