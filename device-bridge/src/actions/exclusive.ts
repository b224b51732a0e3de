import { type ActionInput, type ActionName, isActionName } from "@jetson/protocol";
import { ActionError } from "../action-error.js";

const CLOCKS_AND_POWER = "the clocks and power mode";

/**
 * What an action changes that no other command may change while it runs, named as a refusal says
 * it. Overlapping, they undo each other: a second clocks.lock saves the first one's locked clocks as
 * the settings clocks.restore brings back; two downloads of one model write the same partial file;
 * a second bridge.update is cut off by the first one's restart.
 */
const EXCLUSIVE: { [N in ActionName]?: (input: ActionInput<N>) => string } = {
  "clocks.lock": () => CLOCKS_AND_POWER,
  "clocks.restore": () => CLOCKS_AND_POWER,
  "power.set": () => CLOCKS_AND_POWER,
  "power.reboot": () => CLOCKS_AND_POWER,
  "power.shutdown": () => CLOCKS_AND_POWER,
  "fan.set": () => "the fan",
  "ai.model_deploy": ({ name }) => `the model ${name}`,
  "ai.model_remove": ({ name }) => `the model ${name}`,
  "bridge.update": () => "the bridge version",
};

function exclusionOf<N extends ActionName>(action: N, input: ActionInput<N>): string | undefined {
  return EXCLUSIVE[action]?.(input);
}

/** What one device's running commands hold alone; a command that needs what another holds is refused, never queued behind it. */
export class Exclusions {
  private readonly held = new Map<string, { action: ActionName; id: string }>();

  /**
   * Holds what command `id` must hold alone until the returned release is called (once its handler
   * settled). `input` is what the action's own schema parsed. Throws a too_busy ActionError, naming
   * the command that holds it, while another does.
   */
  hold(id: string, action: string, input: unknown): () => void {
    if (!isActionName(action)) return () => undefined;
    const what = exclusionOf(action, input as ActionInput<typeof action>);
    if (what === undefined) return () => undefined;
    const holder = this.held.get(what);
    if (holder) throw new ActionError("too_busy", `${holder.action} is already changing ${what} (command ${holder.id}); try again when it has finished.`);
    this.held.set(what, { action, id });
    return () => this.held.delete(what);
  }
}
