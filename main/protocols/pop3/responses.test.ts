import { describe, expect, it } from 'vitest';
import type { TwinboxError } from '../../../shared/errors';
import { errorForReply, joinListings, parseList, parseStat, parseUidl, Pop3Capabilities, responseCodeOf } from './responses';
import type { Pop3Reply } from './reply-reader';

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const err = (line: string): Pop3Reply => ({ status: 'err', line, text: line.replace(/^-ERR ?/, ''), wireBytes: line.length + 2 });
const protocolError = expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as TwinboxError;

describe('POP3 replies', () => {
  it('reads a CAPA list whatever the case, with SASL mechanisms', () => {
    const capabilities = Pop3Capabilities.parse(latin1('CAPA\r\ntop\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nSASL plain LOGIN\r\nSTLS\r\nIMPLEMENTATION Some Server 1.0\r\n'));
    expect(capabilities.has('TOP')).toBe(true);
    expect(capabilities.has('pipelining')).toBe(true);
    expect(capabilities.has('USER')).toBe(false);
    expect(capabilities.saslMechanisms).toEqual(['PLAIN', 'LOGIN']);
    expect(capabilities.argumentsOf('IMPLEMENTATION')).toEqual(['Some', 'Server', '1.0']);
  });

  it('reads STAT, LIST and UIDL, and joins them by message number', () => {
    expect(parseStat({ status: 'ok', line: '+OK 2 320', text: '2 320', wireBytes: 11 })).toEqual({ count: 2, size: 320 });
    const sizes = parseList(latin1('1 120\r\n2 200\r\n'));
    const uidls = parseUidl(latin1('2 QhdPYR:00WBw1Ph7x7\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n'));
    expect(joinListings(uidls, sizes)).toEqual([
      { number: 1, uidl: 'whqtswO00WBw418f9t5JxYwZ', size: 120 },
      { number: 2, uidl: 'QhdPYR:00WBw1Ph7x7', size: 200 },
    ]);
  });

  it('refuses a UIDL listing that could make a deletion hit the wrong message', () => {
    expect(() => parseUidl(latin1('1 same\r\n2 same\r\n'))).toThrow(protocolError);
    expect(() => parseUidl(latin1('1 one\r\n1 two\r\n'))).toThrow(protocolError);
    expect(() => parseUidl(latin1('1 caf\xe9\r\n'))).toThrow(protocolError);
    expect(() => parseUidl(latin1('one two\r\n'))).toThrow(protocolError);
    expect(() => parseUidl(latin1('0 zero\r\n'))).toThrow(protocolError);
  });

  it('refuses listings that do not agree on the messages', () => {
    expect(() => joinListings(parseUidl(latin1('1 a\r\n2 b\r\n')), parseList(latin1('1 10\r\n')))).toThrow(protocolError);
    expect(() => joinListings(parseUidl(latin1('1 a\r\n3 b\r\n')), parseList(latin1('1 10\r\n2 20\r\n')))).toThrow(protocolError);
  });

  it('maps response codes to what the user can do, hierarchy included', () => {
    expect(responseCodeOf(err('-ERR [SYS/TEMP] try later'))).toBe('SYS/TEMP');
    expect(errorForReply(err('-ERR [AUTH] Authentication failed.'), 'PROTOCOL_ERROR', 'PASS').code).toBe('AUTH_FAILED');
    expect(errorForReply(err('-ERR [IN-USE] Mailbox locked'), 'AUTH_FAILED', 'PASS').code).toBe('TIMEOUT');
    expect(errorForReply(err('-ERR [LOGIN-DELAY] wait'), 'AUTH_FAILED', 'PASS').code).toBe('TIMEOUT');
    expect(errorForReply(err('-ERR [SYS/TEMP/DISK] full'), 'PROTOCOL_ERROR', 'RETR').code).toBe('TIMEOUT');
    expect(errorForReply(err('-ERR [SYS/PERM] account disabled'), 'AUTH_FAILED', 'PASS').code).toBe('AUTH_FAILED');
    expect(errorForReply(err('-ERR no such message'), 'MESSAGE_GONE', 'RETR').code).toBe('MESSAGE_GONE');
  });

  it('keeps control characters from a server out of error messages', () => {
    expect(errorForReply(err('-ERR evil\x1b[2J'), 'PROTOCOL_ERROR', 'NOOP').message).not.toContain('\x1b');
  });
});
