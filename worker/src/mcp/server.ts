import { createMcpHandler, type McpRequestContext, McpServer } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import { type Fleet, FleetError } from "../fleet.js";
import { registerActionTools } from "./action-tools.js";
import { registerAppPanel } from "./app-panel.js";
import { registerAuditResource } from "./audit-resource.js";
import { boundedStream } from "./bounded-stream.js";
import { Completions } from "./completions.js";
import { Confirmations, type Era } from "./confirmation.js";
import { FleetEventBus } from "./event-bus.js";
import { registerFleetOpsResources } from "./fleet-ops-resources.js";
import { registerFleetOpsTools } from "./fleet-ops-tools.js";
import { registerFleetTools } from "./fleet-tools.js";
import { registerPortTools } from "./port-tools.js";
import { registerPrompts } from "./prompts.js";
import { invalidParams } from "./request-params.js";
import { registerResources } from "./resources.js";
import { SchemaRefusals } from "./schema-refusals.js";
import { registerTaskPrompts } from "./task-prompts.js";
import { registerTaskMethods, TaskCalls } from "./tasks.js";
import { registerTelemetryTools } from "./telemetry-tools.js";

const SERVER_INFO = { name: "jetson-fleet", version: "0.2.0" };

/**
 * 2026-07-28 clients may listen for resource updates (`subscriptions/listen`); 2025-11-25 clients
 * keep what they had: list changes only, as a stateless Worker has no session to push them on.
 */
const CAPABILITIES: Record<Era, { resources?: { subscribe: true } }> = {
  modern: { resources: { subscribe: true } },
  legacy: {},
};

/** What a listen stream may hold for a client that stopped reading before it is dropped. */
const LISTEN_BACKLOG_BYTES = 64 * 1024;

/**
 * Every tool, resource and prompt, defined once for both protocol revisions; the era decides
 * the capabilities and how a destructive call is confirmed (confirmation.ts).
 */
function buildServer(fleet: Fleet, refusals: SchemaRefusals, confirmations: Confirmations, tasks: TaskCalls): McpServer {
  const server = new McpServer(SERVER_INFO, {
    // ajv (the default validator) compiles code from strings, which workerd forbids.
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    // logging: 2025-11-25 clients may set a log level (the conformance suite requires the answer); nothing is logged to them yet.
    capabilities: { logging: {}, ...CAPABILITIES[confirmations.era] },
    ...(confirmations.verify ? { requestState: { verify: confirmations.verify } } : {}),
  });
  registerFleetTools(server, fleet);
  registerTelemetryTools(server, fleet);
  registerPortTools(server, fleet);
  const complete = new Completions(fleet);
  registerResources(server, fleet, complete);
  registerPrompts(server, fleet, complete);
  registerTaskPrompts(server, complete);
  registerActionTools(server, fleet, refusals, confirmations, tasks);
  registerAuditResource(server, fleet);
  registerFleetOpsTools(server, fleet, refusals, confirmations, tasks);
  registerFleetOpsResources(server, fleet, complete);
  registerTaskMethods(server, tasks);
  registerAppPanel(server);
  return server;
}

/** Builds the server for one request of either era. */
const serverFactory =
  (fleet: Fleet, refusals: SchemaRefusals, tasks: TaskCalls) =>
  ({ era }: McpRequestContext): McpServer =>
    buildServer(fleet, refusals, new Confirmations(era, fleet, fleet.env.MCP_STATE_SECRET), tasks);

/**
 * Answers one MCP POST, 2026-07-28 or 2025-11-25 alike, statelessly: the handler
 * builds a server for this request only (a Worker keeps nothing between requests).
 * `message` is the request's body, already parsed.
 */
export async function handleMcpRequest(request: Request, message: unknown, fleet: Fleet): Promise<Response> {
  if (isListen(message)) return listen(request, message, fleet);
  const invalid = await invalidParams(request, message);
  if (invalid) return jsonRpcError(invalid.id, -32602, invalid.message);
  const refusals = new SchemaRefusals();
  const handler = createMcpHandler(serverFactory(fleet, refusals, new TaskCalls(fleet, message)));
  const response = await handler.fetch(request, { parsedBody: message });
  // The SDK refused such a call without running the tool; an audit write that fails must not lose the answer.
  await refusals.audit(message, fleet).catch(() => undefined);
  return response;
}

interface ListenRequest {
  id: string | number;
  method: "subscriptions/listen";
}

function isListen(message: unknown): message is ListenRequest {
  return typeof message === "object" && message !== null && "method" in message && message.method === "subscriptions/listen" && "id" in message;
}

/**
 * A listen stream, fed by the caller's fleet registry: the caller's scope is checked and the link
 * opened before the SDK acknowledges. The stream ends when the link does (the SDK tears down on the
 * abort) and drops a client that stops reading.
 */
async function listen(request: Request, message: ListenRequest, fleet: Fleet): Promise<Response> {
  const bus = await FleetEventBus.open(fleet).catch((error: unknown) => {
    if (error instanceof FleetError) return error;
    throw error;
  });
  if (bus instanceof FleetError) return jsonRpcError(message.id, -32602, bus.message);
  if ("refused" in bus) return jsonRpcError(message.id, -32603, `Subscription limit reached: ${bus.refused}`);
  const handler = createMcpHandler(serverFactory(fleet, new SchemaRefusals(), new TaskCalls(fleet, message)), { bus });
  const response = await handler.fetch(new Request(request, { signal: bus.ended }), { parsedBody: message }).finally(() => bus.closeIfUnused());
  if (!response.body || response.headers.get("Content-Type") !== "text/event-stream") return response;
  return new Response(boundedStream(response.body, LISTEN_BACKLOG_BYTES, () => bus.close()), response);
}

/** An in-band JSON-RPC error, as the SDK answers a request it refuses. */
function jsonRpcError(id: string | number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", id, error: { code, message } });
}
