import { crashLoop } from "./crash-loop.js";
import { diskFilling } from "./disk-filling.js";
import type { Scenario } from "./scenario.js";
import { throttling } from "./throttling.js";

export type { Scenario } from "./scenario.js";

/** Every scenario by the name the local stack and tests use. */
export const SCENARIOS = { throttling, "disk-filling": diskFilling, "crash-loop": crashLoop } satisfies Record<string, Scenario>;
export type ScenarioId = keyof typeof SCENARIOS;
