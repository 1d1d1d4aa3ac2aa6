/**
 * V8 settings that trade a little collection time for much less memory, in
 * main and in the page. Both keep little data alive (main about 30 MB after
 * downloading 10,000 messages) but make garbage quickly (parsing mail,
 * framing IPC, building search postings), and by default V8 lets a heap grow
 * to about four times what survives before collecting it in full (main's
 * heap, traced: 113.6 MB in use, 28.6 MB after the collection). Measured by
 * `npm run bench` on 10,000 messages: main peaked at 192 to 200 MB with its
 * setting (197 to 207 MB with 50 % growth, 265 to 318 without), the page at
 * 219 to 238 MB with both of its settings below, 260 to 357 MB with the one it
 * keeps and 340 to 353 MB with neither; in paired runs main spent about 3
 * CPU-seconds more on collection during a POP3 download.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * For main, set while it runs: V8 reads this one each time it sizes the heap
 * after a collection. Flags that size the heap once at start (the young
 * generation's `--max-semi-space-size`) do nothing this late, and a packaged
 * app has no command line to give them earlier.
 */
export const MAIN_V8_FLAGS = ['--heap-growing-percent=30'];

/**
 * For every page: Electron's `js-flags` switch, and the Chromium that tests
 * and the benchmark start. Only the young generation's size. With
 * `--heap-growing-percent=30` here too (as main has it) the page peaked lower
 * while indexing 10,000 messages (233 MB against 298 MB without it), but a
 * 100,000-message IMAP sync took 3.4 times as long (454 s against 132 s, the
 * browser process, where IndexedDB runs, at 210 CPU-seconds against 62),
 * 50 % alike: the memory is the price of not being that slow. It acts through the page: given to the renderers alone, the
 * sync took as long (203 s, browser process 208 CPU-seconds). How the page's
 * collections make IndexedDB's backend work harder is not known yet.
 * (`--optimize-for-size` saved as much memory but made local search a quarter
 * slower.)
 */
export const RENDERER_JS_FLAGS = '--max-semi-space-size=2';

export function tuneMainHeap(): void {
  for (const flag of MAIN_V8_FLAGS) setFlagsFromString(flag);
}
