import { z } from "zod";
import { UnitNameSchema } from "../sysadmin/names.js";
import { ServiceStatusSchema, ServiceUnitSchema } from "../sysadmin/payloads.js";
import { type ActionHints, defineAction, READ_ONLY } from "./define.js";

/** Changes what runs on the device; doing it twice is the same as once. */
const CONTROL: ActionHints = { readOnly: false, destructive: false, idempotent: true };

const ALLOWLIST =
  "Only units in the device's services.allow list (bridge configuration) can be changed; others are refused before systemctl runs. services.status says whether a unit may be changed (changeAllowed).";

export const servicesList = defineAction({
  name: "services.list",
  title: "List services",
  description:
    "Every systemd service unit systemd has loaded (systemctl list-units --type=service --all): load state, active state, sub-state and description. state narrows the list, e.g. failed.",
  schemas: () => ({
    input: z.object({
      state: z
        .enum(["active", "inactive", "failed", "running", "exited", "dead", "activating", "deactivating"])
        .optional()
        .describe("Only units in this active state or sub-state"),
    }),
    output: z.object({
      units: z.array(ServiceUnitSchema),
      counts: z.object({ total: z.number().int(), active: z.number().int(), failed: z.number().int() }),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 20_000,
});

export const servicesStatus = defineAction({
  name: "services.status",
  title: "Service status",
  description:
    "One unit's state from systemctl show: active and sub-state, enabled or not, main PID, since when, automatic restarts, how it last ended, memory, unit file, and whether this device lets it be changed. For its log, use logs_journal with unit.",
  schemas: () => ({
    input: z.object({ unit: UnitNameSchema }),
    output: ServiceStatusSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

const changed = z.object({
  unit: z.string(),
  before: ServiceStatusSchema,
  after: ServiceStatusSchema,
  changed: z.boolean().describe("False when the unit was already in the asked state"),
  message: z.string(),
});

function unitChange<Name extends string>(name: Name, title: string, what: string, hints: ActionHints) {
  return defineAction({
    name,
    title,
    description: `${what} ${ALLOWLIST}`,
    schemas: () => ({
      input: z.object({ unit: UnitNameSchema }),
      output: changed,
    }),
    hints,
    // systemctl waits for the job; systemd's default start and stop timeout is 90 s.
    defaultTimeoutMs: 120_000,
  });
}

export const servicesStart = unitChange("services.start", "Start a service", "Starts a unit now (systemctl start) and reports its state afterwards.", CONTROL);
export const servicesStop = unitChange("services.stop", "Stop a service", "Stops a unit now (systemctl stop); it starts again at boot if it is enabled.", CONTROL);
export const servicesRestart = unitChange("services.restart", "Restart a service", "Stops and starts a unit (systemctl restart), starting it if it was stopped.", {
  readOnly: false,
  destructive: false,
  idempotent: false,
});
export const servicesEnable = unitChange("services.enable", "Enable a service at boot", "Makes a unit start at boot (systemctl enable); it does not start it now.", CONTROL);
export const servicesDisable = unitChange("services.disable", "Disable a service at boot", "Stops a unit from starting at boot (systemctl disable); it does not stop it now.", CONTROL);

export const serviceActions = [servicesList, servicesStatus, servicesStart, servicesStop, servicesRestart, servicesEnable, servicesDisable] as const;
