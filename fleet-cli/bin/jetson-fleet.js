#!/usr/bin/env node
// Development launcher: runs the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
