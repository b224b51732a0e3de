// The one node:zlib call the Worker makes (nodejs_compat provides the module); the Worker's types leave Node's out.
declare module "node:zlib" {
  export function inflateRawSync(buffer: Uint8Array, options?: { maxOutputLength?: number }): Uint8Array;
}
