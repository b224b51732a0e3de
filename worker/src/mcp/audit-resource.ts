import { AuditQuerySchema } from "@jetson/protocol";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Fleet } from "../fleet.js";

/**
 * The fleet's audit trail as a resource: `jetson://audit` for the latest
 * entries, with `?device=`, `?caller=`, `?from=`, `?to=` (epoch ms) to filter.
 */
export function registerAuditResource(server: McpServer, fleet: Fleet): void {
  server.registerResource(
    "audit",
    new ResourceTemplate("jetson://audit{?device,caller,from,to}", { list: () => ({ resources: [{ uri: "jetson://audit", name: "Audit log" }] }) }),
    { title: "Audit log", description: "Every command run or refused in this fleet: who, which device, which action, outcome, duration.", mimeType: "application/json" },
    async (uri, variables) => {
      const query = AuditQuerySchema.parse(Object.fromEntries(Object.entries(variables).filter(([, v]) => typeof v === "string" && v !== "")));
      const entries = await fleet.audit(query);
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ entries }) }] };
    },
  );
}
