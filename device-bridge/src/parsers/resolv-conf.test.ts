import { describe, expect, it } from "vitest";
import { parseResolvConf } from "./resolv-conf.js";

describe("resolv.conf", () => {
  it("reads the stub file systemd-resolved writes", () => {
    const stub = [
      "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).",
      "# Do not edit.",
      "nameserver 127.0.0.53",
      "options edns0 trust-ad",
      "search lan",
      "",
    ].join("\n");
    expect(parseResolvConf(stub)).toEqual({ servers: ["127.0.0.53"], search: ["lan"] });
  });

  it("reads upstream servers, IPv6 included, and ignores comments", () => {
    const upstream = "nameserver 192.168.1.1\nnameserver fe80::1%eth0 ; router\n; nameserver 8.8.8.8\ndomain example.org\n";
    expect(parseResolvConf(upstream)).toEqual({ servers: ["192.168.1.1", "fe80::1%eth0"], search: ["example.org"] });
  });
});
