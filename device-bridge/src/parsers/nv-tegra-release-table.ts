/**
 * Every L4T (Jetson Linux) release NVIDIA published with a JetPack, R28 to R39, after NVIDIA's
 * JetPack archive (developer.nvidia.com/embedded/jetpack-archive) as jetson_stats' table lists it.
 * Keys are exact "major.minor.patch" (NVIDIA wrote R32.1 for 32.1.0). A preview keeps NVIDIA's mark
 * (DP developer preview, EA early access, PRE pre-release), so it never passes for the release that followed it.
 * A release missing here stays unknown rather than guessed from its neighbours.
 */
export const L4T_JETPACK_RELEASES: ReadonlyArray<readonly [l4t: string, jetpack: string]> = [
  // JetPack 3 (TX1, TX2)
  ["28.1.0", "3.1"],
  ["28.2.0", "3.2"],
  ["28.2.1", "3.3"], // also shipped in JetPack 3.2.1; the board cannot tell which installed it
  ["28.4.0", "3.3.3"],
  // JetPack 4.0 and 4.1 (AGX Xavier only)
  ["31.0.1", "4.0 DP"],
  ["31.0.2", "4.1"],
  ["31.1.0", "4.1.1"],
  // JetPack 4.2 to 4.6 (Nano, TX1, TX2, Xavier)
  ["32.1.0", "4.2"],
  ["32.2.0", "4.2.1"],
  ["32.2.1", "4.2.2"],
  ["32.2.3", "4.2.3"],
  ["32.3.1", "4.3"],
  ["32.4.2", "4.4 DP"],
  ["32.4.3", "4.4"],
  ["32.4.4", "4.4.1"],
  ["32.5.0", "4.5"],
  ["32.5.1", "4.5.1"],
  ["32.5.2", "4.5.1"], // an update release within JetPack 4.5.1
  ["32.6.1", "4.6"],
  ["32.7.1", "4.6.1"],
  ["32.7.2", "4.6.2"],
  ["32.7.3", "4.6.3"],
  ["32.7.4", "4.6.4"],
  ["32.7.5", "4.6.5"],
  ["32.7.6", "4.6.6"],
  // JetPack 5 (Xavier, Orin)
  ["34.0.1", "5.0 PRE-DP"],
  ["34.1.0", "5.0 DP"],
  ["34.1.1", "5.0.1 DP"],
  ["35.1.0", "5.0.2"],
  ["35.2.1", "5.1"],
  ["35.3.0", "5.1.1 PRE"],
  ["35.3.1", "5.1.1"],
  ["35.4.1", "5.1.2"],
  ["35.5.0", "5.1.3"],
  ["35.6.0", "5.1.4"],
  ["35.6.1", "5.1.5"],
  ["35.6.2", "5.1.5"], // update releases within JetPack 5.1.5
  ["35.6.3", "5.1.5"],
  ["35.6.4", "5.1.6"],
  // JetPack 6 (Orin)
  ["36.0.0", "6.0 EA"],
  ["36.2.0", "6.0 DP"],
  ["36.3.0", "6.0"],
  ["36.4.0", "6.1"],
  ["36.4.2", "6.1"], // JetPack 6.1 rev. 1
  ["36.4.3", "6.2"],
  ["36.4.4", "6.2.1"],
  ["36.4.7", "6.2.1"], // an update release within JetPack 6.2.1
  ["36.5.0", "6.2.2"],
  // JetPack 7 (Thor; Orin again from 7.2)
  ["38.2.0", "7.0"],
  ["38.2.1", "7.0"],
  ["38.2.2", "7.0"],
  ["38.4.0", "7.1"],
  ["39.0.0", "7.2 EA"],
  ["39.2.0", "7.2"],
];
