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

  it("keeps only apt-get's last output lines and warnings however much it prints, saying how many earlier ones it left out", () => {
    const progress = new AptProgress("install");
    progress.line("Reading package lists...");
    progress.line("1 upgraded, 2 newly installed, 0 to remove and 5 not upgraded.");
    for (let i = 0; i < 100_000; i++) {
      progress.line(i % 10 === 0 ? `W: warning ${i}` : `Unpacking part ${i} ${"x".repeat(1_000)}`);
      if (i % 1_000 === 0) progress.line(`pmstatus:htop:${i / 1_000}:Unpacking htop`);
    }
    const { lines, warnings } = progress;
    expect(lines).toHaveLength(1 + 1 + 1_000);
    expect(lines.slice(0, 2)).toEqual(["1 upgraded, 2 newly installed, 0 to remove and 5 not upgraded.", "[99002 earlier lines of apt-get output not kept]"]);
    expect(lines.at(-1)).toBe(`Unpacking part 99999 ${"x".repeat(300 - "Unpacking part 99999 ".length)}`);
    expect(warnings).toHaveLength(1 + 100);
    expect(warnings[0]).toBe("[9900 earlier warnings not kept]");
    expect(warnings.at(-1)).toBe("W: warning 99990");
  });

  it("keeps every line and warning of a run that prints little", () => {
    const progress = new AptProgress("update");
    for (const line of ["Hit:1 http://ports.ubuntu.com jammy InRelease", "W: Some index files failed to download.", "dlstatus:1:100:Done"]) progress.line(line);
    expect(progress.lines).toEqual(["Hit:1 http://ports.ubuntu.com jammy InRelease", "W: Some index files failed to download."]);
    expect(progress.warnings).toEqual(["W: Some index files failed to download."]);
  });
});
