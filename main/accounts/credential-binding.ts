/**
 * Stored passwords stay with their server. The vault holds one password for
 * the incoming server and, optionally, a separate one for the outgoing
 * (SMTP) server, which otherwise uses the incoming one. A server that signs
 * in with a provider (OAuth2) needs no password: its token is bound to the
 * account by the sign-in (see main/ipc/handlers.ts). A stored password is sent only to the server,
 * port, security and user name it was saved with: a connection test or a
 * save that changes any of them must bring a new password for that server.
 * Otherwise a page (or a compromised renderer) could name another host and
 * have main log in there with the saved password.
 */
import type { Account, ServerSettings } from '../../shared/model';
import { sameServer } from '../../shared/server-identity';
import type { ServerIdentity } from '../../shared/server-identity';
import type { SecretKind } from './credential-vault';

/** A saved account's servers and what the vault holds for it. */
export interface SavedCredentials {
  servers: Pick<Account, 'incoming' | 'outgoing'>;
  incomingPassword: string | undefined;
  /** Undefined: the outgoing server uses the incoming password. */
  outgoingPassword: string | undefined;
}

/** The servers a caller names, and the passwords it typed for them. */
export interface CredentialRequest {
  incoming: ServerIdentity & Pick<ServerSettings, 'signIn'>;
  outgoing: ServerIdentity & Pick<ServerSettings, 'signIn'>;
  incomingPassword?: string;
  outgoingPassword?: string;
}

/**
 * For each server, the password a connection test sends. Undefined: the
 * server changed and no password was typed for it, so nothing may be sent
 * (or, outgoing, there is no outgoing server to test).
 */
export interface TestPasswords {
  incoming: string | undefined;
  outgoing: string | undefined;
}

/**
 * What a connection test sends: what was typed, else what the saved account
 * would use for an unchanged server once these settings are saved (see
 * `passwordsToStore`), so that a passing test means the saved account works.
 * Without a saved account nothing is stored to protect, and an empty password
 * lets the server say what it thinks of it, as before.
 */
export function testPasswords(saved: SavedCredentials | undefined, request: Omit<CredentialRequest, 'outgoing'> & { outgoing?: ServerIdentity }): TestPasswords {
  const typedIncoming = request.incomingPassword;
  const typedOutgoing = request.outgoingPassword;
  const outgoingServer = request.outgoing;
  if (!saved) return { incoming: typedIncoming ?? '', outgoing: outgoingServer ? (typedOutgoing ?? typedIncoming ?? '') : undefined };
  const incomingUnchanged = sameServer(request.incoming, saved.servers.incoming);
  const incoming = typedIncoming ?? (incomingUnchanged ? (saved.incomingPassword ?? '') : undefined);
  if (!outgoingServer) return { incoming, outgoing: undefined };
  if (typedOutgoing !== undefined) return { incoming, outgoing: typedOutgoing };
  if (!sameServer(outgoingServer, saved.servers.outgoing)) return { incoming, outgoing: undefined };
  // As `passwordsToStore` will leave it: an unchanged SMTP server keeps the old incoming password when the incoming server moves.
  const followsIncoming = incomingUnchanged ? (typedIncoming ?? saved.incomingPassword) : (saved.incomingPassword ?? typedIncoming);
  return { incoming, outgoing: saved.outgoingPassword ?? followsIncoming ?? '' };
}

export type StorePlan =
  /** A server changed and no password was given for it; nothing may be saved. */
  | { kind: 'password-required'; servers: SecretKind[] }
  /** Passwords to write to the vault with the settings; the others stay as stored. */
  | { kind: 'store'; passwords: Partial<Record<SecretKind, string>> };

/**
 * What a save writes to the vault. A changed server without a new password
 * refuses the whole save, leaving settings and vault as they were: the
 * stored passwords then still belong to the stored settings, so deleting
 * them would protect nothing and would only break a working account on a
 * mistyped (or malicious) request.
 *
 * When the incoming server changes but the outgoing one does not, and the
 * outgoing server used the incoming password, that old password is kept for
 * it as its own: the unchanged SMTP server goes on receiving what it always
 * did, and the password typed for the new incoming server goes nowhere else.
 */
export function passwordsToStore(saved: SavedCredentials | undefined, request: CredentialRequest): StorePlan {
  const passwords: Partial<Record<SecretKind, string>> = {};
  if (request.incomingPassword !== undefined) passwords.incoming = request.incomingPassword;
  if (request.outgoingPassword !== undefined) passwords.outgoing = request.outgoingPassword;
  if (!saved) return { kind: 'store', passwords };

  const incomingUnchanged = sameServer(request.incoming, saved.servers.incoming);
  const outgoingUnchanged = sameServer(request.outgoing, saved.servers.outgoing);
  const missing: SecretKind[] = [];
  if (!incomingUnchanged && passwords.incoming === undefined && request.incoming.signIn !== 'oauth2') missing.push('incoming');
  if (!outgoingUnchanged && passwords.outgoing === undefined && request.outgoing.signIn !== 'oauth2') missing.push('outgoing');
  if (missing.length > 0) return { kind: 'password-required', servers: missing };

  const outgoingFollowedIncoming = saved.outgoingPassword === undefined && passwords.outgoing === undefined;
  if (!incomingUnchanged && outgoingUnchanged && outgoingFollowedIncoming && saved.incomingPassword !== undefined) {
    passwords.outgoing = saved.incomingPassword;
  }
  return { kind: 'store', passwords };
}
