/** What the storage benchmark's Worker answers for one part: rows kept, bytes used and the cap on rows. */
export interface StorageFigure {
  rows: number;
  bytes: number;
  maxRows: number;
}
