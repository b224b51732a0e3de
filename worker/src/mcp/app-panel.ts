import { type McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";

/**
 * The in-chat panel (MCP Apps, SEP-1865, extension io.modelcontextprotocol/ui): one HTML
 * document, bundled by dashboard/build.mjs from the dashboard's own view code, that a chat
 * supporting MCP Apps shows beside the results of the tools that point to it.
 */
export const PANEL_URI = "ui://jetson/panel";
export const PANEL_MIME_TYPE = "text/html;profile=mcp-app";

/**
 * What list_devices, get_device and telemetry_now carry in their `_meta`; the flat
 * `ui/resourceUri` is the key the spec keeps, deprecated, for hosts built before `ui`.
 */
export const PANEL_TOOL_META = { ui: { resourceUri: PANEL_URI }, "ui/resourceUri": PANEL_URI };

/** Drawn with a border by the host; no `csp` domains, since the panel reaches nothing but its host. */
const PANEL_RESOURCE_META = { ui: { prefersBorder: true } };

/** Imported on first read, not at startup: the vitest pool does not run the build, and every other resource must load without it. */
const loadPanel = (): Promise<string | undefined> =>
  import("../../dashboard/dist/panel.bundle.html").then(
    (module) => module.default,
    () => undefined,
  );

export function registerAppPanel(server: McpServer): void {
  server.registerResource(
    "panel",
    PANEL_URI,
    {
      title: "Fleet panel",
      description: "The fleet table, and a device's live figures and charts, for chats that show MCP Apps.",
      mimeType: PANEL_MIME_TYPE,
      _meta: PANEL_RESOURCE_META,
    },
    async (uri) => {
      const html = await loadPanel();
      if (html === undefined) throw new ProtocolError(ProtocolErrorCode.InternalError, "The panel is not built: run `node dashboard/build.mjs` in worker/.");
      return { contents: [{ uri: uri.href, mimeType: PANEL_MIME_TYPE, text: html, _meta: PANEL_RESOURCE_META }] };
    },
  );
}
