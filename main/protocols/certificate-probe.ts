/**
 * When a server's certificate is not trusted, the user deserves to see it
 * (subject, issuer, validity, fingerprint) before deciding anything. This
 * opens a separate connection that sends no credentials, goes as far as the
 * TLS handshake (through STARTTLS/STLS where needed), and reads the
 * certificate without trusting it.
 */
import { connect as connectTcp, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { CertificateInfo, Security } from '../../shared/model';
import { describeCertificate, pemOf } from './tls';

export type ProbeProtocol = 'imap' | 'pop3' | 'smtp';

/** The upgrade command and the reply line that accepts it, per protocol. */
const UPGRADES: Record<ProbeProtocol, { ready: RegExp; command: string; accepted: RegExp }> = {
  imap: { ready: /^\* OK/i, command: 'tbx0 STARTTLS', accepted: /^tbx0 OK/i },
  pop3: { ready: /^\+OK/, command: 'STLS', accepted: /^\+OK/ },
  // EHLO first: servers offer STARTTLS only after it.
  smtp: { ready: /^250 /, command: 'STARTTLS', accepted: /^220/ },
};

export async function probeCertificate(
  server: { host: string; port: number; security: Security },
  protocol: ProbeProtocol,
  timeoutMs = 10_000,
): Promise<CertificateInfo | undefined> {
  if (server.security === 'plain') return undefined;
  let socket: Socket | TLSSocket | undefined;
  const timer = setTimeout(() => socket?.destroy(new Error('certificate probe timed out')), timeoutMs);
  try {
    let plain: Socket | undefined;
    if (server.security === 'starttls') {
      plain = await openPlain(server.host, server.port);
      socket = plain;
      await upgradeDialogue(plain, protocol);
    }
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      // SNI takes host names only.
      const sni = isIP(server.host) === 0 ? { servername: server.host } : {};
      const options = plain ? { socket: plain, ...sni, rejectUnauthorized: false } : { host: server.host, port: server.port, ...sni, rejectUnauthorized: false };
      const s = connectTls(options, () => resolve(s));
      socket = s;
      s.once('error', reject);
    });
    const certificate = secure.getPeerCertificate(false);
    if (!('raw' in certificate)) return undefined;
    // Typed as an Error, but Node reports OpenSSL's code as a string here.
    const reported = secure.authorizationError as Error | string | null;
    const reason = reported === null ? 'not trusted' : typeof reported === 'string' ? reported : reported.message;
    return describeCertificate(pemOf(certificate), reason);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    socket?.destroy();
  }
}

function openPlain(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connectTcp({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Reads the greeting, asks to upgrade, and returns once the server agreed. */
async function upgradeDialogue(socket: Socket, protocol: ProbeProtocol): Promise<void> {
  const lines = lineReader(socket);
  const steps = UPGRADES[protocol];
  if (protocol === 'smtp') {
    await lines.until(/^220 /);
    socket.write('EHLO twinbox.invalid\r\n');
  }
  await lines.until(steps.ready);
  socket.write(`${steps.command}\r\n`);
  await lines.until(steps.accepted);
  lines.detach();
}

function lineReader(socket: Socket): { until(pattern: RegExp): Promise<string>; detach(): void } {
  let buffer = '';
  let waiting: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  const check = (): void => {
    if (!waiting) return;
    for (;;) {
      const end = buffer.indexOf('\r\n');
      if (end < 0) return;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (waiting.pattern.test(line)) {
        const { resolve } = waiting;
        waiting = undefined;
        resolve(line);
        return;
      }
      if (/^(\S+ )?(NO|BAD)|^-ERR|^[45]\d\d /.test(line)) {
        waiting.reject(new Error(`server refused: ${line}`));
        waiting = undefined;
        return;
      }
    }
  };
  const onData = (chunk: Buffer): void => {
    buffer += chunk.toString('latin1');
    if (buffer.length > 64 * 1024) socket.destroy(new Error('greeting too long'));
    check();
  };
  const onEnd = (): void => waiting?.reject(new Error('connection closed'));
  socket.on('data', onData);
  socket.on('close', onEnd);
  return {
    until(pattern) {
      return new Promise((resolve, reject) => {
        waiting = { pattern, resolve, reject };
        check();
      });
    },
    detach() {
      socket.off('data', onData);
      socket.off('close', onEnd);
    },
  };
}
