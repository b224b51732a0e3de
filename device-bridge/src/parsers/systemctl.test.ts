import { describe, expect, it } from "vitest";
import { parseListUnits, parseShow, serviceStatusFromShow } from "./systemctl.js";

// systemd 249 (Ubuntu 22.04, JetPack 6), LANG=C: failed units are marked with "*".
const LIST_UNITS = `  accounts-daemon.service                loaded    active   running Accounts Service
  apt-daily.service                      loaded    inactive dead    Daily apt download activities
* camera-pipeline.service                loaded    failed   failed  Camera inference pipeline
  nvargus-daemon.service                 loaded    active   running Argus daemon
  nvpmodel.service                       loaded    active   exited  nvpmodel service
● plymouth-quit.service                  not-found inactive dead    plymouth-quit.service
  systemd-fsck@dev-disk-by\\x2duuid-2f1b.service loaded active exited File System Check on /dev/disk/by-uuid/2f1b
`;

const SHOW_RUNNING = `Id=nvargus-daemon.service
Description=Argus daemon
LoadState=loaded
ActiveState=active
SubState=running
UnitFileState=enabled
MainPID=745
ActiveEnterTimestamp=Mon 2026-09-14 08:02:11 PDT
NRestarts=0
Result=success
MemoryCurrent=65536000
FragmentPath=/etc/systemd/system/nvargus-daemon.service
`;

// A unit systemd does not know: show still answers, with LoadState=not-found and empty fields.
const SHOW_MISSING = `Id=nosuch.service
Description=nosuch.service
LoadState=not-found
ActiveState=inactive
SubState=dead
UnitFileState=
MainPID=0
ActiveEnterTimestamp=
NRestarts=0
Result=success
MemoryCurrent=[not set]
FragmentPath=
`;

describe("systemctl", () => {
  it("reads list-units rows, with or without the failed marker", () => {
    const units = parseListUnits(LIST_UNITS);
    expect(units).toHaveLength(7);
    expect(units[0]).toEqual({ unit: "accounts-daemon.service", load: "loaded", active: "active", sub: "running", description: "Accounts Service" });
    expect(units[2]).toEqual({ unit: "camera-pipeline.service", load: "loaded", active: "failed", sub: "failed", description: "Camera inference pipeline" });
    expect(units[5]).toMatchObject({ unit: "plymouth-quit.service", load: "not-found", active: "inactive" });
    expect(units[6]?.unit).toBe("systemd-fsck@dev-disk-by\\x2duuid-2f1b.service");
    expect(parseListUnits("")).toEqual([]);
    expect(() => parseListUnits("garbage\n")).toThrow(/cannot read/);
  });

  it("turns show properties into a status", () => {
    expect(serviceStatusFromShow("nvargus-daemon.service", parseShow(SHOW_RUNNING))).toEqual({
      unit: "nvargus-daemon.service",
      exists: true,
      description: "Argus daemon",
      loadState: "loaded",
      activeState: "active",
      subState: "running",
      unitFileState: "enabled",
      mainPid: 745,
      activeSince: "Mon 2026-09-14 08:02:11 PDT",
      restarts: 0,
      result: "success",
      memoryBytes: 65536000,
      fragmentPath: "/etc/systemd/system/nvargus-daemon.service",
    });
  });

  it("says a unit does not exist, and leaves unset values out", () => {
    const status = serviceStatusFromShow("nosuch.service", parseShow(SHOW_MISSING));
    expect(status).toMatchObject({ unit: "nosuch.service", exists: false, loadState: "not-found", activeState: "inactive" });
    expect(status.mainPid).toBeUndefined();
    expect(status.memoryBytes).toBeUndefined();
    expect(status.activeSince).toBeUndefined();
    expect(status.unitFileState).toBeUndefined();
  });

  it("keeps '=' inside values", () => {
    expect(parseShow("ExecStart={ path=/usr/bin/x ; argv[]=/usr/bin/x --a=1 }\n").get("ExecStart")).toBe("{ path=/usr/bin/x ; argv[]=/usr/bin/x --a=1 }");
  });
});
