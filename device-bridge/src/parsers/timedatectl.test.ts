import { describe, expect, it } from "vitest";
import { parseTimedatectlShow, parseTimedatectlStatus, zonedTimeToIso } from "./timedatectl.js";

describe("timedatectl", () => {
  it("reads `timedatectl show` (systemd 249)", () => {
    const text = `Timezone=America/Los_Angeles
LocalRTC=no
CanNTP=yes
NTP=yes
NTPSynchronized=yes
TimeUSec=Mon 2026-09-14 10:21:33 PDT
RTCTimeUSec=Mon 2026-09-14 10:21:34 PDT
`;
    expect(parseTimedatectlShow(text)).toEqual({
      time: "2026-09-14T17:21:33.000Z",
      localTime: "Mon 2026-09-14 10:21:33 PDT",
      timezone: "America/Los_Angeles",
      ntpEnabled: true,
      ntpSynchronized: true,
      rtcInLocalTz: false,
    });
  });

  it("reads `timedatectl status` of systemd 237 (JetPack 4)", () => {
    const text = `                      Local time: Mon 2026-09-14 17:21:33 UTC
                  Universal time: Mon 2026-09-14 17:21:33 UTC
                        RTC time: Mon 2026-09-14 17:21:34
                       Time zone: Etc/UTC (UTC, +0000)
       System clock synchronized: no
systemd-timesyncd.service active: yes
                 RTC in local TZ: no
`;
    expect(parseTimedatectlStatus(text)).toEqual({
      time: "2026-09-14T17:21:33.000Z",
      localTime: "Mon 2026-09-14 17:21:33 UTC",
      timezone: "Etc/UTC",
      ntpEnabled: true,
      ntpSynchronized: false,
      rtcInLocalTz: false,
    });
  });

  it("reads the status layout of systemd 249 too", () => {
    const text = `               Local time: Mon 2026-09-14 19:21:33 CEST
           Universal time: Mon 2026-09-14 17:21:33 UTC
                 RTC time: Mon 2026-09-14 17:21:33
                Time zone: Europe/Berlin (CEST, +0200)
System clock synchronized: yes
              NTP service: active
          RTC in local TZ: no
`;
    expect(parseTimedatectlStatus(text)).toMatchObject({ timezone: "Europe/Berlin", ntpEnabled: true, ntpSynchronized: true, time: "2026-09-14T17:21:33.000Z" });
  });

  it("converts wall time in an IANA zone, across daylight saving and for unknown zones", () => {
    expect(zonedTimeToIso("Sun 2026-01-11 08:00:00 PST", "America/Los_Angeles")).toBe("2026-01-11T16:00:00.000Z");
    expect(zonedTimeToIso("Mon 2026-09-14 19:21:33 CEST", "Europe/Berlin")).toBe("2026-09-14T17:21:33.000Z");
    expect(zonedTimeToIso("Mon 2026-09-14 17:21:33 UTC", "Etc/UTC")).toBe("2026-09-14T17:21:33.000Z");
    expect(zonedTimeToIso("Mon 2026-09-14 17:21:33", "Mars/Olympus_Mons")).toBeUndefined();
    expect(zonedTimeToIso("n/a", "UTC")).toBeUndefined();
  });
});
