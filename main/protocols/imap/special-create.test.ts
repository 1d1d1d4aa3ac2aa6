import { describe, expect, it } from 'vitest';
import { TwinboxError } from '../../../shared/errors';
import { ServerCapabilities } from './capabilities';
import { SpecialFolders } from './folders';
import type { ImapSession } from './session';
import { withTargetCreated } from './special-create';

/** A tagged NO with a response code, as imapflow hands it over, wrapped the way the session throws it. */
function refusedWith(code: string): TwinboxError {
  const cause = Object.assign(new Error('Command failed'), {
    responseStatus: 'NO',
    responseText: 'Mailbox does not exist',
    response: { tag: 'A1', command: 'NO', attributes: [{ type: 'ATOM', value: '', section: [{ type: 'ATOM', value: code }] }] },
  });
  return new TwinboxError('MAILBOX_NOT_FOUND', 'Command failed: Mailbox does not exist', { cause });
}

interface Listed {
  path: string;
  name: string;
  delimiter: string;
  flags: Set<string>;
  subscribed: boolean;
}

/** The commands a session sent, against a server with the given capabilities and folders. */
function fakeSession(capabilities: string[], folders: Listed[]): { session: ImapSession; sent: string[] } {
  const sent: string[] = [];
  const client = {
    list: () => Promise.resolve(folders),
    exec: (command: string, attributes: unknown[]) => {
      sent.push(`${command} ${JSON.stringify(attributes)}`);
      folders.push({ path: 'Archive', name: 'Archive', delimiter: '/', flags: new Set(['\\Archive']), subscribed: true });
      return Promise.resolve({ next: () => sent.push('next') });
    },
    mailboxCreate: (path: string) => {
      sent.push(`mailboxCreate ${path}`);
      folders.push({ path, name: path, delimiter: '/', flags: new Set(), subscribed: true });
      return Promise.resolve({ path, created: true });
    },
    mailboxSubscribe: (path: string) => {
      sent.push(`SUBSCRIBE ${path}`);
      return Promise.resolve(true);
    },
  };
  const session = { client, server: new ServerCapabilities(capabilities), run: <T>(command: () => Promise<T>) => command() };
  return { session: session as unknown as ImapSession, sent };
}

const INBOX: Listed = { path: 'INBOX', name: 'INBOX', delimiter: '/', flags: new Set(), subscribed: true };

/** A command refused with TRYCREATE the first time only. */
function refusedOnce(code = 'TRYCREATE'): { command: () => Promise<string>; runs: () => number } {
  let runs = 0;
  return {
    command: () => (++runs === 1 ? Promise.reject(refusedWith(code)) : Promise.resolve('done')),
    runs: () => runs,
  };
}

describe('creating a missing special folder on TRYCREATE', () => {
  it('creates it with its special use where the server has CREATE-SPECIAL-USE, then retries once', async () => {
    const { session, sent } = fakeSession(['IMAP4rev1', 'SPECIAL-USE', 'CREATE-SPECIAL-USE'], [{ ...INBOX }]);
    const special = new SpecialFolders();
    const { command, runs } = refusedOnce();
    await expect(withTargetCreated(session, special, 'Archive', command)).resolves.toBe('done');
    expect(runs()).toBe(2);
    expect(sent).toEqual([
      'CREATE [{"type":"STRING","value":"Archive"},[{"type":"ATOM","value":"USE"},[{"type":"ATOM","value":"\\\\Archive"}]]]',
      'next',
      'SUBSCRIBE Archive',
    ]);
    expect(await special.pathOf('archive', session)).toBe('Archive');
  });

  it('creates it plainly where the server cannot mark it', async () => {
    const { session, sent } = fakeSession(['IMAP4rev1'], [{ ...INBOX }]);
    const { command, runs } = refusedOnce();
    await expect(withTargetCreated(session, new SpecialFolders(), 'Sent', command)).resolves.toBe('done');
    expect(runs()).toBe(2);
    expect(sent).toEqual(['mailboxCreate Sent']);
  });

  it('creates nothing for a folder of the user’s own, nor for other refusals, and retries only once', async () => {
    const { session, sent } = fakeSession(['IMAP4rev1', 'CREATE-SPECIAL-USE'], [{ ...INBOX }]);
    const own = refusedOnce();
    await expect(withTargetCreated(session, new SpecialFolders(), 'Projects', own.command)).rejects.toMatchObject({
      code: 'MAILBOX_NOT_FOUND',
      message: expect.stringContaining('Projects') as unknown,
    });
    const quota = refusedOnce('OVERQUOTA');
    await expect(withTargetCreated(session, new SpecialFolders(), 'Archive', quota.command)).rejects.toBeInstanceOf(TwinboxError);
    expect([own.runs(), quota.runs()]).toEqual([1, 1]);
    expect(sent).toEqual([]);
    const always = () => Promise.reject(refusedWith('TRYCREATE'));
    await expect(withTargetCreated(session, new SpecialFolders(), 'Junk', always)).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
  });
});
