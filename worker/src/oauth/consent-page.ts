import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";
import type { Scope } from "@jetson/protocol";

const SCOPE_MEANING: Record<Scope, string> = {
  read: "list devices, read their state and run read-only actions",
  operate: "run actions that change a device (power modes, clocks, services, reboots)",
  admin: "administer the fleet: provision and revoke devices, enrollment codes and API tokens",
};

// Nothing from outside, no framing. No form-action: browsers apply it to the redirect back to the client.
export const CONSENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** Everything the client chose (name, redirect host, scopes) is attacker-controlled: escape it. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export interface ConsentView {
  details: ConsentDescription;
  /** The scopes the operator may grant, and those ticked when the page opens. */
  offered: readonly Scope[];
  checked: readonly Scope[];
  /** Binds the form to the authorization request stored server-side (and to this browser). */
  handle: string;
  error?: string;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0}label{display:block;margin:.4rem 0}
input[type=password]{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
.warn{background:#fff4e5;border-left:4px solid #f0a000;padding:.5rem .8rem}
.error{background:#fdecea;border-left:4px solid #d32f2f;padding:.5rem .8rem}
button{font:inherit;padding:.4rem 1.2rem;margin-right:.5rem}`;

/**
 * The page at /authorize: who is asking, where access goes, which scopes, and the
 * operator's sign-in (an admin API token of the fleet the client will reach).
 */
export function consentPage({ details, offered, checked, handle, error }: ConsentView): string {
  const name = escapeHtml(details.clientName);
  const scopes = offered
    .map(
      (scope) =>
        `<label><input type="checkbox" name="scope" value="${scope}"${checked.includes(scope) ? " checked" : ""}> <strong>${scope}</strong>: ${SCOPE_MEANING[scope]}</label>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorize ${name}</title><style>${STYLE}</style></head>
<body><main>
<h1>Allow ${name} to reach your Jetson fleet?</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<p>${details.clientDomain ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.` : "This app registered itself: its name is not verified."}
Access will be sent to <strong>${escapeHtml(details.redirectHost)}</strong>.</p>
${details.redirectIsLoopback ? `<p class="warn">This sends access to an app on your computer. Continue only if you just started connecting it.</p>` : ""}
<form method="post">
<input type="hidden" name="handle" value="${escapeHtml(handle)}">
<fieldset><legend>Grant</legend>
${scopes}
</fieldset>
<fieldset><legend>Sign in as a fleet operator</legend>
<label for="token">An API token of the fleet with the <strong>admin</strong> scope. The app gets only the ticked scopes this token also has.</label>
<input id="token" type="password" name="token" autocomplete="off" spellcheck="false" placeholder="jft_…">
</fieldset>
<p><button name="decision" value="approve">Allow</button><button name="decision" value="deny">Deny</button></p>
</form>
</main></body></html>`;
}

/** A page for a request that cannot go back to the client (unknown client, bad redirect URI, expired form). */
export function authorizeErrorPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization failed</title><style>${STYLE}</style></head>
<body><main><h1>Authorization failed</h1><p class="error">${escapeHtml(message)}</p>
<p>Start connecting the app again.</p></main></body></html>`;
}

/** A page of the authorization endpoint, never cached or framed. */
export function authorizePageResponse(html: string, status: number): Response {
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CONSENT_CSP, "Cache-Control": "no-store" } });
}
