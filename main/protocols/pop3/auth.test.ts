import { describe, expect, it } from 'vitest';
import type { TwinboxError } from '../../../shared/errors';
import { apopDigest, apopTimestampOf, chooseAuthMechanism, saslPlainResponse } from './auth';
import { Pop3Capabilities } from './responses';

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
