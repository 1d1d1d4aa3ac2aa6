/**
 * V8 settings that trade a little collection time for much less memory, in
 * main and in the page. Both keep little data alive (main about 30 MB after
 * downloading 10,000 messages) but make garbage quickly (parsing mail,
 * framing IPC, building search postings), and by default V8 lets a heap grow
 * to about four times what survives before collecting it in full. Measured
 * with `npm run bench` tooling on 10,000 messages (a POP3 download and its
 * indexing): main peaked at 286 MB by default and at 185 to 189 MB with
 * growth held to half of what survives (main spends about 3 CPU-seconds more
 * on collection; the download took 13.8 to 17.1 s against 14.0 to 15.2 s),
 * and the page at 320 to 350 MB by default and 240 MB with
 * `--optimize-for-size` (the same download 15.3 s, indexing 17.9 s).
 */
import { setFlagsFromString } from 'node:v8';

/**
 * For main, set while it runs: V8 reads this one each time it sizes the heap
 * after a collection. (`--optimize-for-size` set this late made main's work
 * slower, 16.8 against 9.6 CPU-seconds; on the command line it did not, but a
 * packaged app has none.)
 */
export const MAIN_V8_FLAGS = ['--heap-growing-percent=50'];

/** For every page: Electron's `js-flags` switch, and the Chromium that tests and the benchmark start. */
export const RENDERER_JS_FLAGS = '--optimize-for-size';

export function tuneMainHeap(): void {
  for (const flag of MAIN_V8_FLAGS) setFlagsFromString(flag);
}
