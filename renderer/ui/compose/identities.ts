/**
 * Who a message is written as: an account's own address or one of its other
 * identities, each with its name, Reply-To and signature. An answer is
 * written as the identity the original was addressed to, as Thunderbird
 * does; a draft reopens as the identity it was saved with.
 */
import type { Account, Address, Signature } from '../../../shared/model';

/** The account's own address, which every account has. */
export const OWN_IDENTITY = 'own';

export interface SendingIdentity {
  accountId: string;
  id: string;
  name: string;
  address: string;
  replyTo?: string;
  signature?: Signature;
  placement: 'above' | 'below';
}

export function identitiesOf(account: Account): SendingIdentity[] {
  const placement = account.signaturePlacement ?? 'below';
  const own: SendingIdentity = {
    accountId: account.id,
    id: OWN_IDENTITY,
    name: account.displayName,
    address: account.email,
    ...(account.signature ? { signature: account.signature } : {}),
    placement,
  };
  return [
    own,
    ...(account.identities ?? []).map((identity) => ({
      accountId: account.id,
      id: identity.id,
      name: identity.name,
      address: identity.address,
      ...(identity.replyTo ? { replyTo: identity.replyTo } : {}),
      ...(identity.signature ? { signature: identity.signature } : {}),
      placement,
    })),
  ];
}

/** What the From menu stores for an identity. */
export function identityKey(identity: Pick<SendingIdentity, 'accountId' | 'id'>): string {
  return `${identity.accountId}\u0000${identity.id}`;
}

export function findIdentity(accounts: readonly Account[], key: string): SendingIdentity | undefined {
  const [accountId, id] = key.split('\u0000');
  const account = accounts.find((a) => a.id === accountId);
  return account ? identitiesOf(account).find((identity) => identity.id === id) : undefined;
}

/** Every address the account writes as, lower case: what an answer leaves out of its recipients. */
export function ownAddresses(account: Account): string[] {
  return identitiesOf(account).map((identity) => identity.address.toLowerCase());
}

/**
 * The identity an answer to a message is written as: the first of the
 * account's addresses the message was sent to (To, then Cc), else, for a
 * message the account sent itself, the one it came from; else the account's own.
 */
export function identityForAnswer(account: Account, original: { to: readonly Address[]; cc: readonly Address[]; from: readonly Address[] }): SendingIdentity {
  const identities = identitiesOf(account);
  const byAddress = (address: string): SendingIdentity | undefined => identities.find((identity) => identity.address.toLowerCase() === address.toLowerCase());
  for (const recipient of [...original.to, ...original.cc, ...original.from]) {
    const found = byAddress(recipient.address);
    if (found) return found;
  }
  return identities[0] as SendingIdentity;
}

/** The identity a saved draft was written as, by its From address; the account's own if none matches. */
export function identityOfDraft(account: Account, from: readonly Address[]): SendingIdentity {
  const address = from[0]?.address.toLowerCase();
  const identities = identitiesOf(account);
  return identities.find((identity) => identity.address.toLowerCase() === address) ?? (identities[0] as SendingIdentity);
}
