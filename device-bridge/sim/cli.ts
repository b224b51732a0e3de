// node --import tsx device-bridge/sim/cli.ts --board agx-orin-jp6 --dir /tmp/x --hostname orin-1
import { parseArgs } from "node:util";
import { isSimBoardId, SIM_BOARD_IDS } from "./boards.js";
import { createSimulatedJetson } from "./create.js";

const { values } = parseArgs({
  options: { board: { type: "string" }, dir: { type: "string" }, hostname: { type: "string" } },
});
const { board, dir, hostname } = values;
if (board === undefined || dir === undefined || hostname === undefined || !isSimBoardId(board)) {
  process.stderr.write(`usage: cli.ts --board ${SIM_BOARD_IDS.join("|")} --dir DIR --hostname NAME\n`);
  process.exit(2);
}
const sim = await createSimulatedJetson({ board, dir, hostname });
process.stdout.write(`${JSON.stringify({ root: sim.root, binDir: sim.binDir })}\n`);
