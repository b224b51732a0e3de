/** The dashboard's data routes, answered with the session cookie the browser holds. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The session ended (signed out elsewhere, expired, or its token revoked): sign in again, then come back here. */
export function goSignIn(): never {
  location.assign(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
  throw new ApiError(401, "Signed out");
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, credentials: "same-origin", headers: { Accept: "application/json", ...init.headers } });
  if (response.status === 401) goSignIn();
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const message = body && typeof body === "object" && "error" in body ? String(body.error) : response.statusText;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

export const getJson = <T>(path: string) => request<T>(path);
export const postJson = <T>(path: string) => request<T>(path, { method: "POST" });
