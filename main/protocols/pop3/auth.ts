/**
 * Logging in: which mechanism to use, and running it.
 *
 * The policy, in order:
 * - on an unencrypted connection whose greeting carries an APOP timestamp,
 *   APOP (RFC 1939 section 7), so the password itself never crosses in clear;
 * - SASL PLAIN (RFC 5034) when the server offers it, in one round trip with
 *   an initial response;
 * - USER and PASS otherwise.
 * On an unencrypted connection to a server that offers neither USER nor SASL
 * PLAIN but does offer STLS, no password is sent at all (TLS_REQUIRED): the
 * server would refuse it anyway, and it would have crossed in clear.
 *
 * An account that signs in with a provider (OAuth2) sends its access token
 * with SASL OAUTHBEARER (RFC 7628) where offered, else XOAUTH2 (Google's and
 * Microsoft's older mechanism), and only over TLS: a bearer token is as good
 * as a password to whoever reads it.
 */
import { createHash } from 'node:crypto';
import { TwinboxError } from '../../../shared/errors';
import { errorForReply } from './responses';
import type { Pop3Capabilities } from './responses';
import type { Pop3Transport } from './transport';

export type AuthMechanism = 'APOP' | 'SASL PLAIN' | 'USER' | 'OAUTHBEARER' | 'XOAUTH2';

/** The RFC 1939 APOP timestamp ("<process.clock@host>") in a greeting, if any. */
export function apopTimestampOf(greetingText: string): string | undefined {
  return /<[\x21-\x3b\x3d\x3f-\x7e]*@[\x21-\x3b\x3d\x3f-\x7e]*>/.exec(greetingText)?.[0];
}

/** The APOP digest: MD5 of the timestamp followed by the password, in lower-case hex. */
export function apopDigest(timestamp: string, password: string): string {
  return createHash('md5').update(timestamp + password, 'utf8').digest('hex');
}

/** The SASL PLAIN message (RFC 4616): no authorization id, the user name, the password; base64. */
export function saslPlainResponse(username: string, password: string): string {
  return Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
}

