// What systemctl shows of a unit, whether it is one of the board's own (units.mjs, its state in
// admin.json) or installed as a file in /etc/systemd/system (unit-files.mjs, run by unit-runner.mjs).
import { installedUnitNames, readUnitFile, unitFilePath, unitFileState } from "./unit-files.mjs";
import { runState } from "./unit-runner.mjs";
import { fragmentPath, unitTable } from "./units.mjs";

/** The board's units, then the installed ones it does not have. */
export function unitNames(root, board) {
  const table = unitTable(board).map((unit) => unit.name);
  return [...table, ...installedUnitNames(root).filter((name) => !table.includes(name))];
}

/**
 * { description, active, sub, since, result, restarts, mainPid, memory, fileState, fragment } of a unit,
 * or undefined when it is neither in the board's table nor installed.
 */
export function unitStatus(root, board, admin, name) {
  const unit = unitTable(board).find((u) => u.name === name);
  if (unit) {
    const state = admin.units[name];
    const running = state.sub === "running";
    return {
      ...state,
      description: unit.description,
      fileState: admin.unitFiles[name],
      mainPid: running ? unit.pid : 0,
      memory: running ? unit.rss * 1024 : "[not set]",
      fragment: fragmentPath(unit),
    };
  }
  const file = readUnitFile(root, name);
  if (!file) return undefined;
  return { ...runState(root, name), restarts: 0, description: file.description, fileState: unitFileState(root, name, file), memory: "[not set]", fragment: unitFilePath(name) };
}
