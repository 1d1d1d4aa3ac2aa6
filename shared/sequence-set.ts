/**
 * Sets of IMAP UIDs, read from and written as sequence sets ("1:40,42,50:60").
 * Kept as sorted, disjoint, non-touching ranges: a folder of 100,000 messages
 * with a few deletions costs a few numbers, both in the cache's sync state and
 * on the wire.
 */
import { TwinboxError } from './errors';

/** First and last UID, both included. */
export type UidRange = readonly [first: number, last: number];

/** The largest UID RFC 9051 allows (nz-number is a 32-bit unsigned integer). */
export const MAX_UID = 0xffff_ffff;

/** An immutable set of UIDs; every operation returns a new set. */
export class UidSet {
  /** The set without any UID. */
  static readonly empty = new UidSet([]);

  /** How many UIDs the set holds. */
  readonly size: number;

  private constructor(readonly ranges: readonly UidRange[]) {
    this.size = ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0);
  }

  /**
   * Reads a sequence set of UIDs. `*` has no meaning for a set the cache
   * holds, so it is refused along with anything else that is not a UID.
   */
  static parse(text: string): UidSet {
    const trimmed = text.trim();
    if (trimmed === '') return UidSet.empty;
    const ranges = trimmed.split(',').map((part): UidRange => {
      const match = /^\s*(\d+)(?::(\d+))?\s*$/.exec(part);
      if (!match) throw new TwinboxError('INVALID_REQUEST', `not a UID sequence set: "${text.slice(0, 80)}"`);
      const a = uidOf(match[1] ?? '', text);
      const b = match[2] === undefined ? a : uidOf(match[2], text);
      return a <= b ? [a, b] : [b, a];
    });
    return UidSet.fromRanges(ranges);
  }

  /** The set of these UIDs, in any order, duplicates allowed. */
  static of(uids: Iterable<number>): UidSet {
    const sorted = [...uids].sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const uid of sorted) {
      if (!Number.isSafeInteger(uid) || uid < 1 || uid > MAX_UID) throw new TwinboxError('INVALID_REQUEST', `not a UID: ${uid}`);
      const last = ranges[ranges.length - 1];
      if (last && uid <= last[1] + 1) last[1] = Math.max(last[1], uid);
      else ranges.push([uid, uid]);
    }
    return new UidSet(ranges);
  }

  /** Normalises ranges in any order, overlapping or touching. */
  static fromRanges(input: Iterable<UidRange>): UidSet {
    const sorted = [...input].map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a])).sort((x, y) => x[0] - y[0]);
    const ranges: [number, number][] = [];
    for (const [first, last] of sorted) {
      const previous = ranges[ranges.length - 1];
      if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
      else ranges.push([first, last]);
    }
    return new UidSet(ranges);
  }

  /** True when the set holds no UID. */
  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** The lowest UID, if any. */
  get min(): number | undefined {
    return this.ranges[0]?.[0];
  }

  /** The highest UID, if any. */
  get max(): number | undefined {
    return this.ranges[this.ranges.length - 1]?.[1];
  }

  /** Whether the set holds `uid` (binary search over the ranges). */
  has(uid: number): boolean {
    let low = 0;
    let high = this.ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const [first, last] = this.ranges[middle] as UidRange;
      if (uid < first) high = middle - 1;
      else if (uid > last) low = middle + 1;
      else return true;
    }
    return false;
  }

  /** The UIDs in either set. */
  union(other: UidSet): UidSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return UidSet.fromRanges([...this.ranges, ...other.ranges]);
  }

  /** The UIDs of this set that `other` lacks. */
  subtract(other: UidSet): UidSet {
    if (this.isEmpty || other.isEmpty) return this;
    const result: UidRange[] = [];
    let j = 0;
    for (const [first, last] of this.ranges) {
      let start = first;
      while (j < other.ranges.length && (other.ranges[j] as UidRange)[1] < start) j++;
      let k = j;
      while (start <= last) {
        const cut = other.ranges[k];
        if (!cut || cut[0] > last) {
          result.push([start, last]);
          break;
        }
        if (cut[0] > start) result.push([start, cut[0] - 1]);
        start = cut[1] + 1;
        k++;
      }
    }
    return new UidSet(result);
  }

  /** The UIDs in both sets. */
  intersect(other: UidSet): UidSet {
    return this.subtract(this.subtract(other));
  }

  /** The UIDs from 1 to `upTo` that this set lacks: its gaps, and what lies above it. */
  complement(upTo: number): UidSet {
    if (upTo < 1) return UidSet.empty;
    return new UidSet([[1, upTo]]).subtract(this);
  }

  /** Every UID, highest first. */
  *descending(): Generator<number, void, undefined> {
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const [first, last] = this.ranges[i] as UidRange;
      for (let uid = last; uid >= first; uid--) yield uid;
    }
  }

  /** Every UID, lowest first. */
  *ascending(): Generator<number, void, undefined> {
    for (const [first, last] of this.ranges) {
      for (let uid = first; uid <= last; uid++) yield uid;
    }
  }

  /**
   * Consecutive slices from the highest UID down: the first holds
   * `firstSize` UIDs, the others `size`. A sync fetches the newest mail first,
   * so the first screen fills before the rest arrives.
   */
  *slicesDescending(firstSize: number, size: number): Generator<UidSet, void, undefined> {
    let batch: number[] = [];
    let limit = Math.max(1, firstSize);
    for (const uid of this.descending()) {
      batch.push(uid);
      if (batch.length === limit) {
        yield UidSet.of(batch);
        batch = [];
        limit = Math.max(1, size);
      }
    }
    if (batch.length > 0) yield UidSet.of(batch);
  }

  /** The compact sequence set, e.g. "1:40,42"; empty for the empty set. */
  toString(): string {
    return this.ranges.map(([first, last]) => (first === last ? String(first) : `${first}:${last}`)).join(',');
  }

  /**
   * The set as sequence-set strings of at most `maxLength` characters each.
   * Servers cap the length of a command line (Dovecot at 64 KiB), and a
   * folder whose UIDs are full of gaps can make a set longer than that.
   */
  toChunks(maxLength = 8000): string[] {
    const chunks: string[] = [];
    let current = '';
    for (const [first, last] of this.ranges) {
      const part = first === last ? String(first) : `${first}:${last}`;
      if (current !== '' && current.length + 1 + part.length > maxLength) {
        chunks.push(current);
        current = '';
      }
      current = current === '' ? part : `${current},${part}`;
    }
    if (current !== '') chunks.push(current);
    return chunks;
  }

  /** Each UID as the decimal string the adapter interface calls a server id. */
  toServerIds(): string[] {
    return [...this.ascending()].map(String);
  }
}

/** Whether the text is a sequence set of UIDs as the cache keeps them (what UidSet.parse reads). */
export function isUidSequenceSet(text: string): boolean {
  try {
    UidSet.parse(text);
    return true;
  } catch {
    return false;
  }
}

function uidOf(digits: string, text: string): number {
  const uid = Number(digits);
  if (!Number.isSafeInteger(uid) || uid < 1 || uid > MAX_UID) {
    throw new TwinboxError('INVALID_REQUEST', `not a UID sequence set: "${text.slice(0, 80)}"`);
  }
  return uid;
}

/**
 * Reads the server ids a caller passes (IMAP UIDs as decimal strings). An id
 * that is not a UID cannot name a message in an IMAP folder: it is a bug in
 * the caller, not something the server should be asked about.
 */
export function uidSetOfServerIds(serverIds: readonly string[]): UidSet {
  return UidSet.of(
    serverIds.map((id) => {
      if (!/^\d+$/.test(id)) throw new TwinboxError('INVALID_REQUEST', `not an IMAP UID: "${id.slice(0, 40)}"`);
      return Number(id);
    }),
  );
}
