import path from "node:path";
import { launchChromium } from "../test/support/chromium.js";
import { REPO } from "./local-stack.js";

/**
 * Retakes the README's picture of the fleet view from a running `npm start` (its dashboard URL and
 * token as printed): `node --import tsx scripts/readme-screenshot.ts <dashboard URL> <token>`.
 * Waits until every device's row shows a CPU figure, so the picture has the scenarios under way.
 */
const [dashboard, token] = process.argv.slice(2);
if (!dashboard || !token) {
  console.error("usage: readme-screenshot.ts <dashboard URL> <token>");
  process.exit(2);
}
const { context, close } = await launchChromium({ width: 1400, height: 1150 });
try {
  const page = await context.newPage();
  await page.goto(new URL("/signin", dashboard).href);
  await page.fill("#token", token);
  await page.keyboard.press("Enter");
  await page.waitForSelector("body[data-rendered=fleet]");
  // A page-side expression (this file is compiled without the DOM's types).
  await page.waitForFunction(
    `[...document.querySelectorAll("#fleet-table tbody tr")].every((row) => /\\d %$/.test(row.querySelector("td[data-label=CPU]")?.textContent ?? "")) && document.querySelectorAll("#fleet-table tbody tr").length > 0`,
    undefined,
    { timeout: 120_000 },
  );
  const file = path.join(REPO, "docs/dashboard.png");
  await page.screenshot({ path: file });
  console.log(`wrote ${file}`);
} finally {
  await close();
}
