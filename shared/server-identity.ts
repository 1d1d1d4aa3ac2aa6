import type { ServerSettings } from './model';

/**
 * What a stored password is bound to: the server it was typed for and the
 * way it is sent there. Shared so that the account form asks for a password
 * again exactly when main would refuse to send the stored one.
 */
export type ServerIdentity = Pick<ServerSettings, 'host' | 'port' | 'security' | 'username'>;

/**
 * Whether two sets of settings reach the same server as the same user, for
 * deciding whether a stored password may be sent. A trusted certificate is
 * not part of it: it only widens which certificate that same host may show.
 * Spellings that might be one server but are not obviously so (an IP address
 * for a name, Unicode for punycode) count as different: the cost of a wrong
 * "different" is typing the password again, of a wrong "same" is sending it
 * to a stranger.
 */
export function sameServer(a: ServerIdentity, b: ServerIdentity): boolean {
  return canonicalHost(a.host) === canonicalHost(b.host) && a.port === b.port && a.security === b.security && a.username === b.username;
}

/** DNS names are case-insensitive, and a trailing dot only says the name is fully qualified. */
function canonicalHost(host: string): string {
  const trimmed = host.trim().toLowerCase();
  return trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
}
