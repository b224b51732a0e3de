/** The server-rendered shells: sign-in, and the fleet and device views that the client then fills. */

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch);

/** Nothing from outside; scripts and styles only from this Worker; no framing. */
export const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
};

function page(title: string, body: string, script: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/dashboard/app.css">
${script ? '<script type="module" src="/dashboard/app.js"></script>' : ""}</head>
<body><a class="skip" href="#main">Skip to content</a>
${body}
</body></html>`;
}

function header(fleet: string): string {
  return `<header class="top"><a class="brand" href="/">Jetson fleet</a>
<span class="fleet">Fleet <strong>${escape(fleet)}</strong></span>
<span id="live-status" class="live" role="status" aria-live="polite"></span>
<form method="post" action="/signout"><button type="submit" class="button">Sign out</button></form></header>`;
}

export function fleetPage(fleet: string): string {
  return page(
    "Devices · Jetson fleet",
    `${header(fleet)}
<main id="main" tabindex="-1" data-view="fleet"><h1>Devices</h1><p class="muted">Loading the fleet…</p>
<noscript><p>The live dashboard needs JavaScript.</p></noscript></main>`,
    true,
  );
}

export function devicePage(fleet: string, device: string): string {
  return page(
    `${device} · Jetson fleet`,
    `${header(fleet)}
<main id="main" tabindex="-1" data-view="device" data-device="${escape(device)}">
<p><a href="/">← All devices</a></p><h1>${escape(device)}</h1><p class="muted">Loading…</p>
<noscript><p>The live dashboard needs JavaScript.</p></noscript></main>`,
    true,
  );
}

export function signInPage(options: { next: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert" id="signin-error">${escape(options.error)}</p>` : "";
  return page(
    "Sign in · Jetson fleet",
    `<header class="top"><span class="brand">Jetson fleet</span></header>
<main id="main" tabindex="-1" class="signin"><h1>Sign in</h1>
<p>Paste an API token of your fleet. A token with the <code>read</code> scope is enough to watch the fleet.</p>
${error}
<form method="post" action="/signin">
<input type="hidden" name="next" value="${escape(options.next)}">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
 placeholder="jft_…" ${options.error ? 'aria-describedby="signin-error" aria-invalid="true"' : ""} autofocus>
<button type="submit" class="button primary">Sign in</button>
</form>
<p class="muted">The token is checked once and never stored in the browser: the session cookie only refers to it.</p></main>`,
    false,
  );
}
