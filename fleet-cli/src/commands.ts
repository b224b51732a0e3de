import { parseArgs } from "node:util";
import type { FleetApi } from "./api-client.js";
import { PROVISION_USAGE, provisionCommand } from "./provision/command.js";
import { RELEASE_USAGE, releaseCommand } from "./release/command.js";

export interface Command {
  usage: string;
  run(api: FleetApi, args: string[]): Promise<unknown>;
}

/** Every operator command: a name, its usage line, and what it calls. Output is JSON. */
export const commands: Record<string, Command> = {
  devices: {
    usage:
      "devices [--status online|alerting|offline] [--alerts] [--selector SEL] [--text T] [--limit N] [--cursor C]\n" +
      "                                          list a page of the fleet's devices (nextCursor: the next page's --cursor)",
    run: (api, args) => {
      const { values } = parseArgs({
        args,
        options: { status: { type: "string" }, alerts: { type: "boolean" }, selector: { type: "string" }, text: { type: "string" }, limit: { type: "string" }, cursor: { type: "string" } },
      });
      const query = new URLSearchParams(Object.entries(values).map(([key, value]): [string, string] => [key, String(value)]));
      return api.request("GET", `/api/devices?${query}`);
    },
  },
  "enroll-code": {
    usage: "enroll-code --device ID [--ttl SECONDS]   create a one-time enrollment code for a device",
    run: (api, args) => {
      const { values } = parseArgs({ args, options: { device: { type: "string" }, ttl: { type: "string" } } });
      if (!values.device) throw new Error("enroll-code needs --device");
      return api.request("POST", "/api/enrollments", {
        device: values.device,
        ...(values.ttl ? { ttlSeconds: Number(values.ttl) } : {}),
      });
    },
  },
  "enroll-codes": {
    usage: "enroll-codes                              list unused enrollment codes: device, expiry, who made each (never the code)",
    run: (api) => api.request("GET", "/api/enrollments"),
  },
  "enroll-code-cancel": {
    usage: "enroll-code-cancel --device ID            cancel a device's unused enrollment codes",
    run: (api, args) => {
      const { values } = parseArgs({ args, options: { device: { type: "string" } } });
      if (!values.device) throw new Error("enroll-code-cancel needs --device");
      return api.request("DELETE", `/api/enrollments/${encodeURIComponent(values.device)}`);
    },
  },
  revoke: {
    usage: "revoke --device ID                        revoke a device: closes its link and refuses it; its open commands, tunnels and codes end",
    run: (api, args) => {
      const { values } = parseArgs({ args, options: { device: { type: "string" } } });
      if (!values.device) throw new Error("revoke needs --device");
      return api.request("DELETE", `/api/devices/${encodeURIComponent(values.device)}`);
    },
  },
  "token-create": {
    usage: "token-create --name NAME --scopes read,operate,admin   create an API token (shown once)",
    run: (api, args) => {
      const { values } = parseArgs({ args, options: { name: { type: "string" }, scopes: { type: "string" } } });
      if (!values.name || !values.scopes) throw new Error("token-create needs --name and --scopes");
      return api.request("POST", "/api/tokens", { name: values.name, scopes: values.scopes.split(",") });
    },
  },
  tokens: {
    usage: "tokens                                    list API tokens (never their secrets)",
    run: (api) => api.request("GET", "/api/tokens"),
  },
  "token-revoke": {
    usage: "token-revoke --id ID                      revoke an API token",
    run: (api, args) => {
      const { values } = parseArgs({ args, options: { id: { type: "string" } } });
      if (!values.id) throw new Error("token-revoke needs --id");
      return api.request("DELETE", `/api/tokens/${encodeURIComponent(values.id)}`);
    },
  },
  provision: {
    usage: PROVISION_USAGE,
    run: provisionCommand,
  },
  release: {
    usage: RELEASE_USAGE,
    run: releaseCommand,
  },
  audit: {
    usage: "audit [--device ID] [--caller WHO] [--action NAME] [--outcome O] [--limit N] [--cursor C]   read the audit trail, newest first; --cursor takes a page's nextCursor",
    run: (api, args) => {
      const text = { type: "string" } as const;
      const { values } = parseArgs({ args, options: { device: text, caller: text, action: text, outcome: text, limit: text, cursor: text } });
      const query = new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === "string"));
      return api.request("GET", `/api/audit?${query}`);
    },
  },
};
