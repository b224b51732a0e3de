import { describe, expect, it } from "vitest";
import { AptProgress } from "./apt-progress.js";

describe("apt-get progress", () => {
  it("spreads an install over download (0-50 %) and dpkg (50-100 %), keeping ordinary lines as output", () => {
    const progress = new AptProgress("install");
    const reports = [
      "Reading package lists...",
      "dlstatus:1:0:Retrieving file 1 of 2",
      "dlstatus:2:50:Retrieving file 2 of 2",
      "Fetched 152 kB in 1s (180 kB/s)",
      "pmstatus:dpkg-exec:0:Running dpkg",
      "pmstatus:htop:50:Unpacking htop (arm64)",
      "pmstatus:htop:100:Installed htop (arm64)",
    ].map((line) => progress.line(line));
    expect(reports.filter(Boolean)).toEqual([
      { percent: 0, message: "Retrieving file 1 of 2" },
      { percent: 25, message: "Retrieving file 2 of 2" },
      { percent: 50, message: "Running dpkg" },
      { percent: 75, message: "Unpacking htop (arm64)" },
      { percent: 100, message: "Installed htop (arm64)" },
    ]);
    expect(progress.lines).toEqual(["Reading package lists...", "Fetched 152 kB in 1s (180 kB/s)"]);
  });

  it("gives the whole range to the only phase of an update or a removal", () => {
    expect(new AptProgress("update").line("dlstatus:3:60:Retrieving file 3 of 5")).toEqual({ percent: 60, message: "Retrieving file 3 of 5" });
    expect(new AptProgress("remove").line("pmstatus:htop:50:Removing htop (arm64)")).toEqual({ percent: 50, message: "Removing htop (arm64)" });
  });
});
