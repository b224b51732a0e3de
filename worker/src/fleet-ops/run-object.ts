import { DurableObject } from "cloudflare:workers";
import type { FleetRun } from "@jetson/protocol";
import type { Env } from "../env.js";
import { newCommandId } from "../credentials.js";
import { deviceStub, Fleet, registryStub } from "../fleet.js";
import { nextStep } from "./run-policy.js";
import { migrate } from "../sqlite-migrations.js";
import { RUN_RETENTION_MS } from "./run-index.js";
import { RUN_SCHEMA, type RunSpec, RunStore, startingBrief } from "./run-store.js";

/**
 * One alarm starts devices for this long, then hands over to the next alarm once the
 * devices it started have answered. With per-device timeouts capped at 5 minutes, an
 * alarm stays well inside the 15 minutes an alarm handler may run.
 */
const START_BUDGET_MS = 5 * 60_000;

/**
 * The run crosses RPC as JSON text: RPC stub types keep only serializable fields,
 * and a device's result is `unknown`. The Worker parses it with FleetRunSchema.
 */
export interface RunWatch {
  run: string | undefined;
  version: number;
}

/**
 * One fleet run (named `<fleet>/<run id>`): its record, and its driver. The
 * alarm drives it, not the request that started it, so it goes on when that
 * caller goes away. Each device's command goes through Fleet as the caller who
 * started the run: scopes, confirmation and the audit trail apply per device.
 */
export class FleetRunObject extends DurableObject<Env> {
  private readonly store: RunStore;
  /** Devices whose command this instance is awaiting. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly watchers = new Set<() => void>();
  /** Its storage was deleted (RUN_RETENTION_MS after it ended): this instance answers as if it never existed. */
  private deleted = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RunStore(ctx.storage);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, [RUN_SCHEMA]);
      // A run that ended before runs were deleted has no alarm for it yet.
      if (this.store.ended && this.store.spec() && (await ctx.storage.getAlarm()) === null) await this.expireAfterEnd();
    });
  }

  async start(spec: RunSpec, devices: Array<{ device: string; canary: boolean }>): Promise<string | undefined> {
    if (!this.store.spec()) {
      // Listed before it exists: a run the fleet's list could not note never starts, so a retry cannot run the action twice.
      await registryStub(this.env, spec.fleet).noteRun(startingBrief(spec, devices.length));
      this.store.create(spec, devices);
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.view();
  }

  async view(): Promise<string | undefined> {
    return this.deleted ? undefined : wire(this.store.view());
  }

  /** Answers once the run has changed since `version` (or has ended), or after `timeoutMs`: a long poll for progress. */
  async watch(version: number, timeoutMs: number): Promise<RunWatch> {
    if (this.deleted) return { run: undefined, version };
    if (this.store.version <= version && !this.store.ended) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.watchers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        this.watchers.add(done);
      });
    }
    return { run: await this.view(), version: this.store.version };
  }

  /**
   * Stops the run: no device starts after this, and the commands in flight are cancelled on
   * their devices (each then reads `failed` with a `cancelled` error). A run that has ended stays as it is.
   */
  async cancel(by: string): Promise<string | undefined> {
    if (!this.deleted && this.store.spec() && !this.store.ended) {
      const spec = this.store.spec();
      this.store.end("cancelled", `Cancelled by ${by}.`, Date.now());
      this.changed();
      await this.index();
      await this.expireAfterEnd();
      // With the action: a command still on its way to its device (being admitted) is refused when it arrives.
      if (spec) await Promise.all(this.store.running().map(({ device, commandId }) => deviceStub(this.env, spec.fleet, device).cancel(commandId, by, spec.action)));
    }
    return this.view();
  }

  override async alarm(): Promise<void> {
    const spec = this.deleted ? undefined : this.store.spec();
    if (!spec) return;
    if (this.store.ended) {
      if (Date.now() < (this.store.endedAt ?? 0) + RUN_RETENTION_MS) return this.expireAfterEnd();
      await this.ctx.storage.deleteAll();
      this.deleted = true;
      return;
    }
    this.store.interrupt(new Set(this.inFlight.keys()), Date.now());
    const fleet = new Fleet(this.env, spec.caller);
    const stopStarting = Date.now() + START_BUDGET_MS;
    for (;;) {
      // Cancelled while this alarm awaited its devices.
      if (this.store.ended) return;
      const step = nextStep(spec, this.store.progress());
      if ("end" in step) {
        this.store.end(step.end, step.reason, Date.now());
        this.changed();
        await this.index();
        await this.expireAfterEnd();
        return;
      }
      if (Date.now() < stopStarting) for (const device of step.start) this.launch(fleet, spec, device);
      if (this.inFlight.size === 0) break;
      await Promise.race(this.inFlight.values());
    }
    await this.ctx.storage.setAlarm(Date.now());
  }

  private launch(fleet: Fleet, spec: RunSpec, device: string): void {
    const commandId = newCommandId();
    this.store.markRunning(device, commandId, Date.now());
    this.changed();
    const call = { action: spec.action, args: spec.args, timeoutMs: spec.timeoutMs, confirmedBy: spec.confirmedBy, via: spec.id, commandId };
    const work = fleet
      .invoke(device, call)
      .catch((error: Error) => ({ ok: false as const, error: { code: "unavailable" as const, message: `The run could not reach the device: ${error.message}` } }))
      .then((outcome) => {
        this.store.finish(device, outcome, Date.now());
        this.changed();
      })
      .finally(() => this.inFlight.delete(device));
    this.inFlight.set(device, work);
  }

  /** An ended run's record goes RUN_RETENTION_MS after it ended: the alarm then deletes the object's storage. */
  private async expireAfterEnd(): Promise<void> {
    await this.ctx.storage.setAlarm((this.store.endedAt ?? Date.now()) + RUN_RETENTION_MS);
  }

  private changed(): void {
    for (const wake of [...this.watchers]) wake();
  }

  /** The fleet's list of runs learns of this one when it starts and when it ends. */
  private async index(): Promise<void> {
    const brief = this.store.brief();
    const spec = this.store.spec();
    if (brief && spec) await registryStub(this.env, spec.fleet).noteRun(brief);
  }
}

function wire(run: FleetRun | undefined): string | undefined {
  return run && JSON.stringify(run);
}
