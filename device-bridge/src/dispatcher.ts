import {
  type ActionDefinition,
  type ActionErrorBody,
  bridgeUpdate,
  CancelSchema,
  type Channel,
  type ChannelMessage,
  type Command,
  CommandSchema,
  findAction,
  parseActionInput,
  type Result,
} from "@jetson/protocol";
import { CommandDeadlines } from "./command-deadline.js";
import type { CommandJournal } from "./command-journal.js";
import { HostPortError, type HostPort } from "./host/port.js";
import { MessageTooLarge } from "./message-too-large.js";
import { ActionError } from "./action-error.js";
import { Exclusions } from "./actions/exclusive.js";
import { containerName } from "./containers/engine-schemas.js";
import { type ActionContext, type HandlerTable } from "./actions/types.js";
import type { Logger } from "./log.js";
import type { Workloads } from "./workloads.js";

/** Sends a message to the cloud; throws MessageTooLarge, having sent nothing, for one larger than the cloud takes. */
export type Send = <C extends Channel>(channel: C, message: ChannelMessage<C>) => void;

export interface DispatcherDeps {
  handlers: HandlerTable;
  journal: CommandJournal;
  host: HostPort;
  stateDir: string;
  bridgeVersion: string;
  workloads: Workloads;
  /** The actions this device runs (all, unless it is reached in a way that cannot run some); others are refused. */
  capabilities?: ReadonlySet<string>;
  send: Send;
  /** Reads the device's state and sends it; see ActionContext.reportState. */
  reportState(): Promise<void>;
  /**
   * The outcome of a command that an earlier process started and ended itself for (bridge.update
   * restarts into the new release), once this process knows it; undefined for any other command.
   */
  resume?(command: Command): Promise<Result | undefined>;
  log: Logger;
}

/** Why a running command's handler was told to stop: the cloud cancelled it, or the bridge is stopping (restarting for bridge.update). */
type Stop = "cancelled" | "bridge stopped" | "bridge restarted";

/** A command running here; `stop` is set once its handler is told to stop. */
interface Running {
  action: string;
  controller: AbortController;
  stop?: Stop;
}

/** How long a stop waits for the commands it stopped to be answered (their programs get SIGTERM, then SIGKILL). */
const ANSWERS_ON_STOP_MS = 10_000;

/**
 * Runs commands from the cloud. Every command that carries an id gets exactly
 * one result, whatever happens; a redelivered id is answered, never run again.
 */
export class Dispatcher {
  private readonly running = new Map<string, Running>();
  /** Each command being run, until it is answered (journalled and handed to the link). */
  private readonly answering = new Map<string, { action: string; answered: Promise<void> }>();
  private readonly deadlines = new CommandDeadlines();
  /** Set once abortAll began: the bridge is stopping, and starts nothing more. */
  private stopping = false;
  private readonly exclusions: Exclusions;

  constructor(private readonly deps: DispatcherDeps) {
    this.exclusions = new Exclusions(async (reference) => {
      const found = await deps.workloads.engine.inspectContainer(reference);
      return { id: found.Id, name: containerName(found.Name) };
    });
  }

  async handle(payload: Uint8Array): Promise<void> {
    const command = this.parse(payload);
    if (!command) return;
    if (this.stopping) {
      // Not acknowledged nor journalled: the cloud delivers it again to the bridge's next start, where it runs.
      return this.deps.log.info(`left command ${command.id} (${command.action}) for the bridge's next start: it came while the bridge stops`);
    }
    const { send, journal } = this.deps;
    if (this.running.has(command.id)) return send("ack", { id: command.id });
    const seen = journal.lookup(command.id);
    if (seen) {
      send("ack", { id: command.id });
      const resumed = seen.state === "started" ? await this.resumed(command) : undefined;
      if (resumed) return this.deliver(command.action, resumed);
      // Started by an earlier process that died before finishing: its effect is unknown, so never rerun it.
      return this.deliver(
        command.action,
        seen.state === "finished"
          ? seen.result
          : failure(command.id, Date.now(), {
              code: "handler_failed",
              message: `The bridge restarted while ${command.action} was running; it was not run again. Check the device's state before retrying.`,
            }),
      );
    }
    const answered = this.run(command);
    this.answering.set(command.id, { action: command.action, answered });
    try {
      await answered;
    } finally {
      this.answering.delete(command.id);
    }
  }

