import type { ActionDefinition, ConfirmedBy } from "@jetson/protocol";
import {
  CLIENT_CAPABILITIES_META_KEY,
  type CallToolResult,
  createRequestStateCodec,
  type InputRequiredResult,
  type McpRequestContext,
  inputRequired,
  inputResponse,
  type RequestStateCodec,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { newSecret } from "../credentials.js";
import type { Fleet } from "../fleet.js";
import { redact } from "../policy.js";
import { toolError } from "./tool-result.js";

/** Which MCP revision a request speaks: `legacy` is 2025-11-25 (and older), `modern` 2026-07-28. */
export type Era = McpRequestContext["era"];

/** How long the user has to answer a confirmation form before the call must be made again. */
export const CONFIRMATION_TTL_SECONDS = 120;
const INPUT_KEY = "confirm";
const MIN_SECRET_BYTES = 32;

/**
 * What the signed request state carries: digests of the exact call the user is asked about and of
 * the devices it named, and a nonce, so that the user's yes runs the call once.
 */
const StateSchema = z.object({ call: z.string(), devices: z.string(), once: z.string() });
type ConfirmationState = z.infer<typeof StateSchema>;

const ElicitingClientSchema = z.object({ [CLIENT_CAPABILITIES_META_KEY]: z.object({ elicitation: z.object({}).loose() }).loose() }).loose();

/** What the user is asked: the message states the devices, the action, its arguments and what cannot be undone. */
export interface ConfirmationQuestion {
  message: string;
  /** The action asked about and its arguments, as a refusal is audited. */
  action: string;
  args: Record<string, unknown>;
  /** Every device the call would reach when asked (the message may list only some): the answer holds while they stay the same, and a refusal is audited on each. */
  devices: readonly string[];
}

/** Either go on (with how the call was confirmed, if it was), or answer the client with `result` now. */
export type Gate = { proceed: true; confirmedBy: ConfirmedBy | undefined } | { proceed: false; result: CallToolResult | InputRequiredResult };

const stop = (result: CallToolResult | InputRequiredResult): Gate => ({ proceed: false, result });

/** JSON with object keys sorted at every level, so equal calls give equal digests. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function digest(value: unknown): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical(value)));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The one place a tool asks for, or accepts, the confirmation of a call that needs it.
 *
 * On 2026-07-28 the user is asked through the client (an elicitation form in an
 * `input_required` result); the request state that comes back is HMAC-signed with the
 * Worker's secret, bound to this caller and method, expires quickly, and names a digest
 * of the exact tool and arguments, so it cannot be replayed for another call, device or
 * caller, nor for the same call twice (its nonce is spent in the fleet's registry). It also names the devices the question named: when a selector chooses others by
 * the time the answer comes (a device joined or was retagged), nothing runs. A 2025-11-25 client cannot be asked (a stateless server never receives its
 * answer): its `confirm` argument counts, unless the fleet accepts only human confirmations.
 * Every refusal here is audited on each device the call would have reached.
 */
export class Confirmations {
  private readonly codec: RequestStateCodec<ConfirmationState> | undefined;

  constructor(
    readonly era: Era,
    private readonly fleet: Fleet,
    secret: string | undefined,
  ) {
    const caller = `${fleet.id}\0${fleet.callerName()}`;
    // The codec refuses a key under 32 bytes by throwing; a short secret must not take all of /mcp down with it.
    this.codec =
      secret === undefined || new TextEncoder().encode(secret).length < MIN_SECRET_BYTES
        ? undefined
        : createRequestStateCodec<ConfirmationState>({ key: secret, ttlSeconds: CONFIRMATION_TTL_SECONDS, bind: (ctx) => `${ctx.mcpReq.method}\0${caller}` });
  }

  /** The check the SDK runs on an echoed request state before the tool sees it (a failure answers -32602). */
  get verify(): ((state: string, ctx: ServerContext) => Promise<unknown>) | undefined {
    return this.codec?.verify;
  }

  /**
   * `question` is undefined when the call needs no confirmation; `confirmArgument` is what a
   * 2025-11-25 client sent as `confirm`.
   */
  async gate(ctx: ServerContext, tool: string, args: Record<string, unknown>, question: ConfirmationQuestion | undefined, confirmArgument?: boolean): Promise<Gate> {
    if (question === undefined) return { proceed: true, confirmedBy: undefined };
    return this.era === "legacy" ? this.legacy(question, confirmArgument === true) : this.modern(ctx, tool, args, question);
  }

  private async legacy(question: ConfirmationQuestion, confirmed: boolean): Promise<Gate> {
    // Unconfirmed, the call goes on to the policy, which refuses it and says how to confirm.
    if (!confirmed) return { proceed: true, confirmedBy: undefined };
    const { confirmations } = await this.fleet.settings();
    if (confirmations === "human-only") {
      return this.refuse(
        question,
        "Nothing ran: this fleet accepts the confirmation of a destructive action only from the user. This client speaks MCP 2025-11-25, " +
          'where the model itself sets "confirm"; a client of revision 2026-07-28 with elicitation asks the user instead.',
      );
    }
    return { proceed: true, confirmedBy: "flag" };
  }

  private async modern(ctx: ServerContext, tool: string, args: Record<string, unknown>, question: ConfirmationQuestion): Promise<Gate> {
    if (!this.codec) return this.refuse(question, `Nothing ran: this deployment cannot ask for confirmation (its MCP_STATE_SECRET is missing or shorter than ${MIN_SECRET_BYTES} bytes).`);
    const codec = this.codec;
    const asked: ConfirmationState = { call: await digest({ tool, args }), devices: await digest([...question.devices].sort()), once: newSecret(16) };
    const state = ctx.mcpReq.requestState<ConfirmationState>();
    if (state === undefined) return this.ask(ctx, codec, asked, question);
    if (!StateSchema.safeParse(state).success || state.call !== asked.call) {
      return this.refuse(question, "Nothing ran: the confirmation answers another call (a different tool, device or arguments). Make the call again to be asked.");
    }
    if (state.devices !== asked.devices) {
      return this.refuse(
        question,
        "Nothing ran: the devices this call reaches changed after the user was asked (a device joined, left or was retagged). Make the call again to be asked about the devices it reaches now.",
      );
    }
    const answer = inputResponse(ctx.mcpReq.inputResponses, INPUT_KEY);
    if (answer.kind !== "elicit") return this.ask(ctx, codec, asked, question);
    if (answer.action === "accept" && answer.content?.[INPUT_KEY] === true) {
      // A client that sends the answer again (a retry after a lost response) must not run the call again.
      if (!(await this.fleet.spendConfirmation(state.once, Date.now() + CONFIRMATION_TTL_SECONDS * 1000))) {
        return this.refuse(question, "Nothing ran: this confirmation was used already, and each runs its call once. Make the call again to be asked.");
      }
      return { proceed: true, confirmedBy: "human" };
    }
    return this.refuse(question, answer.action === "cancel" ? "Nothing ran: the user dismissed the confirmation." : "Nothing ran: the user declined.");
  }

  /** Asks the user through the client, with what they are asked about in a signed request state. */
  private async ask(ctx: ServerContext, codec: RequestStateCodec<ConfirmationState>, asked: ConfirmationState, question: ConfirmationQuestion): Promise<Gate> {
    if (!ElicitingClientSchema.safeParse(ctx.mcpReq.envelope ?? {}).success) {
      return this.refuse(question, "Nothing ran: this needs the user's confirmation, and this client does not declare elicitation, so it cannot ask them.");
    }
    return stop(
      inputRequired({
        inputRequests: {
          [INPUT_KEY]: inputRequired.elicit({
            message: question.message,
            requestedSchema: {
              type: "object",
              properties: { [INPUT_KEY]: { type: "boolean", title: "Run it", description: "Check to run exactly this; leave unchecked or decline to do nothing" } },
              required: [INPUT_KEY],
            },
          }),
        },
        requestState: await codec.mint(asked, ctx),
      }),
    );
  }

  /** Nothing runs: the caller is told why, and the refusal is audited on every device the call would have reached. */
  private async refuse(question: ConfirmationQuestion, message: string): Promise<Gate> {
    const error = { code: "permission_denied" as const, message };
    await Promise.all(question.devices.map((device) => this.fleet.auditRefusal(device, { action: question.action, args: question.args }, error)));
    return stop(toolError(message));
  }
}

const MAX_LISTED_DEVICES = 10;

/**
 * The question for one action on one or more devices: what runs where, with which arguments, and why it needs a yes;
 * `destructive` (the default) adds that it cannot be undone, which a change such as a power mode can be.
 */
export function actionQuestion(action: ActionDefinition, devices: string[], args: Record<string, unknown>, why: string, destructive = true): ConfirmationQuestion {
  const listed = devices.slice(0, MAX_LISTED_DEVICES).join(", ");
  const more = devices.length > MAX_LISTED_DEVICES ? ` and ${devices.length - MAX_LISTED_DEVICES} more` : "";
  const where = devices.length === 1 ? `on the device ${listed}` : `on ${devices.length} devices: ${listed}${more}`;
  const shown = Object.keys(args).length === 0 ? "no arguments" : `arguments ${JSON.stringify(redact(args))}`;
  return {
    message: `Run "${action.title}" (${action.name}) ${where}, with ${shown}? ${why}.${destructive ? " What it changes on a device cannot be undone from here." : ""}`,
    action: action.name,
    args,
    devices,
  };
}
