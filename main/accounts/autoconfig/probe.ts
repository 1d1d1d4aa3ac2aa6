/**
 * The last way to find an address's servers: try the usual host names and
 * ports, and ask each server what it offers, as Thunderbird's "guess" does.
 * No credentials are sent: a greeting, and the capability list on a port
 * that starts in clear text, say whether a server is there and which
 * security it offers. A certificate this computer does not trust still
 * counts as TLS offered: the connection test shows it to the user later.
 */
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Security } from '../../../shared/model';
import type { ServerProtocol } from '../../../shared/discovery';
import type { DiscoveryNetwork } from './network';

export interface ProbeCandidate {
  protocol: ServerProtocol;
  host: string;
  /** The well-known port (before any mapping the tests configure). */
  port: number;
  /** 'tls': the port speaks TLS from the start; 'upgrade': it starts in clear text and may offer STARTTLS. */
  start: 'tls' | 'upgrade';
}

export interface ProbeAnswer {
  candidate: ProbeCandidate;
  security: Security;
}

/** Host names and ports to try, in Thunderbird's order of preference. */
export function probeCandidates(domain: string): ProbeCandidate[] {
  const hosts: Record<ServerProtocol, string[]> = {
    imap: [`imap.${domain}`, `mail.${domain}`, domain],
    pop3: [`pop3.${domain}`, `pop.${domain}`, `mail.${domain}`],
    smtp: [`smtp.${domain}`, `mail.${domain}`],
  };
  // Implicit TLS first (RFC 8314), then the clear-text ports that may offer STARTTLS.
  const ports: Record<ServerProtocol, Array<[number, ProbeCandidate['start']]>> = {
    imap: [
      [993, 'tls'],
      [143, 'upgrade'],
    ],
    pop3: [
      [995, 'tls'],
      [110, 'upgrade'],
    ],
    smtp: [
      [465, 'tls'],
      [587, 'upgrade'],
      [25, 'upgrade'],
    ],
  };
  const candidates: ProbeCandidate[] = [];
  for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
    for (const host of hosts[protocol]) for (const [port, start] of ports[protocol]) candidates.push({ protocol, host, port, start });
  }
  return candidates;
}

const GREETING: Record<ServerProtocol, RegExp> = { imap: /^\* (OK|PREAUTH)\b/i, pop3: /^\+OK\b/, smtp: /^220[ -]/ };

/** What a server says it can do, asked in clear text, and how to tell that it finished answering. */
const CAPABILITIES: Record<ServerProtocol, { command: string; done: RegExp; starttls: RegExp; goodbye: string }> = {
  imap: { command: 'tbx1 CAPABILITY', done: /^tbx1 /im, starttls: /^\* CAPABILITY .*\bSTARTTLS\b/im, goodbye: 'tbx2 LOGOUT' },
  pop3: { command: 'CAPA', done: /^(\.|-ERR.*)\r?$/m, starttls: /^STLS\r?$/im, goodbye: 'QUIT' },
  smtp: { command: 'EHLO twinbox.invalid', done: /^\d{3} /m, starttls: /^250[ -]STARTTLS\b/im, goodbye: 'QUIT' },
};

/**
 * Asks one server what it offers; undefined when nothing that speaks the
 * protocol answers there in time.
 */
export async function probe(candidate: ProbeCandidate, network: DiscoveryNetwork, timeoutMs: number): Promise<ProbeAnswer | undefined> {
  const port = network.port(candidate.port);
  let socket: Socket | undefined;
  const deadline = setTimeout(() => socket?.destroy(new Error('timed out')), timeoutMs);
  try {
    if (candidate.start === 'tls') {
      // Not verified here on purpose: an untrusted certificate is shown to the user at the connection test.
      socket = connectTls({ host: candidate.host, port, servername: candidate.host, rejectUnauthorized: false, lookup: network.lookup, minVersion: 'TLSv1.2' });
      const reader = new LineReader(socket);
      if (!GREETING[candidate.protocol].test(await reader.until(/\n/))) return undefined;
      socket.write(`${CAPABILITIES[candidate.protocol].goodbye}\r\n`);
      return { candidate, security: 'tls' };
    }
    socket = connectTcp({ host: candidate.host, port, lookup: network.lookup });
    const reader = new LineReader(socket);
    const asked = CAPABILITIES[candidate.protocol];
    // SMTP greetings may run over several lines; the last has a space after the code.
    const greeting = await reader.until(candidate.protocol === 'smtp' ? /^\d{3} /m : /\n/);
    if (!GREETING[candidate.protocol].test(greeting)) return undefined;
    socket.write(`${asked.command}\r\n`);
    const capabilities = await reader.until(asked.done);
    socket.write(`${asked.goodbye}\r\n`);
    return { candidate, security: asked.starttls.test(capabilities) ? 'starttls' : 'plain' };
  } catch {
    return undefined;
  } finally {
    clearTimeout(deadline);
    socket?.destroy();
  }
}

/** Collects what a server sends until a pattern matches the text received since the last call. */
class LineReader {
  private text = '';
  private waiting: { pattern: RegExp; resolve: (text: string) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      // A server that talks on and on is not a mail server worth proposing.
      if (this.text.length + chunk.length > 64 * 1024) {
        socket.destroy(new Error('too much text'));
        return;
      }
      this.text += chunk;
      this.check();
    });
    const end = (error?: Error): void => {
      this.failure = error ?? new Error('closed');
      this.waiting?.reject(this.failure);
      this.waiting = undefined;
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  until(pattern: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { pattern, resolve, reject };
      // Already closed, with nothing that matches: nothing more will come.
      if (!this.check() && this.failure) {
        this.waiting = undefined;
        reject(this.failure);
      }
    });
  }

  /** Resolves the waiting call if what came matches; says whether it did. */
  private check(): boolean {
    if (!this.waiting || !this.waiting.pattern.test(this.text)) return false;
    const { resolve } = this.waiting;
    const text = this.text;
    this.text = '';
    this.waiting = undefined;
    resolve(text);
    return true;
  }
}

const RANK: Record<Security, number> = { tls: 0, starttls: 1, plain: 2 };

/**
 * The best answer per protocol: the most secure first (a host that offers
 * TLS beats an earlier one in clear text), then the order of the candidates.
 */
export function bestAnswers(answers: ProbeAnswer[], order: ProbeCandidate[]): Partial<Record<ServerProtocol, ProbeAnswer>> {
  const best: Partial<Record<ServerProtocol, ProbeAnswer>> = {};
  const position = (answer: ProbeAnswer): number => order.indexOf(answer.candidate);
  for (const answer of answers) {
    const current = best[answer.candidate.protocol];
    if (
      !current ||
      RANK[answer.security] < RANK[current.security] ||
      (RANK[answer.security] === RANK[current.security] && position(answer) < position(current))
    ) {
      best[answer.candidate.protocol] = answer;
    }
  }
  return best;
}
