import {
  type ActionName,
  type ActionOutput,
  type CatalogueEntry,
  type DesiredState,
  type Drift,
  type DriftAspect,
  findAction,
  noSuchAction,
  pwmPercent,
} from "@jetson/protocol";
import type { z } from "zod";
import type { InvokeOutcome } from "./invoke.js";

/** Runs one action on the device through its ledger, as any command does. */
export type DeviceCall = (action: ActionName, args: Record<string, unknown>, timeoutMs: number) => Promise<InvokeOutcome>;

/** The device went away part-way: the comparison starts over on its next connection, and the drift found before stands. */
export class DeviceAway extends Error {}

/** The device refused or failed an action: what was being fixed becomes drift, with the device's reason. */
class Refused extends Error {}

type Finding = Omit<Drift, "since">;
type Input<N extends ActionName> = z.input<Extract<CatalogueEntry, { name: N }>["input"]>;

/** fan.set takes a percentage and the fan a 0-255 PWM: a reading within this of the wish is the wish. */
const PWM_TOLERANCE_PCT = 1;

class Device {
  constructor(private readonly call: DeviceCall) {}

  async run<N extends ActionName>(name: N, args: Input<N>): Promise<ActionOutput<N>> {
    const action = findAction(name);
    if (!action) throw new Refused(noSuchAction(name));
    const outcome = await this.call(name, args, action.defaultTimeoutMs);
    if (!outcome.ok) {
      if (outcome.error.code === "device_offline") throw new DeviceAway(outcome.error.message);
      throw new Refused(`${name}: ${outcome.error.message}`);
    }
    // Checked against the action's own output schema, which is where ActionOutput comes from.
    return action.output.parse(outcome.data) as ActionOutput<N>;
  }
}

/**
 * Brings one thing in line: `body` reads what the device has (noting it with `seen`),
 * fixes it if it differs, and answers why it still differs, or undefined when it holds.
 */
async function settle(
  aspect: DriftAspect,
  item: string | undefined,
  wanted: string,
  body: (seen: (actual: string) => void) => Promise<string | undefined>,
): Promise<Finding[]> {
  let actual: string | undefined;
  try {
    const reason = await body((value) => {
      actual = value;
    });
    return reason === undefined ? [] : [{ aspect, item, wanted, actual, reason }];
  } catch (error) {
    if (error instanceof Refused) return [{ aspect, item, wanted, actual, reason: error.message }];
    throw error;
  }
}

type Aspect = (desired: DesiredState, device: Device) => Promise<Finding[]>;

const mode = (m: { id: number; name: string }) => `${m.name} (mode ${m.id})`;
const locked = (isLocked: boolean) => (isLocked ? "locked at maximum" : "not locked");

const powerMode: Aspect = async ({ powerModeId: want }, device) => {
  if (want === undefined) return [];
  return settle("powerMode", undefined, `mode ${want}`, async (seen) => {
    const current = await device.run("power.get", {});
    seen(mode(current));
    if (current.id === want) return undefined;
    const result = await device.run("power.set", { id: want });
    seen(mode(result.current));
    if (result.rebootRequired) return `Power mode ${want} takes effect only after a reboot: power.reboot with powerModeId ${want} switches to it.`;
    return result.current.id === want ? undefined : result.message;
  });
};

const clocks: Aspect = async ({ clocksLocked: want }, device) => {
  if (want === undefined) return [];
  return settle("clocks", undefined, locked(want), async (seen) => {
    const status = await device.run("clocks.status", {});
    seen(locked(status.lockedAtMax));
    if (status.lockedAtMax === want) return undefined;
    const after = want ? await device.run("clocks.lock", {}) : await device.run("clocks.restore", {});
    seen(locked(after.status.lockedAtMax));
    return after.status.lockedAtMax === want ? undefined : `jetson_clocks ran, but the clocks are ${want ? "still not" : "still"} locked at maximum.`;
  });
};

type FanStatus = ActionOutput<"fan.get">;

/** JetPack 4's one profile: pwm-fan's temp_control, which a fixed speed turns off. */
const TEMP_CONTROL = "temp_control";

/** Who drives the fan, in fan.set's profile words: nvfancontrol's profile, or pwm-fan's temp_control (JetPack 4). */
function fanProfile({ nvfancontrol, tempControl }: FanStatus): string {
  if (nvfancontrol) return nvfancontrol.running ? (nvfancontrol.profile ?? "no profile") : "nvfancontrol stopped";
  return tempControl ? TEMP_CONTROL : "a fixed speed";
}

/** The speed the fan is set to, in %: pwm-fan's target where it has one, its PWM ramping there for seconds after fan.set. */
function setPct({ pwmPct, targetPwm }: FanStatus): number {
  return targetPwm === undefined ? pwmPct : pwmPercent(targetPwm);
}

