import { describe, expect, it } from "vitest";
import { parseDf } from "./df.js";

// df -P -B1 -T on an Orin Nano developer kit booting from NVMe (JetPack 6).
const OUTPUT = `Filesystem     Type       1-blocks        Used    Available Capacity Mounted on
/dev/nvme0n1p1 ext4     244529655808 41394667520 190626111488      18% /
tmpfs          tmpfs      3911999488      118784   3911880704       1% /dev/shm
tmpfs          tmpfs      1564803072    19632128   1545170944       2% /run
/dev/nvme0n1p10 vfat       66059264      110592     65948672       1% /boot/efi
/dev/sda1      exfat     63999836160 12884901888  51114934272      21% /media/nvidia/USB DRIVE
binfmt_misc    binfmt_misc         0           0            0        - /proc/sys/fs/binfmt_misc
`;

describe("df -P -B1 -T", () => {
  it("reads size, used, available and use % of each mount, spaces in mount points included", () => {
    const mounts = parseDf(OUTPUT);
    expect(mounts[0]).toEqual({
      filesystem: "/dev/nvme0n1p1",
      type: "ext4",
      sizeBytes: 244529655808,
      usedBytes: 41394667520,
      availableBytes: 190626111488,
      usePercent: 18,
      mountpoint: "/",
    });
    expect(mounts[4]?.mountpoint).toBe("/media/nvidia/USB DRIVE");
    expect(mounts[5]?.usePercent).toBeUndefined();
    expect(mounts).toHaveLength(6);
  });

  it("refuses output that is not df -P -T", () => {
    expect(() => parseDf("Filesystem 1K-blocks Used Available Use% Mounted on\n")).toThrow(/unexpected header/);
  });
});
