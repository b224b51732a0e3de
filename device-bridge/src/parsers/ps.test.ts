import { describe, expect, it } from "vitest";
import { parsePs } from "./ps.js";

// procps-ng 3.3.17: ps -eo pid,ppid,user:32,pcpu,pmem,rss,comm --sort=-pcpu
const OUTPUT = `    PID    PPID USER                             %CPU %MEM   RSS COMMAND
   2210       1 nvidia                            143  31.6 2480128 python3
   2290    2210 nvidia                           38.5  5.2 410112 gst-launch-1.0
    745       1 root                              0.8  0.8 64000 nvargus-daemon
    540       1 systemd-timesync                  0.0  0.0  7168 systemd-timesyn
   3301    2210 nvidia                            0.0  0.0  1024 Web Content
      2       0 root                              0.0  0.0     0 kthreadd
`;

describe("ps -eo pid,ppid,user,pcpu,pmem,rss,comm", () => {
  it("reads each process, names with spaces included", () => {
    const processes = parsePs(OUTPUT);
    expect(processes).toHaveLength(6);
    expect(processes[0]).toEqual({ pid: 2210, ppid: 1, user: "nvidia", cpuPercent: 143, memPercent: 31.6, rssKiB: 2480128, command: "python3" });
    expect(processes[4]?.command).toBe("Web Content");
    expect(processes[5]).toMatchObject({ pid: 2, ppid: 0, rssKiB: 0 });
  });

  it("refuses output in another layout", () => {
    expect(() => parsePs("  PID TTY          TIME CMD\n")).toThrow(/unexpected header/);
  });
});
