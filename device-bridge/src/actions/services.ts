import type { ServiceStatus } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { type UnitVerb, unitCommand } from "../machine/systemctl-commands.js";
import { parseListUnits, parseShow, SHOW_PROPERTIES, serviceStatusFromShow } from "../parsers/systemctl.js";
import { runChecked } from "./run-checked.js";
import { ActionError } from "../action-error.js";
import { type ActionContext, type HandlerTable } from "./types.js";

/** What each verb changes, to tell whether it did anything. */
const CHANGES: Record<UnitVerb, (before: ServiceStatus, after: ServiceStatus) => boolean> = {
  start: (before, after) => before.activeState !== after.activeState || before.subState !== after.subState,
  stop: (before, after) => before.activeState !== after.activeState || before.subState !== after.subState,
  restart: () => true,
  enable: (before, after) => before.unitFileState !== after.unitFileState,
  disable: (before, after) => before.unitFileState !== after.unitFileState,
};

export const serviceHandlers = {
  "services.list": async ({ state }, { host }) => {
    const args = ["list-units", "--type=service", "--all", "--no-pager", "--plain", "--no-legend", ...(state ? [`--state=${state}`] : [])];
    const units = parseListUnits((await runChecked(host, "systemctl", args, { unprivileged: true, timeoutMs: 15_000 })).stdout);
    const count = (active: string) => units.filter((u) => u.active === active).length;
    return { units, counts: { total: units.length, active: count("active"), failed: count("failed") } };
  },

  "services.status": async ({ unit }, { host, workloads }) => unitStatus(host, unit, workloads.admin.services.includes(unit)),

  "services.start": (input, context) => changeUnit("start", input.unit, context),
  "services.stop": (input, context) => changeUnit("stop", input.unit, context),
  "services.restart": (input, context) => changeUnit("restart", input.unit, context),
  "services.enable": (input, context) => changeUnit("enable", input.unit, context),
  "services.disable": (input, context) => changeUnit("disable", input.unit, context),
} satisfies Partial<HandlerTable>;

async function changeUnit(verb: UnitVerb, unit: string, { host, workloads }: ActionContext) {
  const allowed = workloads.admin.services;
  // Refused before anything runs: the sudoers file would refuse it too, but the caller should learn why.
  if (!allowed.includes(unit)) {
    throw new ActionError(
      "permission_denied",
      `${unit} is not in this device's services.allow list (${allowed.length ? allowed.join(", ") : "empty"}), so it cannot be changed. ` +
        "To allow it, add it to services.allow in the bridge configuration and install the sudoers file again (jetson-bridge sudoers).",
    );
  }
  const before = await unitStatus(host, unit, true);
  if (!before.exists) throw new ActionError("invalid_input", `systemd has no unit ${unit} on this device (services_list shows the units it has).`);
  try {
    // systemctl waits for the job; systemd's default start and stop timeout is 90 s.
    await runChecked(host, "systemctl", unitCommand(verb, unit), { timeoutMs: 110_000 });
  } catch (error) {
    if (error instanceof ActionError && error.code === "handler_failed") {
      throw new ActionError("handler_failed", `${error.message} Its log: logs_journal with unit ${unit}.`);
    }
    throw error;
  }
  const after = await unitStatus(host, unit, true);
  const changed = CHANGES[verb](before, after);
  const state = `${after.activeState} (${after.subState})${after.unitFileState ? `, ${after.unitFileState}` : ""}`;
  return { unit, before, after, changed, message: `${changed ? `${unit} is now` : `Nothing to do: ${unit} was already`} ${state}.` };
}

/** One unit's state from `systemctl show`, run as the bridge's own user: reading needs no root. */
async function unitStatus(host: HostPort, unit: string, changeAllowed: boolean): Promise<ServiceStatus> {
  const args = ["show", "--no-pager", `--property=${SHOW_PROPERTIES.join(",")}`, "--", unit];
  const result = await runChecked(host, "systemctl", args, { unprivileged: true, timeoutMs: 15_000 });
  return { ...serviceStatusFromShow(unit, parseShow(result.stdout)), changeAllowed };
}
