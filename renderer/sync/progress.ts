/** How far a folder sync has come, for the progress bar. */
export interface SyncProgress {
  accountId: string;
  folder: string;
  done: number;
  total: number;
}
