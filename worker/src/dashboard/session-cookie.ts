import { FleetIdSchema } from "@jetson/protocol";
import { newSecret } from "../credentials.js";

export const SESSION_COOKIE = "jetson_session";

/** A signed-in browser stays signed in this long, then signs in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** `<fleet>.<secret>`: the fleet names the registry that holds the session, as API tokens name theirs. */
export function newSessionValue(fleet: string): string {
  return `${fleet}.${newSecret()}`;
}

export function fleetOfSession(value: string | undefined): string | undefined {
  const [fleet, secret, ...rest] = (value ?? "").split(".");
  if (rest.length > 0 || !secret || !/^[A-Za-z0-9_-]{40,}$/.test(secret)) return undefined;
  return FleetIdSchema.safeParse(fleet).success ? fleet : undefined;
}

/** HttpOnly so page scripts never see it; Strict so no other site's page or form carries it; Secure whenever served over https. */
export function sessionCookieOptions(url: string, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    secure: new URL(url).protocol === "https:",
    sameSite: "Strict",
    path: "/",
    maxAge: maxAgeSeconds,
  } as const;
}
