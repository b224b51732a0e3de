/** Placeholder until the live dashboard lands: tells a visitor where things are. */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jetson fleet</title></head>
<body><main><h1>Jetson fleet</h1>
<p>The live dashboard is not built yet. Assistants connect to <code>/mcp</code>; scripts use <code>/api/devices</code>.</p>
</main></body></html>`;
}
