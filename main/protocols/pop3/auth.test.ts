import { describe, expect, it } from 'vitest';
import type { TwinboxError } from '../../../shared/errors';
import { apopDigest, apopTimestampOf, authenticate, chooseAuthMechanism, chooseTokenMechanism, oauthBearerResponse, saslPlainResponse, xoauth2Response } from './auth';
import type { Pop3Reply } from './reply-reader';
import { Pop3Capabilities } from './responses';
import type { Pop3Transport } from './transport';

/** A CAPA list from its lines joined by '|'. */
const capa = (text: string): Pop3Capabilities => Pop3Capabilities.parse(Buffer.from(text.split('|').join('\r\n'), 'latin1'));

describe('POP3 login', () => {
  it('computes the APOP digest of RFC 1939’s example', () => {
    const timestamp = apopTimestampOf('POP3 server ready <1896.697170952@dbc.mtview.ca.us>');
    expect(timestamp).toBe('<1896.697170952@dbc.mtview.ca.us>');
    expect(apopDigest(timestamp!, 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
    expect(apopTimestampOf('Dovecot ready.')).toBeUndefined();
  });

  it('encodes SASL PLAIN as RFC 4616 does, non-ASCII passwords as UTF-8', () => {
    expect(saslPlainResponse('tim', 'tanstaaftanstaaf')).toBe('AHRpbQB0YW5zdGFhZnRhbnN0YWFm');
    expect(Buffer.from(saslPlainResponse('jo', 'pässwörd'), 'base64').toString('utf8')).toBe('\0jo\0pässwörd');
  });

  it('keeps the password out of clear text when the server allows it', () => {
    const timestamp = '<1.2@host>';
    // Unencrypted with a timestamp: APOP, even when PLAIN and USER are offered.
    expect(chooseAuthMechanism({ encrypted: false, capabilities: capa('USER|SASL PLAIN'), apopTimestamp: timestamp })).toBe('APOP');
    // Encrypted: SASL PLAIN when offered, USER otherwise.
    expect(chooseAuthMechanism({ encrypted: true, capabilities: capa('USER|SASL PLAIN'), apopTimestamp: timestamp })).toBe('SASL PLAIN');
    expect(chooseAuthMechanism({ encrypted: true, capabilities: capa('USER'), apopTimestamp: undefined })).toBe('USER');
    expect(chooseAuthMechanism({ encrypted: true, capabilities: capa('TOP'), apopTimestamp: timestamp })).toBe('APOP');
    // An RFC 1939 server without CAPA.
    expect(chooseAuthMechanism({ encrypted: true, capabilities: undefined, apopTimestamp: undefined })).toBe('USER');
  });

  it('sends no password in clear to a server that wants STLS first', () => {
    expect(() => chooseAuthMechanism({ encrypted: false, capabilities: capa('TOP|UIDL|STLS'), apopTimestamp: undefined })).toThrow(
      expect.objectContaining({ code: 'TLS_REQUIRED' }) as TwinboxError,
    );
  });
});

/**
 * The token exchanges against a transport double that answers as Dovecot does
 * (see /work/shared/notes: a refused token gets a JSON challenge, then -ERR
 * once the client ends the exchange). Real Dovecot runs them in the
 * integration tests.
 */
function scriptedTransport(answer: (line: string) => string): { transport: Pop3Transport; sent: string[] } {
  const sent: string[] = [];
  const transport = {
    send: (line: string): Promise<Pop3Reply> => {
      sent.push(line);
      const reply = answer(line);
      const status = reply.startsWith('+OK') ? 'ok' : reply.startsWith('-ERR') ? 'err' : 'continue';
      return Promise.resolve({ status, line: reply, text: reply.replace(/^(\+OK|-ERR|\+) ?/, ''), wireBytes: reply.length + 2 });
    },
  };
  // Only `send` is used by authenticate; the rest of the class would need a socket.
  return { transport: transport as unknown as Pop3Transport, sent };
}

const refusal = Buffer.from('{"status":"invalid_token"}').toString('base64');

describe('POP3 login with a provider’s access token', () => {
  it('sends a token only over TLS, with OAUTHBEARER where offered, else XOAUTH2', () => {
    expect(chooseTokenMechanism({ encrypted: true, capabilities: capa('SASL PLAIN XOAUTH2 OAUTHBEARER') })).toBe('OAUTHBEARER');
    expect(chooseTokenMechanism({ encrypted: true, capabilities: capa('SASL XOAUTH2') })).toBe('XOAUTH2');
    expect(() => chooseTokenMechanism({ encrypted: false, capabilities: capa('SASL OAUTHBEARER|STLS') })).toThrow(
      expect.objectContaining({ code: 'TLS_REQUIRED' }) as TwinboxError,
    );
    expect(() => chooseTokenMechanism({ encrypted: true, capabilities: capa('SASL PLAIN|USER') })).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }) as TwinboxError);
  });

  it('frames the token as RFC 7628 and Google’s XOAUTH2 say', () => {
    expect(Buffer.from(oauthBearerResponse('a,b=c@example.test', 'tok'), 'base64').toString()).toBe('n,a=a=2Cb=3Dc@example.test,\x01auth=Bearer tok\x01\x01');
    expect(Buffer.from(xoauth2Response('alice@example.test', 'tok'), 'base64').toString()).toBe('user=alice@example.test\x01auth=Bearer tok\x01\x01');
  });

  it('logs in in one line, and sends a long token after the server’s "+"', async () => {
    const short = scriptedTransport(() => '+OK Logged in.');
    await authenticate(short.transport, 'OAUTHBEARER', { username: 'alice', password: 'short-token' });
    expect(short.sent).toEqual([`AUTH OAUTHBEARER ${oauthBearerResponse('alice', 'short-token')}`]);

    const token = 'x'.repeat(1500);
    const long = scriptedTransport((line) => (line === 'AUTH XOAUTH2' ? '+ ' : '+OK Logged in.'));
    await authenticate(long.transport, 'XOAUTH2', { username: 'alice', password: token });
    expect(long.sent).toEqual(['AUTH XOAUTH2', xoauth2Response('alice', token)]);
  });

  it('ends the exchange the server opens for a refused token, then reports the refusal', async () => {
    for (const [mechanism, ending] of [
      ['OAUTHBEARER', 'AQ=='],
      ['XOAUTH2', ''],
    ] as const) {
      const { transport, sent } = scriptedTransport((line) => (line.startsWith('AUTH') ? `+ ${refusal}` : '-ERR [AUTH] Authentication failed.'));
      await expect(authenticate(transport, mechanism, { username: 'alice', password: 'expired' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      expect(sent.at(-1)).toBe(ending);
    }
  });
});
