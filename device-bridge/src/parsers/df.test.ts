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

  it("reads a filesystem whose name holds spaces (sshfs, rclone, davfs), and leaves out a row it cannot read instead of failing", () => {
    const text = `${OUTPUT}my drive       tmpfs      1048576        4096      1044480       1% /mnt/my drive
nvidia@nas:/srv/My Files fuse.sshfs 1000000000 250000000 750000000 25% /home/nvidia/nas
no numbers here
`;
    const mounts = parseDf(text);
    expect(mounts.slice(6)).toEqual([
      { filesystem: "my drive", type: "tmpfs", sizeBytes: 1048576, usedBytes: 4096, availableBytes: 1044480, usePercent: 1, mountpoint: "/mnt/my drive" },
      { filesystem: "nvidia@nas:/srv/My Files", type: "fuse.sshfs", sizeBytes: 1e9, usedBytes: 2.5e8, availableBytes: 7.5e8, usePercent: 25, mountpoint: "/home/nvidia/nas" },
    ]);
    expect(mounts).toHaveLength(8);
  });

  it("refuses output that is not df -P -T", () => {
    expect(() => parseDf("Filesystem 1K-blocks Used Available Use% Mounted on\n")).toThrow(/unexpected header/);
  });
});
