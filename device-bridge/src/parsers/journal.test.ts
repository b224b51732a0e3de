import { describe, expect, it } from "vitest";
import { parseJournalLine } from "./journal.js";

describe("journalctl -o json", () => {
  it("reads a service's own line", () => {
    const line =
      '{"__CURSOR":"s=5b2f0e1c;i=1a2b;b=9f3c;m=1b2c3d;t=62a1b2c3d4e5f;x=ab","__REALTIME_TIMESTAMP":"1789380131000123","__MONOTONIC_TIMESTAMP":"28544123","_BOOT_ID":"9f3c6a2e4d8b4c1e8f0a1b2c3d4e5f60","PRIORITY":"3","SYSLOG_FACILITY":"3","_UID":"1000","_GID":"1000","_COMM":"python3","_EXE":"/usr/bin/python3.10","_SYSTEMD_UNIT":"camera-pipeline.service","SYSLOG_IDENTIFIER":"python3","_PID":"2210","_TRANSPORT":"stdout","_HOSTNAME":"orin-nano-1","MESSAGE":"RuntimeError: Failed to open camera /dev/video0"}';
    expect(parseJournalLine(line)).toEqual({
      time: "2026-09-14T10:02:11.000Z",
      priority: 3,
      priorityName: "err",
      unit: "camera-pipeline.service",
      identifier: "python3",
      pid: 2210,
      message: "RuntimeError: Failed to open camera /dev/video0",
    });
  });

  it("names the unit systemd talks about, decodes byte messages and cuts huge ones", () => {
    const started = parseJournalLine(
      '{"__REALTIME_TIMESTAMP":"1789380000000000","PRIORITY":"6","_SYSTEMD_UNIT":"init.scope","UNIT":"nginx.service","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"Started A high performance web server and a reverse proxy server."}',
    );
    expect(started).toMatchObject({ unit: "nginx.service", identifier: "systemd", priorityName: "info" });
    const bytes = parseJournalLine(`{"__REALTIME_TIMESTAMP":"1789380000000000","MESSAGE":${JSON.stringify([...Buffer.from("caf\u00e9 \u00ff")])}}`);
    expect(bytes?.message).toBe("caf\u00e9 \u00ff");
    expect(bytes?.priority).toBe(6);
    const huge = parseJournalLine(`{"__REALTIME_TIMESTAMP":"1789380000000000","MESSAGE":"${"x".repeat(10_000)}"}`);
    expect(huge?.message.endsWith("… [cut]")).toBe(true);
    expect(parseJournalLine('{"__REALTIME_TIMESTAMP":"1789380000000000","MESSAGE":null}')?.message).toMatch(/too large/);
  });

  it("skips lines that are not entries", () => {
    expect(parseJournalLine("-- No entries --")).toBeUndefined();
    expect(() => parseJournalLine('{"MESSAGE":"no timestamp"}')).toThrow();
  });

  // As journalctl 252 prints them (json_append in logs-show.c): a field that is not printable UTF-8 as its
  // bytes, a field an entry holds twice as a list of its values (each text, bytes or null).
  it("reads fields that are not UTF-8 or that an entry holds twice: bytes decoded, a list read by its first value, a message by all", () => {
    const line =
      '{"__CURSOR":"s=5b2f0e1c;i=2c;b=9f3c;m=3e8;t=62a1b2c3d4e5f;x=cd","__REALTIME_TIMESTAMP":"1789380131000123","__MONOTONIC_TIMESTAMP":"1000","_BOOT_ID":"9f3c6a2e4d8b4c1e8f0a1b2c3d4e5f60","PRIORITY":"4","_TRANSPORT":"journal","_PID":["2210","2211"],"_COMM":[99,97,109,1,99,116,108],"SYSLOG_IDENTIFIER":[255,254,101,120,97,109,112,108,101],"_SYSTEMD_UNIT":["camera.service","other.service"],"MESSAGE":["one message","and a second"]}';
    expect(parseJournalLine(line)).toEqual({
      time: "2026-09-14T10:02:11.000Z",
      priority: 4,
      priorityName: "warning",
      unit: "camera.service",
      identifier: "\ufffd\ufffdexample",
      pid: 2210,
      message: "one message\nand a second",
    });
    const mixed = parseJournalLine('{"__REALTIME_TIMESTAMP":"1789380131000123","SYSLOG_IDENTIFIER":[null,"late"],"MESSAGE":[null,[104,105,255],"there"]}');
    expect(mixed).toMatchObject({ identifier: "late", message: "hi\ufffd\nthere" });
    expect(parseJournalLine('{"__REALTIME_TIMESTAMP":"1789380131000123","MESSAGE":[null,null]}')?.message).toMatch(/too large/);
  });

  it("drops a priority or process id it cannot read, and refuses only an entry without its time", () => {
    expect(parseJournalLine('{"__REALTIME_TIMESTAMP":"1789380131000123","PRIORITY":"9","_PID":"0","MESSAGE":"x"}')).toMatchObject({ priority: 6, pid: undefined });
    expect(() => parseJournalLine('{"__REALTIME_TIMESTAMP":[1,2],"MESSAGE":"x"}')).toThrow();
    expect(() => parseJournalLine('{"__REALTIME_TIMESTAMP":"17893801310001","MESSAGE":"cut sh')).toThrow();
  });
});
