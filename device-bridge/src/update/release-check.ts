import { compareVersions, type ReleaseManifest } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import { signedBy } from "./release-signing.js";

export interface ReleaseExpectation {
  /** The version the caller asked for. */
  version: string;
  /** The update key this device trusts for this release. */
  pinnedKey: string;
  running: string;
  allowDowngrade: boolean;
  platform: string;
  arch: string;
}

/** Refuses, with the reason, a manifest this device must not install; the bundle's hash is checked as it downloads. */
export function checkManifest(manifest: ReleaseManifest, expected: ReleaseExpectation): void {
  if (!signedBy(manifest, expected.pinnedKey)) {
    throw new ActionError("permission_denied", `Release ${expected.version} refused: its signature is not the fleet's update key's (the key pinned on this device, or one the fleet's signed rotations lead to from it). Nothing was changed.`);
  }
  if (manifest.version !== expected.version) {
    throw new ActionError("permission_denied", `Release ${expected.version} refused: its signed manifest is for version ${manifest.version}. Nothing was changed.`);
  }
  if (manifest.platform !== expected.platform || manifest.arch !== expected.arch) {
    throw new ActionError(
      "not_supported",
      `Release ${manifest.version} is built for ${manifest.platform}/${manifest.arch}; this device is ${expected.platform}/${expected.arch}. Nothing was changed.`,
    );
  }
  const order = compareVersions(manifest.version, expected.running);
  if (order === 0) throw new ActionError("invalid_input", `The bridge already runs version ${expected.running}. Nothing was changed.`);
  if (order < 0 && !expected.allowDowngrade) {
    throw new ActionError(
      "invalid_input",
      `Release ${manifest.version} is older than the running ${expected.running}: a downgrade needs allowDowngrade: true. Nothing was changed.`,
    );
  }
}
