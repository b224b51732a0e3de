export { isSimBoardId, SIM_BOARD_IDS, SIM_BOARDS } from "./boards.js";
export { type ScenarioRun, startSimulationClock } from "./clock.js";
export { ENGINE_SOCKET, startSimulatedEngine } from "./container-engine.js";
export { watchReboots } from "./reboots.js";
export { SCENARIOS, type Scenario, type ScenarioId } from "./scenarios/index.js";
export {
  createSimulatedJetson,
  rebootSimulatedJetson,
  refreshSimulatedJetson,
  type SimulatedJetson,
  type SimulatedJetsonOptions,
  setLoad,
} from "./create.js";
export {
  NO_CAP,
  type SimBoard,
  type SimBoardId,
  type SimGpioChip,
  type SimPowerMode,
  type SimRail,
  type SimThermalZone,
} from "./types.js";
