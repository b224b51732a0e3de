import { type ActionInput, type ActionName, bridgeUpdate, findAction, isActionName } from "@jetson/protocol";
import { ActionError } from "../action-error.js";

const CLOCKS_AND_POWER = "the clocks and power mode";
const PACKAGE_MANAGER = "the package manager";

/** What a command holds alone, and whether it changes it or reads it (either way, no other command may hold it meanwhile). */
interface Held {
  what: string;
  verb: "changing" | "using";
}
/** A container as the command names it: held as the container the engine finds by that reference, by its name and its id alike. */
interface HeldContainer {
  container: string;
  verb: "changing";
}
const changes = (what: string): Held => ({ what, verb: "changing" });
const changesContainer = (container: string): HeldContainer => ({ container, verb: "changing" });
const changesModel = (name: string) => changes(`the model ${name}`);
const usesModel = (name: string): Held => ({ what: `the model ${name}`, verb: "using" });

/**
 * What an action holds alone while it runs, named as a refusal says it: what it changes, or a model it
 * reads. Overlapping, they undo each other: a second clocks.lock saves the first one's locked clocks
 * as the settings clocks.restore brings back; two downloads of one model write the same partial file;
 * a second bridge.update is cut off by the first one's restart; a second apt-get waits on dpkg's lock,
 * then fails naming someone else; a stop during a restart of one container is undone by the restart's
 * start; a removal takes a model from under a benchmark or a server being started.
 */
type Exclusion = Held | HeldContainer;

const EXCLUSIVE: { [N in ActionName]?: (input: ActionInput<N>) => Exclusion | Exclusion[] | undefined } = {
  "clocks.lock": () => changes(CLOCKS_AND_POWER),
  "clocks.restore": () => changes(CLOCKS_AND_POWER),
  "power.set": () => changes(CLOCKS_AND_POWER),
  "power.reboot": () => changes(CLOCKS_AND_POWER),
  "power.shutdown": () => changes(CLOCKS_AND_POWER),
  "fan.set": () => changes("the fan"),
  "packages.refresh": () => changes(PACKAGE_MANAGER),
  "packages.install": () => changes(PACKAGE_MANAGER),
  "packages.remove": () => changes(PACKAGE_MANAGER),
  "packages.upgrade": () => changes(PACKAGE_MANAGER),
  "containers.start": ({ container }) => changesContainer(container),
  "containers.stop": ({ container }) => changesContainer(container),
  "containers.restart": ({ container }) => changesContainer(container),
  "containers.remove": ({ container }) => changesContainer(container),
  // Without a name the engine picks a new one, which no other command can be naming yet.
  "containers.run": ({ name }) => (name === undefined ? undefined : changesContainer(name)),
  "ai.model_deploy": ({ name }) => changesModel(name),
  "ai.model_remove": ({ name }) => changesModel(name),
  "ai.benchmark": ({ model }) => usesModel(model),
  // A named server is a container being made: a command on that name meanwhile would act on it half made.
  "ai.serve": ({ model, name }) => (name === undefined ? usesModel(model) : [usesModel(model), changesContainer(name)]),
  "bridge.update": () => changes("the bridge version"),
};

function exclusionsOf<N extends ActionName>(action: N, input: ActionInput<N>): Exclusion[] {
  return [EXCLUSIVE[action]?.(input) ?? []].flat();
}

/** The container a reference means (by name or id prefix), as the engine names it; undefined when there is none. */
export type IdentifyContainer = (reference: string) => Promise<{ id: string; name: string } | undefined>;

/** The command that holds something, as a refusal names it. */
interface Holder {
  action: ActionName;
  id: string;
  verb: Held["verb"];
  what: string;
}

/** What one device's running commands hold alone; a command that needs what another holds is refused, never queued behind it. */
export class Exclusions {
  private readonly held = new Map<string, Holder>();
  /** The running commands that change the device (their catalogue hints say they are not read-only): each one's action by its id. */
  private readonly changing = new Map<string, ActionName>();

  constructor(private readonly identifyContainer: IdentifyContainer) {}

  /**
   * Holds what command `id` must hold alone until the returned release is called (once its handler
   * settled). `input` is what the action's own schema parsed. Rejects with a too_busy ActionError,
   * naming the command that holds it, while another does.
   */
  async hold(id: string, action: string, input: unknown): Promise<() => void> {
    if (!isActionName(action)) return () => undefined;
    const held: Array<{ keys: string[]; entry: Holder }> = [];
    for (const exclusion of exclusionsOf(action, input as ActionInput<typeof action>)) {
      const { what, keys } = "container" in exclusion ? await this.containerKeys(exclusion.container) : { what: exclusion.what, keys: [exclusion.what] };
      held.push({ keys, entry: { action, id, verb: exclusion.verb, what } });
    }
    const holder = held.flatMap(({ keys }) => keys.map((key) => this.held.get(key))).find((entry) => entry !== undefined);
    if (holder) throw new ActionError("too_busy", `${holder.action} is already ${holder.verb} ${holder.what} (command ${holder.id}); try again when it has finished.`);
    const changes = findAction(action)?.hints.readOnly === false;
    if (changes) this.refuseBesideRestart(action);
    for (const { keys, entry } of held) for (const key of keys) this.held.set(key, entry);
    if (changes) this.changing.set(id, action);
    return () => {
      for (const { keys } of held) for (const key of keys) this.held.delete(key);
      this.changing.delete(id);
    };
  }

  /**
   * bridge.update restarts the bridge, which stops every command running then: a change stopped halfway
   * (an install, a pull) is worse than a refusal, so bridge.update is refused while one runs and none
   * starts while it runs. A read-only command is only stopped, and answered that the restart stopped it.
   */
  private refuseBesideRestart(action: ActionName): void {
    for (const [id, running] of this.changing) {
      // A second bridge.update was refused already, by the bridge version the first one holds.
      if (action === bridgeUpdate.name) {
        throw new ActionError("too_busy", `${running} is changing the device (command ${id}), and ${action} would stop it halfway when it restarts the bridge; try again when it has finished.`);
      }
      if (running === bridgeUpdate.name) {
        throw new ActionError("too_busy", `${running} is about to restart the bridge (command ${id}), which would stop ${action} halfway; try again when the update has finished.`);
      }
    }
  }

  /** One container named by a name, a short id or a long one holds the same keys; one not there yet (a run's new name) its name. */
  private async containerKeys(reference: string): Promise<{ what: string; keys: string[] }> {
    const found = await this.identifyContainer(reference).catch(() => undefined);
    if (found === undefined) return { what: `the container ${reference}`, keys: [`the container ${reference}`] };
    return { what: `the container ${found.name}`, keys: [`the container ${found.name}`, `the container with id ${found.id}`] };
  }
}
