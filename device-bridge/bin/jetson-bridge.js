#!/usr/bin/env node
// Development launcher: runs the TypeScript sources through tsx. Devices run the single-file build instead.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
