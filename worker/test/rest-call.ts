import { exports } from "cloudflare:workers";

/** One REST call as a script makes it, with the fleet token `token`; the body parsed as JSON. */
export async function rest<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await exports.default.fetch(`http://w${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
