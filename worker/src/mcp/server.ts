import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import type { Fleet } from "../fleet.js";
import { registerActionTools } from "./action-tools.js";
import { registerAuditResource } from "./audit-resource.js";
import { registerFleetOpsResources } from "./fleet-ops-resources.js";
import { registerFleetOpsTools } from "./fleet-ops-tools.js";
import { registerFleetTools } from "./fleet-tools.js";
import { registerPrompts } from "./prompts.js";
import { registerResources } from "./resources.js";
import { SchemaRefusals } from "./schema-refusals.js";
import { registerTelemetryTools } from "./telemetry-tools.js";

const SERVER_INFO = { name: "jetson-fleet", version: "0.1.0" };

/** Answers one MCP POST statelessly: a fresh server and transport per request. */
export async function handleMcpRequest(request: Request, fleet: Fleet): Promise<Response> {
  // ajv (the default validator) compiles code from strings, which workerd forbids.
  const server = new McpServer(SERVER_INFO, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  registerFleetTools(server, fleet);
  registerTelemetryTools(server, fleet);
  registerResources(server, fleet);
  registerPrompts(server, fleet);
  const refusals = new SchemaRefusals();
  registerActionTools(server, fleet, refusals);
  registerAuditResource(server, fleet);
  registerFleetOpsTools(server, fleet, refusals);
  registerFleetOpsResources(server, fleet);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  refusals.watch(transport, fleet);
  return transport.handleRequest(request);
}
