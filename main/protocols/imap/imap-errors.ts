/**
 * imapflow's failures in Twinbox's terms. imapflow reports causes in its own
 * properties (tlsFailed, mailboxMissing, its error codes, the parsed tagged
 * reply); everything else goes through the shared mapping in ../errors.ts.
 */
import { TwinboxError } from '../../../shared/errors';
import type { ErrorCode } from '../../../shared/errors';
import { isCertificateError, toTwinboxError } from '../errors';

const IMAPFLOW_CODES: Record<string, ErrorCode> = {
  NoConnection: 'CONNECTION_LOST',
  EConnectionClosed: 'CONNECTION_LOST',
  ClosedAfterConnectText: 'CONNECTION_LOST',
  ClosedAfterConnectTLS: 'CONNECTION_LOST',
  StateLogout: 'CONNECTION_LOST',
  NoMailboxSelected: 'CONNECTION_LOST',
  CONNECT_TIMEOUT: 'TIMEOUT',
  GREETING_TIMEOUT: 'TIMEOUT',
  UPGRADE_TIMEOUT: 'TIMEOUT',
  ETIMEOUT: 'TIMEOUT',
  LockTimeout: 'TIMEOUT',
  STARTTLS_INJECTION: 'TLS_REQUIRED',
  NotFound: 'MAILBOX_NOT_FOUND',
};

interface ImapFlowFailure {
  code?: unknown;
  message?: unknown;
  tlsFailed?: unknown;
  mailboxMissing?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
  response?: unknown;
}

/** The failure as a TwinboxError; never throws. */
export function imapError(error: unknown, fallback: ErrorCode = 'PROTOCOL_ERROR'): TwinboxError {
  if (error instanceof TwinboxError) return error;
  if (typeof error !== 'object' || error === null) return toTwinboxError(error, fallback);
  const failure = error as ImapFlowFailure;
  const message = typeof failure.message === 'string' ? failure.message : 'IMAP failure';
  const detail = typeof failure.responseText === 'string' && failure.responseText !== '' ? `${message}: ${failure.responseText}` : message;
  // LOGINDISABLED (RFC 9051 section 7.2.2): the server takes a password only over TLS, so the
  // fix is the security setting, not the password; imapflow refuses before sending it.
  if (failure.authenticationFailed === true && message === 'Login is disabled') return new TwinboxError('TLS_REQUIRED', message, { cause: error });
  if (isCertificateError(error) || failure.authenticationFailed === true) return toTwinboxError(error, fallback);
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  // A refused or failed STARTTLS (or TLS spoken to a port that does not speak it) means no
  // encrypted channel exists: the password was not sent, and the user must pick another setting.
  if (failure.tlsFailed === true || code?.startsWith('ERR_SSL_') === true) {
    return new TwinboxError('TLS_REQUIRED', detail, { cause: error });
  }
  if (failure.mailboxMissing === true) return new TwinboxError('MAILBOX_NOT_FOUND', detail, { cause: error });
  if (code !== undefined && IMAPFLOW_CODES[code]) return new TwinboxError(IMAPFLOW_CODES[code], detail, { cause: error });
  const responseCode = typeof failure.serverResponseCode === 'string' ? failure.serverResponseCode : responseCodeOf(failure.response);
  if (responseCode !== undefined) {
    const mapped = toTwinboxError({ serverResponseCode: responseCode, message: detail, responseText: failure.responseText }, fallback);
    if (mapped.code !== fallback) return new TwinboxError(mapped.code, mapped.message, { cause: error });
  }
  return toTwinboxError(error, fallback);
}

/**
 * Whether the server refused with NO [TRYCREATE] (RFC 9051 section 7.1): the
 * target folder does not exist and creating it would let the command succeed.
 * Looks through TwinboxError causes to the imapflow error that carries the code.
 */
export function isTryCreate(error: unknown): boolean {
  return hasResponseCode(error, 'TRYCREATE');
}

/** Whether the server's refusal carried this response code (upper case), looking through TwinboxError causes. */
export function hasResponseCode(error: unknown, wanted: string): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const failure = current as ImapFlowFailure & { cause?: unknown };
    const code = typeof failure.serverResponseCode === 'string' ? failure.serverResponseCode.toUpperCase() : responseCodeOf(failure.response);
    if (code === wanted) return true;
    current = failure.cause;
  }
  return false;
}

/** The bracketed response code of a parsed tagged reply ("NO [TRYCREATE] ..."), upper-cased. */
function responseCodeOf(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const attributes = (response as { attributes?: unknown }).attributes;
  if (!Array.isArray(attributes)) return undefined;
  const section = (attributes[0] as { section?: unknown } | undefined)?.section;
  if (!Array.isArray(section)) return undefined;
  const value = (section[0] as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value.toUpperCase() : undefined;
}

/**
 * A command imapflow reported as refused (it resolves `false`). `cause` is the
 * error it logged; without one, imapflow refused on its own before asking the
 * server (a flag the folder does not accept, say), which is `unexplained`.
 */
export function refusal(what: string, cause: unknown, unexplained: ErrorCode = 'PROTOCOL_ERROR'): TwinboxError {
  if (cause !== undefined) return imapError(cause);
  return new TwinboxError(unexplained, `not done: ${what}`);
}
