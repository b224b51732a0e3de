import { type ActionDefinition, aiModelList, catalogue, containersList, powerModes, SelectorSchema, servicesList } from "@jetson/protocol";
import type { z } from "zod";
import type { Fleet } from "../fleet.js";
import { FleetOps } from "../fleet-ops/fleet-ops.js";
import { termInProgress } from "../fleet-ops/selector.js";

/** MCP answers at most 100 completion values. */
const MAX_VALUES = 100;
/** A completion asks the device only briefly: an answer after the user typed on is worth nothing. */
const DEVICE_TIMEOUT_MS = 3_000;
const RECENT_RUNS = 50;
/** A selector is no longer than its schema allows: nothing longer is completed, nor completed to. */
const MAX_SELECTOR_CHARS = SelectorSchema.maxLength ?? Infinity;

type Complete = (value: string, context?: { arguments?: Record<string, string> }) => Promise<string[]>;

const startingWith = (prefix: string, values: Iterable<string>) => [...new Set(values)].filter((v) => v.startsWith(prefix)).slice(0, MAX_VALUES);

/**
 * What prompt arguments and resource-template variables complete to. Fleet-wide values come
 * from the registry's indexed columns (no summary is read); a device's own (power modes, units, containers, models) from a read-only
 * action on it, run as this caller (and audited like any call), and nothing when it is offline.
 */
export class Completions {
  private readonly ops: FleetOps;

  constructor(private readonly fleet: Fleet) {
    this.ops = new FleetOps(fleet);
  }

  readonly devices: Complete = async (prefix) => this.fleet.deviceIds(prefix, MAX_VALUES);

  readonly runs: Complete = async (prefix) => startingWith(prefix, (await this.ops.runs(RECENT_RUNS)).map((r) => r.id));

  readonly actions: Complete = async (prefix) => startingWith(prefix, catalogue.map((a) => a.name));

  /** Completes the selector's last term: `online:true tag:wa` → `online:true tag:warehouse`. */
  readonly selectors: Complete = async (typed) => {
    if (typed.length > MAX_SELECTOR_CHARS) return [];
    const cut = typed.lastIndexOf(" ") + 1;
    const [before, last] = [typed.slice(0, cut), typed.slice(cut)];
    // A leading `-` negates the term: complete what follows it.
    const sign = last.startsWith("-") ? "-" : "";
    const wanted = termInProgress(last.slice(sign.length));
    const values = await this.fleet.termValues(wanted, MAX_VALUES);
    const terms = wanted.flatMap(({ key }, i) => (values[i] ?? []).map((value) => `${key}:${value}`));
    return terms
      .sort()
      .map((term) => `${before}${sign}${term}`)
      .filter((selector) => selector.length <= MAX_SELECTOR_CHARS)
      .slice(0, MAX_VALUES);
  };

  /** Power modes by id and by name (`0`, `MAXN`), as the device's nvpmodel.conf lists them. */
  readonly powerModes: Complete = this.fromDevice(powerModes, (data) => data.modes.flatMap((m) => [String(m.id), m.name]));

  readonly units: Complete = this.fromDevice(servicesList, (data) => data.units.map((u) => u.unit));

  readonly containers: Complete = this.fromDevice(containersList, (data) => data.containers.map((c) => c.name));

  readonly models: Complete = this.fromDevice(aiModelList, (data) => data.models.map((m) => m.name));

  private fromDevice<Output extends z.ZodObject>(action: ActionDefinition<string, z.ZodObject, Output>, pick: (data: z.output<Output>) => string[]): Complete {
    return async (prefix, context) => {
      const device = context?.arguments?.device;
      if (!device) return [];
      const outcome = await this.fleet.invoke(device, { action: action.name, args: {}, timeoutMs: DEVICE_TIMEOUT_MS });
      const parsed = outcome.ok ? action.output.safeParse(outcome.data) : undefined;
      return parsed?.success ? startingWith(prefix, pick(parsed.data)) : [];
    };
  }
}