  /** Waits for a resumable command's outcome, journaled; a redelivery meanwhile is only acknowledged. */
  private async resumed(command: Command): Promise<Result | undefined> {
    if (!this.deps.resume) return undefined;
    this.running.set(command.id, { action: command.action, controller: new AbortController() });
    try {
      const result = await this.deps.resume(command);
      if (result) await this.journalled(result.id, this.deps.journal.finished(result));
      return result;
    } finally {
      this.running.delete(command.id);
    }
  }

  /** The cloud cancelled a command: abort its handler if it is running here; anything else is ignored. */
  cancel(payload: Uint8Array): void {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return this.deps.log.warn("dropped a cancel that is not JSON");
    }
    const parsed = CancelSchema.safeParse(json);
    const running = parsed.success ? this.running.get(parsed.data.id) : undefined;
    if (running) stop(running, "cancelled");
  }

  /**
   * Stops every running handler (the bridge is shutting down; with a bridge.update running, to restart into its
   * release), and resolves once each stopped command is answered, or after a grace: the process may then end
   * without losing their answers. The update that restarts the bridge is not waited for: it is what waits.
   */
  async abortAll(): Promise<void> {
    this.stopping = true;
    const restarting = [...this.running.values()].some((each) => each.action === bridgeUpdate.name);
    for (const running of this.running.values()) stop(running, restarting && running.action !== bridgeUpdate.name ? "bridge restarted" : "bridge stopped");
    const answers = [...this.answering.values()].filter(({ action }) => action !== bridgeUpdate.name).map(({ answered }) => answered.catch(() => undefined));
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(answers), new Promise((resolve) => (grace = setTimeout(resolve, ANSWERS_ON_STOP_MS)))]);
    clearTimeout(grace);
  }

  private parse(payload: Uint8Array): Command | undefined {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      this.deps.log.warn("dropped a command that is not JSON");
      return undefined;
    }
    const parsed = CommandSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    const id = CommandSchema.shape.id.safeParse((json as { id?: unknown } | null)?.id);
    if (id.success) {
      this.deps.send("result", failure(id.data, Date.now(), { code: "invalid_input", message: parsed.error.message }));
    } else {
      this.deps.log.warn("dropped a command without a valid id");
    }
    return undefined;
  }

  private async run(command: Command): Promise<void> {
    const { send, journal } = this.deps;
    const startedAt = Date.now();
    const reject = (error: ActionErrorBody) => send("result", failure(command.id, startedAt, error));
    if (this.deadlines.passed(command, startedAt)) {
      return reject({ code: "timed_out", message: `Not started: its deadline passed before it reached the device.` });
    }
    const action = findAction(command.action);
    const handler = (this.deps.handlers as Record<string, HandlerTable[keyof HandlerTable] | undefined>)[command.action];
    if (!action || !handler) {
      return reject({ code: "unknown_action", message: `This bridge has no action ${command.action}.` });
    }
    if (this.deps.capabilities && !this.deps.capabilities.has(action.name)) {
      return reject({ code: "not_supported", message: `${action.name} is not available on this device (see its capabilities).` });
    }
    const input = parseActionInput(action, command.args);
    if (!input.success) {
      return reject({ code: "invalid_input", message: `Invalid arguments for ${action.name}: ${input.error.message}` });
    }
    // Running from here: finding what it holds may ask the engine, and a redelivery meanwhile is only acknowledged.
    const running: Running = { action: action.name, controller: new AbortController() };
    this.running.set(command.id, running);
    let release: () => void;
    try {
      release = await this.exclusions.hold(command.id, action.name, input.data);
      if (running.stop === "cancelled") {
        release();
        throw new ActionError("cancelled", `${action.name} was cancelled before it started; nothing was done.`);
      }
    } catch (error) {
      this.running.delete(command.id);
      return this.answer(action.name, failure(command.id, startedAt, describeError(error)));
    }
    await this.journalled(command.id, journal.started(command.id));
    send("ack", { id: command.id });
    const context: ActionContext = {
      host: this.deps.host,
      stateDir: this.deps.stateDir,
      bridgeVersion: this.deps.bridgeVersion,
      workloads: this.deps.workloads,
      signal: running.controller.signal,
      progress: (done, total, message) => send("progress", { id: command.id, done, total, message }),
      reportState: this.deps.reportState,
    };
    let result: Result;
    try {
      // The input was parsed by this action's own schema, so the handler's parameter type holds.
      const data = await (handler as (input: unknown, context: ActionContext) => Promise<unknown>)(input.data, context);
      const output = action.output.safeParse(data);
      result = output.success
        ? { id: command.id, ok: true, data: output.data, startedAt, endedAt: Date.now() }
        : failure(command.id, startedAt, {
            code: "handler_failed",
            message: `Bridge bug: ${action.name} produced output that does not match its schema: ${output.error.message}`,
          });
    } catch (error) {
      // A handler that returned did what it does, stopped or not; one that threw after it was stopped was cut off by that.
      result = failure(command.id, startedAt, running.stop ? stopped(action, running.stop) : describeError(error));
    } finally {
      this.running.delete(command.id);
      release();
    }
    await this.answer(action.name, result);
  }

  /** The Worker's clock as a new connection's CONNACK gave it: a measure of this clock's offset before any command comes. */
  cloudClock(cloudNow: number): void {
    this.deadlines.observe(cloudNow);
  }

  /** Journals a command's result and sends it. */
  private async answer(action: string, result: Result): Promise<void> {
    await this.journalled(result.id, this.deps.journal.finished(result));
    await this.deliver(action, result);
  }

  /**
   * Sends a command's result. One larger than the cloud takes in one message is answered, and
   * journalled for a redelivery, with an error that says so: the command ran, only its answer could not go.
   */
  private async deliver(action: string, result: Result): Promise<void> {
    try {
      this.deps.send("result", result);
    } catch (error) {
      if (!(error instanceof MessageTooLarge)) throw error;
      const refused = failure(result.id, result.startedAt, {
        code: "handler_failed",
        message: `The result of ${action} was ${error.packetBytes} bytes, more than the ${error.maxPacketBytes} bytes a message to the cloud may carry, so it was not sent. Ask for less (a lower size limit, fewer lines or items).`,
      });
      await this.journalled(refused.id, this.deps.journal.finished(refused));
      this.deps.send("result", refused);
    }
  }

  /**
   * Waits for a journal write. One that fails (a full disk) is logged and the command goes on and is
   * answered: the journal still knows it in memory, so only a redelivery after a restart could run it again.
   */
  private async journalled(id: string, write: Promise<void>): Promise<void> {
    await write.catch((error: Error) =>
      this.deps.log.error(`could not write command ${id} to the command journal (${error.message}): a redelivery of it after the bridge restarts may not be recognised`),
    );
  }
}

/** Tells a running command's handler to stop, once, keeping the first reason. */
function stop(running: Running, why: Stop): void {
  running.stop ??= why;
  running.controller.abort();
}

/** The answer of a handler that threw once told to stop. */
function stopped(action: ActionDefinition, why: Stop): ActionErrorBody {
  if (why === "cancelled") return { code: "cancelled", message: `${action.name} was cancelled while it ran; its handler was stopped.` };
  const because = why === "bridge restarted" ? `the bridge restarted (${bridgeUpdate.name})` : "the bridge stopped";
  const next = action.hints.readOnly ? "run it again." : "it may have done part of its work, so check the state of the device before running it again.";
  return { code: "handler_failed", message: `${action.name} was stopped because ${because} while it ran; ${next}` };
}

function failure(id: string, startedAt: number, error: ActionErrorBody): Result {
  return { id, ok: false, error, startedAt, endedAt: Date.now() };
}

function describeError(error: unknown): ActionErrorBody {
  if (error instanceof ActionError) return { code: error.code, message: error.message };
  if (error instanceof HostPortError) {
    return { code: error.reason === "not_found" ? "not_supported" : "invalid_input", message: error.message };
  }
  return { code: "handler_failed", message: error instanceof Error ? error.message : String(error) };
}
