/**
 * Writes a set of IMAP UIDs as a sequence set ("1:40,42,50:60"): the cache
 * tells main which messages it holds in a few bytes when they are contiguous,
 * however many there are.
 */
export function toSequenceSet(uids: Iterable<number>): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  for (const uid of sorted) {
    if (previous !== undefined && uid === previous) continue;
    if (start === undefined || previous === undefined || uid !== previous + 1) {
      if (start !== undefined && previous !== undefined) parts.push(start === previous ? `${start}` : `${start}:${previous}`);
      start = uid;
    }
    previous = uid;
  }
  if (start !== undefined && previous !== undefined) parts.push(start === previous ? `${start}` : `${start}:${previous}`);
  return parts.join(',');
}
