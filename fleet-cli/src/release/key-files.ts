import { chmod, readFile, writeFile } from "node:fs/promises";
import { generateUpdateKey, publicKeyOf } from "@jetson/device-bridge/release-signing";

/**
 * Writes a new update key: the private half to `file` (mode 0600; an existing file is never
 * overwritten, since devices pinned the key it holds) and the public half to `file.pub`.
 */
export async function writeNewKey(file: string): Promise<string> {
  const { publicKey, privateKeyPem } = generateUpdateKey();
  await writeFile(file, privateKeyPem, { mode: 0o600, flag: "wx" }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === "EEXIST" ? `${file} exists already: refusing to replace an update key devices may have pinned` : `Cannot write ${file}: ${error.message}`);
  });
  // The mode given to writeFile is masked by the umask.
  await chmod(file, 0o600);
  await writeFile(`${file}.pub`, `${publicKey}\n`);
  return publicKey;
}

export async function readPrivateKey(file: string): Promise<{ privateKeyPem: string; publicKey: string }> {
  const privateKeyPem = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read the update key ${file}: ${error.code ?? error.message}`);
  });
  try {
    return { privateKeyPem, publicKey: publicKeyOf(privateKeyPem) };
  } catch (error) {
    throw new Error(`${file} is not an Ed25519 private key in PEM: ${(error as Error).message}`);
  }
}
