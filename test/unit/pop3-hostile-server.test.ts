import { afterEach, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { ProtocolLogLine, ServerSettings } from '../../shared/model';
import type { AdapterDelta, Timeouts } from '../../main/protocols/adapter';
import { Pop3Adapter } from '../../main/protocols/pop3/adapter';
import { ordinaryReply, startScriptedServer } from './scripted-pop3-server';
import type { ScriptedConnection, ScriptedMessage, ScriptedServer } from './scripted-pop3-server';

/**
 * What the POP3 client does when the server misbehaves: stalls, drops, sends
 * garbage, lacks UIDL, strips STLS, loses the QUIT. A scripted server on
 * loopback plays each part; well-behaved servers are tested against Dovecot.
 */

const PASSWORD = 'hunter2-secret';
const messages: ScriptedMessage[] = [
  { uidl: 'uid-1', raw: 'Subject: one\r\nMessage-ID: <one@example.org>\r\n\r\nfirst\r\n' },
  { uidl: 'uid-2', raw: 'Subject: two\r\nMessage-ID: <two@example.org>\r\n\r\nsecond\r\n.dot-led\r\n' },
  { uidl: 'uid-3', raw: 'Subject: three\r\nMessage-ID: <three@example.org>\r\n\r\nthird\r\n' },
];
const basicCapabilities = ['USER', 'UIDL', 'TOP'];

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers ordinarily except where `twist` handles the command (returns true). */
async function serverWith(options: {
  capabilities?: string[];
  greeting?: string | null;
  twist?: (command: string, connection: ScriptedConnection) => boolean;
}): Promise<ScriptedServer> {
  const capabilities = options.capabilities ?? basicCapabilities;
  server = await startScriptedServer({
    ...(options.greeting === undefined ? {} : { greeting: options.greeting }),
    onCommand: (command, connection) => {
      if (options.twist?.(command, connection)) return;
      const reply = ordinaryReply(command, { capabilities, messages });
      if (reply !== undefined) connection.write(reply);
    },
  });
  return server;
}

function adapterFor(
  target: ScriptedServer,
  options: { timeouts?: Partial<Timeouts>; server?: Partial<ServerSettings>; log?: ProtocolLogLine[] } = {},
): Pop3Adapter {
  const log = options.log;
  return new Pop3Adapter({
    accountId: 'account-1',
    server: { ...target.settings(), ...options.server },
    password: PASSWORD,
    timeouts: { connectMs: 2000, commandMs: 2000, ...options.timeouts },
    ...(log ? { log: (line: ProtocolLogLine) => log.push(line) } : {}),
  });
}

async function syncAll(adapter: Pop3Adapter, batchSize = 50): Promise<{ deltas: AdapterDelta[]; error: unknown }> {
  const deltas: AdapterDelta[] = [];
  try {
    for await (const delta of adapter.sync('INBOX', { protocol: 'pop3', knownUidls: new Set() }, { batchSize })) deltas.push(delta);
    return { deltas, error: undefined };
  } catch (error) {
    return { deltas, error };
  }
}

function codeOf(error: unknown): string | undefined {
  return error instanceof TwinboxError ? error.code : undefined;
}

function serverIdsIn(deltas: AdapterDelta[]): string[] {
  return deltas.flatMap((delta) => (delta.kind === 'messages' ? delta.summaries.map((summary) => summary.serverId) : []));
}

describe('POP3 client against a misbehaving server', () => {
  it('gives up with TIMEOUT when the server stalls in the middle of a message', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (!command.startsWith('RETR')) return false;
        connection.write('+OK\r\nSubject: three\r\n');
        return true;
      },
    });
    const { deltas, error } = await syncAll(adapterFor(target, { timeouts: { commandMs: 300 } }));
    expect(codeOf(error)).toBe('TIMEOUT');
    expect(serverIdsIn(deltas)).toEqual([]);
  });

  it('settles a sync stuck on a silent server at once when the adapter is closed', async () => {
    let retrReceived: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (retrReceived = resolve));
    const target = await serverWith({
      twist: (command) => {
        if (!command.startsWith('RETR')) return false;
        retrReceived();
        return true;
      },
    });
    // A command timeout far beyond the test's own: only close() can end this sync in time.
    const adapter = adapterFor(target, { timeouts: { commandMs: 120_000 } });
    const syncing = syncAll(adapter);
    await stuck;
    await expect(adapter.close()).resolves.toBeUndefined();
    const { deltas, error } = await syncing;
    expect(codeOf(error)).toBe('CONNECTION_LOST');
    expect(serverIdsIn(deltas)).toEqual([]);
  });

  it('gives up with TIMEOUT when the server never greets', async () => {
    const target = await serverWith({ greeting: null });
    await expect(adapterFor(target, { timeouts: { connectMs: 300 } }).connect()).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('reports CONNECTION_LOST when the server drops mid-RETR, and no part of that message surfaces', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'RETR 2') return false;
        connection.write('+OK\r\nSubject: two\r\nMessage-ID: <two@example.org>\r\n\r\nsec');
        setTimeout(() => connection.drop(), 20);
        return true;
      },
    });
    const { deltas, error } = await syncAll(adapterFor(target), 1);
    expect(codeOf(error)).toBe('CONNECTION_LOST');
    // Newest first: message 3 came whole before the drop; message 2 must not appear in any form.
    expect(serverIdsIn(deltas)).toEqual(['uid-3']);
    expect(deltas.some((delta) => delta.kind === 'done')).toBe(false);
  });

  it('hands over no bytes for a listed message the server then refuses, so it is not stored and the next sync tries it again', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'RETR 2') return false;
        connection.write('-ERR Message was expunged by another session\r\n');
        return true;
      },
    });
    const { deltas, error } = await syncAll(adapterFor(target));
    expect(error).toBeUndefined();
    expect(serverIdsIn(deltas)).toEqual(['uid-3', 'uid-1']);
    const sources = deltas.flatMap((delta) => (delta.kind === 'messages' ? delta.sources.map((source) => source.serverId) : []));
    expect(sources).toEqual(['uid-3', 'uid-1']);
    // Still on the server, as far as retention is concerned.
    const done = deltas.find((delta) => delta.kind === 'done');
    expect(done?.kind === 'done' ? done.onServer : undefined).toEqual(['uid-1', 'uid-2', 'uid-3']);
  });

  it('reports PROTOCOL_ERROR for a greeting that is not POP3', async () => {
    const target = await serverWith({ greeting: '* OK [CAPABILITY IMAP4rev1] ready' });
    await expect(adapterFor(target).connect()).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('reports PROTOCOL_ERROR for an endless reply line at once, without waiting for a timeout', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'UIDL') return false;
        connection.write(Buffer.alloc(100_000, 0x41));
        return true;
      },
    });
    const { error } = await syncAll(adapterFor(target, { timeouts: { commandMs: 60_000 } }));
    expect(codeOf(error)).toBe('PROTOCOL_ERROR');
  });

  it('reports PROTOCOL_ERROR for a UIDL listing with garbage in it', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'UIDL') return false;
        connection.write('+OK\r\n1 uid-1\r\nthis is not a listing\r\n.\r\n');
        return true;
      },
    });
    const { error } = await syncAll(adapterFor(target));
    expect(codeOf(error)).toBe('PROTOCOL_ERROR');
  });

  it('refuses to sync, fetch or delete without UIDL, and never guesses by message number', async () => {
    const target = await serverWith({
      capabilities: ['USER', 'TOP'],
      twist: (command, connection) => {
        if (command !== 'UIDL') return false;
        connection.write('-ERR unknown command\r\n');
        return true;
      },
    });
    const adapter = adapterFor(target);
    expect(codeOf((await syncAll(adapter)).error)).toBe('NOT_SUPPORTED');
    await expect(adapter.fetchMessages('INBOX', ['uid-1'])).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(adapter.delete('INBOX', ['uid-1'])).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(target.received().filter((command) => /^(RETR|TOP|DELE)/.test(command))).toEqual([]);
  });

  it('deletes nothing when the same UIDL is listed for two messages', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'UIDL') return false;
        connection.write('+OK\r\n1 uid-1\r\n2 uid-1\r\n3 uid-3\r\n.\r\n');
        return true;
      },
    });
    await expect(adapterFor(target).delete('INBOX', ['uid-1'])).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(target.received().filter((command) => command.startsWith('DELE'))).toEqual([]);
  });

  it('reports nothing deleted when the connection drops after DELE, before the +OK to QUIT', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'QUIT') return false;
        connection.drop();
        return true;
      },
    });
    await expect(adapterFor(target).delete('INBOX', ['uid-2', 'not-there'])).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    // Exactly the named UIDL was marked, by the number this session's UIDL listing gave it.
    expect(target.received().filter((command) => /^(DELE|QUIT)/.test(command))).toEqual(['DELE 2', 'QUIT']);
  });

  it('reports nothing deleted when the server answers QUIT with -ERR', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'QUIT') return false;
        connection.write('-ERR [SYS/PERM] some deleted messages not removed\r\n');
        return true;
      },
    });
    await expect(adapterFor(target).delete('INBOX', ['uid-1'])).rejects.toBeInstanceOf(TwinboxError);
  });

  it('undoes every mark when the server refuses one DELE', async () => {
    const target = await serverWith({
      twist: (command, connection) => {
        if (command !== 'DELE 3') return false;
        connection.write('-ERR message is locked\r\n');
        return true;
      },
    });
    await expect(adapterFor(target).delete('INBOX', ['uid-1', 'uid-3'])).rejects.toBeInstanceOf(TwinboxError);
    expect(target.received().filter((command) => /^(DELE|RSET|QUIT)/.test(command))).toEqual(['DELE 1', 'DELE 3', 'RSET', 'QUIT']);
  });

  it('sends several commands before reading replies when the server advertises PIPELINING', async () => {
    const held: string[] = [];
    const target = await serverWith({
      capabilities: [...basicCapabilities, 'PIPELINING'],
      twist: (command, connection) => {
        if (!command.startsWith('RETR')) return false;
        // Answers nothing until every RETR is in: a client waiting for each reply would time out here.
        held.push(command);
        if (held.length === messages.length) {
          for (const retr of held) connection.write(ordinaryReply(retr, { capabilities: [], messages }) ?? '');
        }
        return true;
      },
    });
    const { deltas, error } = await syncAll(adapterFor(target, { timeouts: { commandMs: 1000 } }));
    expect(error).toBeUndefined();
    expect(held).toEqual(['RETR 3', 'RETR 2', 'RETR 1']);
    expect(serverIdsIn(deltas)).toEqual(['uid-3', 'uid-2', 'uid-1']);
  });

  it('sends one command at a time to a server without PIPELINING', async () => {
    let awaitingReply = false;
    let overlapped = false;
    const target = await serverWith({
      twist: (command, connection) => {
        if (awaitingReply) overlapped = true;
        const reply = ordinaryReply(command, { capabilities: basicCapabilities, messages }) ?? '';
        awaitingReply = true;
        // Answers a little later, so a command sent early would arrive while the reply is owed.
        setTimeout(() => {
          awaitingReply = false;
          connection.write(reply);
        }, 5);
        return true;
      },
    });
    const { deltas, error } = await syncAll(adapterFor(target));
    expect(error).toBeUndefined();
    expect(serverIdsIn(deltas)).toHaveLength(3);
    expect(overlapped).toBe(false);
  });

  it('sends no password when STARTTLS was asked for and the server does not offer STLS', async () => {
    const target = await serverWith({ capabilities: ['USER', 'UIDL', 'SASL PLAIN'] });
    await expect(adapterFor(target, { server: { security: 'starttls' } }).connect()).rejects.toMatchObject({ code: 'TLS_REQUIRED' });
    expect(target.received()).toEqual(['CAPA']);
  });

  it('drops the connection when plaintext follows the +OK to STLS (injection), before any password', async () => {
    const target = await serverWith({
      capabilities: ['USER', 'UIDL', 'STLS'],
      twist: (command, connection) => {
        if (command !== 'STLS') return false;
        connection.write('+OK Begin TLS negotiation\r\n+OK injected\r\n');
        return true;
      },
    });
    await expect(adapterFor(target, { server: { security: 'starttls' } }).connect()).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(target.received()).toEqual(['CAPA', 'STLS']);
  });

  it('masks the password in the protocol log', async () => {
    const log: ProtocolLogLine[] = [];
    const target = await serverWith({ capabilities: [...basicCapabilities, 'PIPELINING'] });
    const adapter = adapterFor(target, { log });
    await adapter.connect();
    await adapter.close();
    expect(target.received()).toContain(`PASS ${PASSWORD}`);
    expect(log.filter((line) => line.direction === 'out').map((line) => line.text)).toEqual(['CAPA', 'USER tester', 'PASS ****', 'QUIT']);
    expect(JSON.stringify(log)).not.toContain(PASSWORD);
  });
});
