/**
 * Places where the tests kill Twinbox on purpose, to prove that a crash at
 * any point of a POP3 download loses no message and duplicates none. With
 * `TWINBOX_CRASH_AT=<point>` (or `<point>:<n>` for the n-th time) in its
 * environment, main kills itself with SIGKILL there, as a power cut would:
 * no cleanup, no QUIT. The app never sets it; unset, a crash point is a
 * comparison and nothing else.
 */
export type CrashPoint =
  /** A batch of POP3 messages is flushed into the store; the page has not heard of it. */
  | 'pop3-stored'
  /** The page committed and asked for server deletions; DELE is about to be sent. */
  | 'pop3-before-dele'
  /** Every DELE was acknowledged; QUIT, which makes them happen, is about to be sent. */
  | 'pop3-before-quit';

const wanted = parse(process.env.TWINBOX_CRASH_AT);
let reached = 0;

export function crashPoint(point: CrashPoint): void {
  if (wanted?.point !== point) return;
  reached++;
  if (reached === wanted.count) process.kill(process.pid, 'SIGKILL');
}

function parse(value: string | undefined): { point: string; count: number } | undefined {
  if (value === undefined || value === '') return undefined;
  const [point = '', count = '1'] = value.split(':');
  return { point, count: Math.max(1, Number.parseInt(count, 10) || 1) };
}
