import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import type { Fleet } from "../fleet.js";
import { registerActionTools } from "./action-tools.js";
import { registerAuditResource } from "./audit-resource.js";
import { registerFleetOpsResources } from "./fleet-ops-resources.js";
import { registerFleetOpsTools } from "./fleet-ops-tools.js";
import { registerFleetTools } from "./fleet-tools.js";
import { registerPrompts } from "./prompts.js";
import { registerResources } from "./resources.js";
import { Completions } from "./completions.js";
import { Confirmations } from "./confirmation.js";
import { SchemaRefusals } from "./schema-refusals.js";
import { registerTaskPrompts } from "./task-prompts.js";
import { registerTelemetryTools } from "./telemetry-tools.js";

const SERVER_INFO = { name: "jetson-fleet", version: "0.2.0" };

/**
 * Every tool, resource and prompt, defined once for both protocol revisions; `era` only
 * decides how a destructive call is confirmed (confirmation.ts).
 */
function buildServer(fleet: Fleet, refusals: SchemaRefusals, confirmations: Confirmations): McpServer {
  const server = new McpServer(SERVER_INFO, {
    // ajv (the default validator) compiles code from strings, which workerd forbids.
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    // 2025-11-25 clients may set a log level (the conformance suite requires the answer); nothing is logged to them yet.
    capabilities: { logging: {} },
    ...(confirmations.verify ? { requestState: { verify: confirmations.verify } } : {}),
  });
  registerFleetTools(server, fleet);
  registerTelemetryTools(server, fleet);
  const complete = new Completions(fleet);
  registerResources(server, fleet, complete);
  registerPrompts(server, fleet, complete);
  registerTaskPrompts(server, complete);
  registerActionTools(server, fleet, refusals, confirmations);
  registerAuditResource(server, fleet);
  registerFleetOpsTools(server, fleet, refusals, confirmations);
  registerFleetOpsResources(server, fleet, complete);
  return server;
}

/**
 * Answers one MCP POST, 2026-07-28 or 2025-11-25 alike, statelessly: the handler
 * builds a server for this request only (a Worker keeps nothing between requests).
 * `message` is the request's body, already parsed.
 */
export async function handleMcpRequest(request: Request, message: unknown, fleet: Fleet): Promise<Response> {
  const refusals = new SchemaRefusals();
  const handler = createMcpHandler(({ era }) => buildServer(fleet, refusals, new Confirmations(era, fleet, fleet.env.MCP_STATE_SECRET)));
  const response = await handler.fetch(request, { parsedBody: message });
  // The SDK refused such a call without running the tool; an audit write that fails must not lose the answer.
  await refusals.audit(message, fleet).catch(() => undefined);
  return response;
}
