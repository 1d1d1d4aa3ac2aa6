import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as PostalMimeModule from 'postal-mime';
import type * as Structure from './structure';
import { parseMessage } from './parse';

// Which dependency the next parse should find broken, to reach the fallbacks a real bug would.
const broken = vi.hoisted(() => ({ structure: false, postalMime: false }));

vi.mock('./structure', async (importOriginal) => {
  const actual = await importOriginal<typeof Structure>();
  return {
    ...actual,
    parseMimeTree: (...args: Parameters<typeof actual.parseMimeTree>) => {
      if (broken.structure) throw new Error('simulated reader bug');
      return actual.parseMimeTree(...args);
    },
  };
});

vi.mock('postal-mime', async (importOriginal) => {
  const actual = await importOriginal<typeof PostalMimeModule>();
  return {
    ...actual,
    default: {
      parse: (...args: Parameters<typeof actual.default.parse>) => (broken.postalMime ? Promise.reject(new Error('simulated postal-mime bug')) : actual.default.parse(...args)),
    },
  };
});

const message = Buffer.from(
  ['From: Ann <ann@example.org>', 'Subject: Still readable', 'Date: Tue, 7 Apr 2026 10:00:00 +0000', 'Content-Type: multipart/alternative; boundary="a"', '', '--a', 'Content-Type: text/plain', '', 'Plain words', '--a', 'Content-Type: text/html', '', '<p>HTML words</p>', '--a--', ''].join('\r\n'),
);

afterEach(() => {
  broken.structure = false;
  broken.postalMime = false;
});

describe('when a part of the parser fails', () => {
  it('falls back to postal-mime alone and says so', async () => {
    broken.structure = true;
    const parsed = await parseMessage(message);
    expect(parsed.summary).toMatchObject({ subject: 'Still readable', from: [{ name: 'Ann', address: 'ann@example.org' }], date: '2026-04-07T10:00:00.000Z' });
    expect(parsed.text).toContain('Plain words');
    expect(parsed.warnings).toEqual([expect.stringContaining('simulated reader bug')]);
  });

  it('still returns an empty summary with warnings when nothing can read the message', async () => {
    broken.structure = true;
    broken.postalMime = true;
    const parsed = await parseMessage(message);
    expect(parsed.summary).toEqual({ references: [], subject: '', from: [], to: [], cc: [], replyTo: [], hasAttachments: false });
    expect(parsed.warnings).toEqual([expect.stringContaining('simulated reader bug'), expect.stringContaining('simulated postal-mime bug')]);
  });

  it('joins the text parts itself when postal-mime cannot assemble them', async () => {
    broken.postalMime = true;
    const parsed = await parseMessage(message);
    expect(parsed.summary.subject).toBe('Still readable');
    expect(parsed.text).toBe('Plain words');
    expect(parsed.html).toBe('<p>HTML words</p>');
    expect(parsed.warnings).toEqual([expect.stringContaining('without the usual rules')]);
  });
});
