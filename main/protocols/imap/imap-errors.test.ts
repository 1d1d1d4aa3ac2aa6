import { AuthenticationFailure } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { TwinboxError } from '../../../shared/errors';
import { imapError, refusal } from './imap-errors';

/** A tagged NO as imapflow's parser hands it over: `A1 NO [CODE] text`. */
function refused(code: string, text: string): Error {
  return Object.assign(new Error('Command failed'), {
    responseStatus: 'NO',
    responseText: text,
    response: { tag: 'A1', command: 'NO', attributes: [{ type: 'ATOM', value: '', section: [{ type: 'ATOM', value: code }] }, { type: 'TEXT', value: text }] },
  });
}

describe('IMAP failures in the user’s terms', () => {
  it('names the cause the user can act on', () => {
    expect(imapError(Object.assign(new AuthenticationFailure('Authentication failed'), { authenticationFailed: true })).code).toBe('AUTH_FAILED');
    expect(imapError(Object.assign(new AuthenticationFailure('Login is disabled'), { authenticationFailed: true })).code).toBe('TLS_REQUIRED');
    expect(imapError(Object.assign(new Error('Server does not support STARTTLS'), { tlsFailed: true })).code).toBe('TLS_REQUIRED');
    expect(imapError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', tlsFailed: true })).code).toBe('TLS_CERT_UNTRUSTED');
    expect(imapError(Object.assign(new Error('wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' })).code).toBe('TLS_REQUIRED');
    expect(imapError(Object.assign(new Error('Command failed'), { mailboxMissing: true })).code).toBe('MAILBOX_NOT_FOUND');
    expect(imapError(refused('TRYCREATE', 'Mailbox does not exist')).code).toBe('MAILBOX_NOT_FOUND');
    expect(imapError(refused('OVERQUOTA', 'Quota exceeded')).code).toBe('QUOTA_EXCEEDED');
    expect(imapError(refused('EXPUNGEISSUED', 'Some messages were expunged')).code).toBe('MESSAGE_GONE');
    expect(imapError(Object.assign(new Error('Connection not available'), { code: 'NoConnection' })).code).toBe('CONNECTION_LOST');
    expect(imapError(Object.assign(new Error('Failed to receive greeting'), { code: 'GREETING_TIMEOUT' })).code).toBe('TIMEOUT');
    expect(imapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).code).toBe('CONNECTION_REFUSED');
  });

  it('keeps the server’s words as detail, and passes Twinbox errors through', () => {
    expect(imapError(refused('TRYCREATE', 'Mailbox does not exist')).message).toContain('Mailbox does not exist');
    const own = new TwinboxError('MESSAGE_GONE');
    expect(imapError(own)).toBe(own);
    expect(refusal('STORE', undefined, 'NOT_SUPPORTED').code).toBe('NOT_SUPPORTED');
    expect(refusal('MOVE', refused('TRYCREATE', 'no such folder')).code).toBe('MAILBOX_NOT_FOUND');
  });
});
