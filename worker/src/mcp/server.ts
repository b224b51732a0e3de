import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import type { Fleet } from "../fleet.js";
import { registerActionTools } from "./action-tools.js";
import { registerAppPanel } from "./app-panel.js";
import { registerAuditResource } from "./audit-resource.js";
import { registerFleetOpsResources } from "./fleet-ops-resources.js";
import { registerFleetOpsTools } from "./fleet-ops-tools.js";
import { registerFleetTools } from "./fleet-tools.js";
import { registerPrompts } from "./prompts.js";
import { registerResources } from "./resources.js";
import { SchemaRefusals } from "./schema-refusals.js";
import { registerTelemetryTools } from "./telemetry-tools.js";

const SERVER_INFO = { name: "jetson-fleet", version: "0.2.0" };

/** Every tool, resource and prompt, defined once for both protocol revisions. */
function buildServer(fleet: Fleet, refusals: SchemaRefusals): McpServer {
  // ajv (the default validator) compiles code from strings, which workerd forbids.
  const server = new McpServer(SERVER_INFO, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  registerFleetTools(server, fleet);
  registerTelemetryTools(server, fleet);
  registerResources(server, fleet);
  registerPrompts(server, fleet);
  registerActionTools(server, fleet, refusals);
  registerAuditResource(server, fleet);
  registerFleetOpsTools(server, fleet, refusals);
  registerFleetOpsResources(server, fleet);
  registerAppPanel(server);
  return server;
}

/**
 * Answers one MCP POST, 2026-07-28 or 2025-11-25 alike, statelessly: the handler
 * builds a server for this request only (a Worker keeps nothing between requests).
 * `message` is the request's body, already parsed.
 */
export async function handleMcpRequest(request: Request, message: unknown, fleet: Fleet): Promise<Response> {
  const refusals = new SchemaRefusals();
  const handler = createMcpHandler(() => buildServer(fleet, refusals));
  const response = await handler.fetch(request, { parsedBody: message });
  // The SDK refused such a call without running the tool; an audit write that fails must not lose the answer.
  await refusals.audit(message, fleet).catch(() => undefined);
  return response;
}
