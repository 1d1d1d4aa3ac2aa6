import { TwinboxError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';

/**
 * Turns whatever a socket, TLS or a protocol library threw into a
 * TwinboxError with the code the user will see. Adapters call this at their
 * edge, so nothing else ever escapes them.
 */
const NETWORK_CODES: Record<string, ErrorCode> = {
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ENOTFOUND: 'HOST_NOT_FOUND',
  EAI_AGAIN: 'HOST_NOT_FOUND',
  EAI_NONAME: 'HOST_NOT_FOUND',
  ETIMEDOUT: 'TIMEOUT',
  ETIMEOUT: 'TIMEOUT',
  ESOCKETTIMEDOUT: 'TIMEOUT',
  ECONNRESET: 'CONNECTION_LOST',
  EPIPE: 'CONNECTION_LOST',
  ECONNABORTED: 'CONNECTION_LOST',
  EHOSTUNREACH: 'CONNECTION_REFUSED',
  ENETUNREACH: 'CONNECTION_REFUSED',
  // nodemailer's own names
  EDNS: 'HOST_NOT_FOUND',
  ECONNECTION: 'CONNECTION_REFUSED',
  EAUTH: 'AUTH_FAILED',
  ETLS: 'TLS_REQUIRED',
  ENOAUTH: 'AUTH_FAILED',
};

/** OpenSSL's verification failures: the certificate is not one we can trust. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/**
 * Connect failures that only the user can fix (new settings or password).
 * Nothing retries these by itself: retrying a wrong password gets accounts locked.
 */
export const NEEDS_THE_USER: ReadonlySet<ErrorCode> = new Set(['AUTH_FAILED', 'TLS_CERT_UNTRUSTED', 'TLS_REQUIRED', 'SIGN_IN_REQUIRED']);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
  response?: unknown;
}

export function isCertificateError(error: unknown): boolean {
  const code = (error as ErrorLike | null)?.code;
  return typeof code === 'string' && CERTIFICATE_CODES.has(code);
}

export function toTwinboxError(error: unknown, fallback: ErrorCode = 'PROTOCOL_ERROR'): TwinboxError {
  if (error instanceof TwinboxError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && CERTIFICATE_CODES.has(code)) return new TwinboxError('TLS_CERT_UNTRUSTED', `${code}: ${message}`, { cause: error });
  if (e.authenticationFailed === true) return new TwinboxError('AUTH_FAILED', detailOf(e, message), { cause: error });
  const serverCode = typeof e.serverResponseCode === 'string' ? e.serverResponseCode.toUpperCase() : undefined;
  if (serverCode !== undefined) {
    const mapped = IMAP_RESPONSE_CODES[serverCode];
    if (mapped) return new TwinboxError(mapped, detailOf(e, message), { cause: error });
  }
  if (code !== undefined && NETWORK_CODES[code]) return new TwinboxError(NETWORK_CODES[code], `${code}: ${message}`, { cause: error });
  if (/timed? ?out/i.test(message)) return new TwinboxError('TIMEOUT', message, { cause: error });
  if (/socket (closed|hang up)|connection (closed|lost|reset)|unexpected close|EOF/i.test(message)) {
    return new TwinboxError('CONNECTION_LOST', message, { cause: error });
  }
  return new TwinboxError(fallback, message, { cause: error });
}

/** IMAP response codes (RFC 5530) that name a cause the user can act on. */
const IMAP_RESPONSE_CODES: Record<string, ErrorCode> = {
  AUTHENTICATIONFAILED: 'AUTH_FAILED',
  AUTHORIZATIONFAILED: 'AUTH_FAILED',
  EXPIRED: 'AUTH_FAILED',
  PRIVACYREQUIRED: 'TLS_REQUIRED',
  NONEXISTENT: 'MAILBOX_NOT_FOUND',
  ALREADYEXISTS: 'FOLDER_EXISTS',
  TRYCREATE: 'MAILBOX_NOT_FOUND',
  OVERQUOTA: 'QUOTA_EXCEEDED',
  LIMIT: 'QUOTA_EXCEEDED',
  EXPUNGEISSUED: 'MESSAGE_GONE',
  CANNOT: 'NOT_SUPPORTED',
};

function detailOf(e: ErrorLike, message: string): string {
  if (typeof e.responseText === 'string' && e.responseText !== '') return e.responseText;
  if (typeof e.response === 'string' && e.response !== '') return e.response;
  return message;
}
