import { runHostPortContract } from "./host-port.contract.js";
import { NodeHost } from "./node-host.js";

runHostPortContract("NodeHost", async (root, programDir) =>
  new NodeHost({ root, programDirs: [programDir], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20, stopGraceMs: 1_000 }),
);