/** The profile first: a profile set restarts nvfancontrol, which then overrides a fixed speed (fan.set warns). */
const fan: Aspect = async ({ fan: want }, device) => {
  if (!want) return [];
  let status: FanStatus | undefined;
  const read = async () => (status ??= await device.run("fan.get", {}));
  const findings: Finding[] = [];
  const profile = want.profile;
  if (profile !== undefined) {
    findings.push(
      ...(await settle("fan", "profile", profile, async (seen) => {
        const now = fanProfile(await read());
        seen(now);
        if (now === profile) return undefined;
        status = await device.run("fan.set", { profile });
        const after = fanProfile(status);
        seen(after);
        return after === profile ? undefined : `The fan runs ${after} after fan.set.`;
      })),
    );
  }
  const pwmPct = want.pwmPct;
  if (pwmPct !== undefined) {
    findings.push(
      ...(await settle("fan", "pwmPct", `${pwmPct}%`, async (seen) => {
        const now = await read();
        seen(`${setPct(now)}%`);
        // Each would undo the other on every pass; the profile, applied first, is kept.
        if (profile === TEMP_CONTROL) {
          return `A fixed speed turns temp_control off, so the fan cannot keep both: the desired state should give either profile ${TEMP_CONTROL} or pwmPct.`;
        }
        if (Math.abs(setPct(now) - pwmPct) <= PWM_TOLERANCE_PCT) return undefined;
        const after = await device.run("fan.set", { pwmPct });
        seen(`${setPct(after)}%`);
        // nvfancontrol sets its own speed again: fan.set says so, and that is drift no action here can end.
        if (after.warning) return after.warning;
        return Math.abs(setPct(after) - pwmPct) <= PWM_TOLERANCE_PCT ? undefined : `The fan is set to ${setPct(after)}% after fan.set.`;
      })),
    );
  }
  return findings;
};

/** Docker shortens references: nginx is docker.io/library/nginx:latest. */
function sameImage(a: string, b: string): boolean {
  const normal = (ref: string) => {
    const bare = ref.replace(/^(docker\.io\/(library\/)?|localhost\/)/, "");
    return /[:@][^/]*$/.test(bare) ? bare : `${bare}:latest`;
  };
  return normal(a) === normal(b);
}

const containers: Aspect = async ({ containers: wanted }, device) => {
  if (!wanted?.length) return [];
  let listed: ActionOutput<"containers.list">["containers"];
  try {
    listed = (await device.run("containers.list", { all: true })).containers;
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return wanted.map((want) => ({ aspect: "containers", item: want.name, wanted: `${want.image} running`, reason: error.message }));
  }
  let images: string[] | undefined;
  const findings: Finding[] = [];
  for (const want of wanted) {
    findings.push(
      ...(await settle("containers", want.name, `${want.image} running`, async (seen) => {
        const found = listed.find((c) => c.name === want.name);
        seen(found ? `${found.image} ${found.state}` : "absent");
        if (found && !sameImage(found.image, want.image)) {
          return `${want.name} runs ${found.image}. Replacing a container is destructive: remove it (containers.remove) and it is started again from ${want.image}.`;
        }
        if (found?.state === "running") return undefined;
        if (found) {
          const started = await device.run("containers.start", { container: want.name });
          seen(`${found.image} ${started.state}`);
          return started.state === "running" ? undefined : `containers.start left it ${started.state}.`;
        }
        images ??= (await device.run("containers.images", {})).images.flatMap((image) => image.tags);
        if (!images.some((tag) => sameImage(tag, want.image))) await device.run("containers.pull", { image: want.image });
        const created = await device.run("containers.run", { image: want.image, name: want.name, restart: "unless-stopped" });
        seen(`${want.image} ${created.state}`);
        return created.state === "running" ? undefined : `containers.run left it ${created.state}.`;
      })),
    );
  }
  return findings;
};

/** In this order: a power mode change ends a clock lock, so the lock comes after it. */
const ASPECTS: readonly Aspect[] = [powerMode, clocks, fan, containers];

/**
 * Compares the device with its desired state and fixes each difference with the
 * catalogued actions; answers what still differs. A difference seen before keeps
 * its `since`. Throws DeviceAway if the device left part-way.
 */
export async function reconcile(desired: DesiredState, call: DeviceCall, previous: Drift[], now: number): Promise<Drift[]> {
  const device = new Device(call);
  const findings: Finding[] = [];
  for (const aspect of ASPECTS) findings.push(...(await aspect(desired, device)));
  return findings.map((finding) => ({
    ...finding,
    since: previous.find((p) => p.aspect === finding.aspect && p.item === finding.item)?.since ?? now,
  }));
}
