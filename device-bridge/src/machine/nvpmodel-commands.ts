// The nvpmodel command lines the bridge runs as root. The sudoers file names exactly these
// (host/privileged.ts), with one `-m ID` per mode of the board's own table: never -f, which
// makes nvpmodel read its configuration from any file.

export const NVPMODEL_QUERY: readonly string[] = ["-q"];
export const NVPMODEL_TABLE: readonly string[] = ["-p", "--verbose"];
export const nvpmodelSetArgs = (id: number): string[] => ["-m", String(id)];
