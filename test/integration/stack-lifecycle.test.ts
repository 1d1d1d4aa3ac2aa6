import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLocalMailStack } from '../mailstack/local-stack';
import { mailStack, skipBecause } from '../mailstack/index';
import { processesInGroup } from '../mailstack/processes';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The harness itself: two more stacks start next to the one this run uses,
 * each on its own ports; stopping one leaves no process and no file behind
 * and does not touch the others. (Start-up time is printed by the global
 * setup, not asserted: tests do not time.)
 */
describe('local mail stack', () => {
  it('runs several instances at once and stops each without leftovers', async (context) => {
    if (mailStack().origin !== 'local') skipBecause(context, 'the run uses an external server; the local harness is not under test');
    const [first, second] = await Promise.all([startLocalMailStack(), startLocalMailStack()]);
    try {
      const ports = (stack: typeof first): number[] =>
        [stack.info.imap, stack.info.imaps, stack.info.pop3, stack.info.pop3s, stack.info.smtp, stack.info.smtps]
          .filter((e) => e !== undefined)
          .map((e) => e.port);
      expect(new Set([...ports(first), ...ports(second)]).size).toBe(ports(first).length * 2);
      for (const port of [...ports(first), ...ports(second)]) expect(await accepts(port)).toBe(true);
    } finally {
      await first.stop();
    }
    const groups = first.processGroups;
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) expect(processesInGroup(group)).toEqual([]);
    expect(existsSync(first.dir)).toBe(false);
    for (const port of [first.info.imap!.port, first.info.pop3!.port]) expect(await accepts(port)).toBe(false);

    // The other instance is untouched by its neighbour's stop.
    expect(await accepts(second.info.imap!.port)).toBe(true);
    await second.stop();
    expect(existsSync(second.dir)).toBe(false);
    for (const group of second.processGroups) expect(processesInGroup(group)).toEqual([]);
  });
});
