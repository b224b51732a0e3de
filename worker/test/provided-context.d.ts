// What the global setup (test/support/metadata-document-server.ts at the repository root) provides to the tests.
export {};

declare module "vitest" {
  interface ProvidedContext {
    /** The origin of the metadata document server the Worker's tests fetch from. */
    metadataDocumentOrigin: string;
  }
}
