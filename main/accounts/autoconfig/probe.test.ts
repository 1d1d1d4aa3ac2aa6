import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscoveryNetwork } from './network';
import { bestAnswers, probe, probeCandidates } from './probe';
import type { ProbeAnswer, ProbeCandidate } from './probe';

/** Scripted servers that lie, stall or babble: what a probe must survive. Real servers are in test/integration/autoconfig.test.ts. */
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function scripted(onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  const closing = server.close.bind(server);
  server.close = (callback) => {
    for (const socket of sockets) socket.destroy();
    return closing(callback);
  };
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const candidate = (protocol: ProbeCandidate['protocol'], port: number): ProbeCandidate => ({ protocol, host: '127.0.0.1', port, start: 'upgrade' });

describe('probing a server', () => {
  it('reads STARTTLS from IMAP capabilities, and plain text when none is offered', async () => {
    let offer = true;
    const port = await scripted((socket) => {
      socket.write('* OK ready\r\n');
      socket.on('data', (data: Buffer) => {
        if (data.toString().startsWith('tbx1 CAPABILITY')) socket.write(`* CAPABILITY IMAP4rev1 ${offer ? 'STARTTLS ' : ''}LOGINDISABLED\r\ntbx1 OK done\r\n`);
      });
    });
    const network = new DiscoveryNetwork();
    expect(await probe(candidate('imap', port), network, 2_000)).toMatchObject({ security: 'starttls' });
    offer = false;
    expect(await probe(candidate('imap', port), network, 2_000)).toMatchObject({ security: 'plain' });
  });

  it('reads a multi-line SMTP greeting and EHLO answer', async () => {
    const port = await scripted((socket) => {
      socket.write('220-mail.example.test ESMTP\r\n220 welcome\r\n');
      socket.on('data', () => socket.write('250-mail.example.test\r\n250-SIZE 100\r\n250-STARTTLS\r\n250 8BITMIME\r\n'));
    });
    expect(await probe(candidate('smtp', port), new DiscoveryNetwork(), 2_000)).toMatchObject({ security: 'starttls' });
  });

  it('says nothing is there for a server of another protocol, one that stalls, one that babbles, and a refused port', async () => {
    const network = new DiscoveryNetwork();
    const http = await scripted((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(await probe(candidate('imap', http), network, 2_000)).toBeUndefined();
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const silent = await scripted(() => undefined);
    const started = Date.now();
    expect(await probe(candidate('pop3', silent), network, 300)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const babbler = await scripted((socket) => {
      const line = 'x'.repeat(1000);
      const timer = setInterval(() => socket.write(line), 1);
      socket.on('close', () => clearInterval(timer));
    });
    expect(await probe(candidate('pop3', babbler), network, 2_000)).toBeUndefined();
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    expect(await probe(candidate('pop3', babbler), network, 2_000)).toBeUndefined();
  });
});

describe('choosing among the answers', () => {
  it('takes TLS anywhere over clear text on an earlier host, then the usual order', () => {
    const order = probeCandidates('example.test');
    const at = (protocol: ProbeCandidate['protocol'], host: string, port: number): ProbeCandidate => {
      const found = order.find((c) => c.protocol === protocol && c.host === host && c.port === port);
      if (!found) throw new Error(`${host}:${port} is not a candidate`);
      return found;
    };
    const answers: ProbeAnswer[] = [
      { candidate: at('imap', 'imap.example.test', 143), security: 'plain' },
      { candidate: at('imap', 'mail.example.test', 143), security: 'starttls' },
      { candidate: at('imap', 'example.test', 143), security: 'starttls' },
      { candidate: at('smtp', 'mail.example.test', 465), security: 'tls' },
      { candidate: at('smtp', 'smtp.example.test', 465), security: 'tls' },
    ];
    const best = bestAnswers(answers, order);
    expect(best.imap?.candidate).toMatchObject({ host: 'mail.example.test', port: 143 });
    expect(best.smtp?.candidate).toMatchObject({ host: 'smtp.example.test', port: 465 });
    expect(best.pop3).toBeUndefined();
  });
});
