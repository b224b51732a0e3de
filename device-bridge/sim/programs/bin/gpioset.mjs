#!/usr/bin/env node
// Stand-in for libgpiod's gpioset, in the dialect of the board's release: v1 up to JetPack 6, v2 on JetPack 7.
import * as gpiodV1 from "../lib/jetson-sim/gpiod-v1.mjs";
import * as gpiodV2 from "../lib/jetson-sim/gpiod-v2.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "gpioset");
const spec = loadSpec(root);
const v2 = spec.generation.libgpiod.startsWith("2.");
(v2 ? gpiodV2 : gpiodV1).gpioset(root, spec, args);