/** The SASL XOAUTH2 message: the user and the bearer token, each field ended by 0x01, the whole ended by another. */
export function xoauth2Response(username: string, accessToken: string): string {
  return Buffer.from(`user=${username}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');
}

/** The SASL OAUTHBEARER message (RFC 7628 3.1): a GS2 header naming the user, then the bearer token. */
export function oauthBearerResponse(username: string, accessToken: string): string {
  // RFC 5801: "," and "=" in the authorization identity are escaped.
  const user = username.replaceAll('=', '=3D').replaceAll(',', '=2C');
  return Buffer.from(`n,a=${user},\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');
}

/** Picks the OAuth2 mechanism the server offers, OAUTHBEARER first; refuses to send a token in clear text. */
export function chooseTokenMechanism(connection: { encrypted: boolean; capabilities: Pop3Capabilities | undefined }): AuthMechanism {
  if (!connection.encrypted) {
    throw new TwinboxError('TLS_REQUIRED', 'an access token is sent only over an encrypted connection; choose SSL/TLS or STARTTLS for this account');
  }
  const offered = connection.capabilities?.saslMechanisms ?? [];
  if (offered.includes('OAUTHBEARER')) return 'OAUTHBEARER';
  if (offered.includes('XOAUTH2')) return 'XOAUTH2';
  throw new TwinboxError('NOT_SUPPORTED', 'this POP3 server does not offer signing in with a provider (SASL OAUTHBEARER or XOAUTH2)');
}

/** RFC 2449's limit on a command line; a longer initial response is sent after the server's "+" instead (RFC 5034). */
const MAX_COMMAND_OCTETS = 255;

/**
 * Picks the mechanism by the policy above. `capabilities` is undefined for a
 * server that does not answer CAPA (RFC 1939 servers), which gets USER/PASS.
 */
export function chooseAuthMechanism(connection: {
  encrypted: boolean;
  capabilities: Pop3Capabilities | undefined;
  apopTimestamp: string | undefined;
}): AuthMechanism {
  const { encrypted, capabilities, apopTimestamp } = connection;
  if (!encrypted && apopTimestamp !== undefined) return 'APOP';
  if (capabilities?.saslMechanisms.includes('PLAIN')) return 'SASL PLAIN';
  if (capabilities === undefined || capabilities.has('USER')) return 'USER';
  if (apopTimestamp !== undefined) return 'APOP';
  if (!encrypted && capabilities.has('STLS')) {
    throw new TwinboxError('TLS_REQUIRED', 'the server accepts a password only after STLS; choose STARTTLS security for this account');
  }
  // Not announced is not always not supported (RFC 2449 lets USER be absent); trying is the only way to know.
  return 'USER';
}

/** Logs in with `mechanism`; rejects with AUTH_FAILED (or what a response code says) when refused. */
export async function authenticate(transport: Pop3Transport, mechanism: AuthMechanism, credentials: { username: string; password: string; apopTimestamp?: string | undefined }): Promise<void> {
  const { username, password } = credentials;
  switch (mechanism) {
    case 'OAUTHBEARER':
    case 'XOAUTH2': {
      // `password` holds the access token here.
      const response = mechanism === 'OAUTHBEARER' ? oauthBearerResponse(username, password) : xoauth2Response(username, password);
      const inOneLine = `AUTH ${mechanism} ${response}`.length + 2 <= MAX_COMMAND_OCTETS;
      let reply = await transport.send(inOneLine ? `AUTH ${mechanism} ${response}` : `AUTH ${mechanism}`, 'sasl', { logText: `AUTH ${mechanism} ****` });
      if (!inOneLine && reply.status === 'continue') reply = await transport.send(response, 'sasl', { logText: '****' });
      if (reply.status === 'ok') return;
      if (reply.status === 'continue') {
        // A refused token comes back as a challenge carrying the reason (JSON); the exchange must be ended
        // before the server says -ERR: an empty line for XOAUTH2, 0x01 for OAUTHBEARER (RFC 7628 3.2.3).
        const refused = await transport.send(mechanism === 'OAUTHBEARER' ? 'AQ==' : '', 'sasl');
        throw errorForReply(refused, 'AUTH_FAILED', `logging in with ${mechanism} (${challengeStatus(reply.text)})`);
      }
      throw errorForReply(reply, 'AUTH_FAILED', `logging in with ${mechanism}`);
    }
    case 'APOP': {
      const timestamp = credentials.apopTimestamp;
      if (timestamp === undefined) throw new TwinboxError('INTERNAL', 'APOP chosen without a timestamp');
      const reply = await transport.send(`APOP ${username} ${apopDigest(timestamp, password)}`, 'single', { logText: `APOP ${username} ****` });
      if (reply.status !== 'ok') throw errorForReply(reply, 'AUTH_FAILED', 'logging in with APOP');
      return;
    }
    case 'SASL PLAIN': {
      const reply = await transport.send(`AUTH PLAIN ${saslPlainResponse(username, password)}`, 'sasl', { logText: 'AUTH PLAIN ****' });
      if (reply.status === 'ok') return;
      if (reply.status === 'continue') {
        // PLAIN is one message; a further challenge means the server wants something else. "*" cancels (RFC 5034).
        const cancelled = await transport.send('*', 'sasl');
        throw errorForReply(cancelled, 'AUTH_FAILED', 'logging in with SASL PLAIN (the server asked for more than PLAIN gives)');
      }
      throw errorForReply(reply, 'AUTH_FAILED', 'logging in with SASL PLAIN');
    }
    case 'USER': {
      const userAnswer = await transport.send(`USER ${username}`, 'single');
      if (userAnswer.status !== 'ok') throw errorForReply(userAnswer, 'AUTH_FAILED', 'sending the user name');
      const passReply = await transport.send(`PASS ${password}`, 'single', { logText: 'PASS ****' });
      if (passReply.status !== 'ok') throw errorForReply(passReply, 'AUTH_FAILED', 'logging in with USER and PASS');
      return;
    }
  }
}

/** The status a provider's refusal challenge carries ({"status":"invalid_token"} or {"status":"401",...}), for the log. */
function challengeStatus(challenge: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(challenge, 'base64').toString('utf8'));
    const status = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).status : undefined;
    return typeof status === 'string' ? `the server said ${status}` : 'the server refused the token';
  } catch {
    return 'the server refused the token';
  }
}
