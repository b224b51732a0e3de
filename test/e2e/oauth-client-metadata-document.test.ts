import { discoverOAuthServerInfo, exchangeAuthorization, startAuthorization } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_CLIENT_NAME, DOCUMENT_REDIRECT_URI, MetadataDocumentServer } from "../support/metadata-document-server.js";
import { TestStack } from "../support/stack.js";

let stack: TestStack;
let documents: MetadataDocumentServer;
let mcp: Client | undefined;

beforeAll(async () => {
  [stack, documents] = await Promise.all([TestStack.start(), MetadataDocumentServer.start()]);
});

afterAll(async () => {
  await mcp?.close();
  await Promise.all([stack?.stop(), documents?.stop()]);
});

/** What the operator's browser does on the consent page: read it, sign in with an admin token, allow `read`. */
async function approveInBrowser(authorizationUrl: URL, adminToken: string): Promise<{ page: string; code: string }> {
  const opened = await fetch(authorizationUrl);
  const page = await opened.text();
  expect(opened.status, page).toBe(200);
  const handle = /name="handle" value="([^"]+)"/.exec(page)?.[1] ?? "";
  const cookie = opened.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const allowed = await fetch(authorizationUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
    body: new URLSearchParams({ handle, decision: "approve", token: adminToken, scope: "read" }),
    redirect: "manual",
  });
  expect(allowed.status).toBe(302);
  const location = new URL(allowed.headers.get("Location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(DOCUMENT_REDIRECT_URI);
  return { page, code: location.searchParams.get("code") ?? "" };
}

describe("a client named by its Client ID Metadata Document, against wrangler dev", () => {
  it("authorizes without registering, with the document served over HTTP on loopback, and lists tools over MCP", async () => {
    const mcpUrl = `${stack.worker.url}/mcp`;
    const server = await discoverOAuthServerInfo(mcpUrl);
    expect(server.authorizationServerMetadata?.client_id_metadata_document_supported).toBe(true);

    // The SDK's own steps, with the document's URL as the client id: no registration request.
    const clientInformation = { client_id: documents.url("assistant.json") };
    const { authorizationUrl, codeVerifier } = await startAuthorization(server.authorizationServerUrl, {
      metadata: server.authorizationServerMetadata,
      clientInformation,
      redirectUrl: DOCUMENT_REDIRECT_URI,
      scope: "read",
      resource: new URL(mcpUrl),
    });
    const { page, code } = await approveInBrowser(authorizationUrl, stack.worker.fleetToken);
    expect(page).toContain(`Allow ${DOCUMENT_CLIENT_NAME} to reach your Jetson fleet?`);
    expect(page).toContain(`Published by <strong>${new URL(documents.origin).host}</strong>`);

    const tokens = await exchangeAuthorization(server.authorizationServerUrl, {
      metadata: server.authorizationServerMetadata,
      clientInformation,
      authorizationCode: code,
      codeVerifier,
      redirectUri: DOCUMENT_REDIRECT_URI,
      resource: new URL(mcpUrl),
    });
    expect(tokens.scope).toBe("read");
    mcp = await stack.mcp(tokens.access_token);
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name)).toContain("list_devices");
  });
});
