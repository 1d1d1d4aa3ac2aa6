import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwinboxError } from './errors';
import { MAX_UID, UidSet, uidSetOfServerIds } from './sequence-set';

const uidLists = fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 120 });
const asSorted = (uids: Iterable<number>): number[] => [...new Set(uids)].sort((a, b) => a - b);

describe('UID sets', () => {
  it('reads and writes compact sequence sets', () => {
    expect(UidSet.parse('1:3,5,7:9').toString()).toBe('1:3,5,7:9');
    expect(UidSet.parse(' 9:7 , 1,2,3,5 ').toString()).toBe('1:3,5,7:9');
    expect(UidSet.parse('4,3,2,1').toString()).toBe('1:4');
    expect(UidSet.parse('').size).toBe(0);
    expect(UidSet.parse('1:40,42').size).toBe(41);
  });

  it('refuses what is not a set of UIDs', () => {
    for (const text of ['1:*', '0', 'a', '1,,2', '-3', `${MAX_UID + 1}`]) {
      expect(() => UidSet.parse(text), text).toThrow(TwinboxError);
    }
    expect(() => uidSetOfServerIds(['12', 'x'])).toThrow(/not an IMAP UID/);
  });

  it('does set arithmetic the way plain arrays do', () => {
    fc.assert(
      fc.property(uidLists, uidLists, (a, b) => {
        const setA = UidSet.of(a);
        const setB = UidSet.of(b);
        const inB = new Set(b);
        expect([...setA.ascending()]).toEqual(asSorted(a));
        expect([...setA.union(setB).ascending()]).toEqual(asSorted([...a, ...b]));
        expect([...setA.subtract(setB).ascending()]).toEqual(asSorted(a).filter((uid) => !inB.has(uid)));
        expect([...setA.intersect(setB).ascending()]).toEqual(asSorted(a).filter((uid) => inB.has(uid)));
        expect([...setA.complement(450).ascending()]).toEqual(Array.from({ length: 450 }, (_, i) => i + 1).filter((uid) => !setA.has(uid)));
        expect(UidSet.parse(setA.toString()).toString()).toBe(setA.toString());
        expect(setA.size).toBe(asSorted(a).length);
      }),
    );
  });

  it('hands out newest-first batches, the first one smaller, without gaps or repeats', () => {
    const all = UidSet.parse('1:7,10,20:22');
    const batches = [...all.slicesDescending(2, 4)].map((batch) => [...batch.descending()]);
    expect(batches).toEqual([[22, 21], [20, 10, 7, 6], [5, 4, 3, 2], [1]]);
  });

  it('splits a set full of gaps into commands short enough for any server', () => {
    const scattered = UidSet.of(Array.from({ length: 5000 }, (_, i) => 2 * i + 1));
    const chunks = scattered.toChunks(1000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(1000);
    expect(UidSet.parse(chunks.join(',')).toString()).toBe(scattered.toString());
  });
});
