/**
 * What the Lab compares: the messages a side's cache holds and the messages
 * the server holds, both named by their identity (MessageSummary.identity,
 * which main derives alike under IMAP and POP3: UIDs and UIDLs mean nothing
 * to each other, and a Message-ID may be missing or shared), and the changes
 * between two such observations, in words. Copies that answer to the same
 * identity are counted as copies, never merged.
 */
import type { ServerSnapshot } from '../../shared/model';
import type { CachedMessage } from '../db/rows';
import type { CacheReader } from '../db/schema';
import { accountMessages } from '../db/queries';
import { locale, t } from '../i18n';
import { folderPathLabel } from '../i18n/folder-label';

export interface ObservedMessage {
  /** The message's identity. */
  id: string;
  messageId: string | undefined;
  subject: string;
  folder: string;
  flags: string[];
}

/** Per identity, every copy (a message may be in several folders, or twice in one). */
export type Observation = Map<string, ObservedMessage[]>;

/**
 * Identities of rows cached before rows carried one, keyed by rowPlace(),
 * as the Lab found them (LabEngine.learnIdentities).
 */
export type IdentityBook = ReadonlyMap<string, string>;

export function rowPlace(row: Pick<CachedMessage, 'accountId' | 'folder' | 'serverId'>): string {
  return `${row.accountId}\u0000${row.folder}\u0000${row.serverId}`;
}

/** A row's identity; one the Lab could not find names this row alone (it then matches nothing on the other side). */
export function identityOf(row: CachedMessage, book?: IdentityBook): string {
  return row.identity ?? book?.get(rowPlace(row)) ?? `(unnamed) ${row.accountId}/${row.folder}/${row.serverId}`;
}

function add(observation: Observation, message: ObservedMessage): void {
  const copies = observation.get(message.id);
  if (copies) copies.push(message);
  else observation.set(message.id, [message]);
}

export function fromSnapshot(snapshot: ServerSnapshot): Observation {
  const observation: Observation = new Map();
  for (const folder of snapshot.folders) {
    for (const message of folder.messages) {
      add(observation, { id: message.identity, messageId: message.messageId, subject: message.subject, folder: folder.path, flags: message.flags });
    }
  }
  return observation;
}

export function fromRows(rows: readonly CachedMessage[], book?: IdentityBook): Observation {
  const observation: Observation = new Map();
  for (const row of rows) add(observation, { id: identityOf(row, book), messageId: row.messageId, subject: row.subject, folder: row.folder, flags: row.flags });
  return observation;
}

/** Everything an account's cache holds, every folder. */
export async function observeCache(db: CacheReader, accountId: string, book?: IdentityBook): Promise<Observation> {
  return fromRows(await accountMessages(db, accountId).toArray(), book);
}

/** Copies in all, which is what "how many messages" means when one message can be in two places. */
export function copies(observation: Observation, where?: (copy: ObservedMessage) => boolean): number {
  let total = 0;
  for (const list of observation.values()) total += where ? list.filter(where).length : list.length;
  return total;
}

export function isInbox(copy: Pick<ObservedMessage, 'folder'>): boolean {
  return copy.folder.toUpperCase() === 'INBOX';
}

/** A copy of the message with this Message-ID (mail the Lab sent itself has a unique one). */
export function withMessageId(observation: Observation, messageId: string, where: (copy: ObservedMessage) => boolean = () => true): ObservedMessage | undefined {
  for (const list of observation.values()) {
    const found = list.find((copy) => copy.messageId === messageId && where(copy));
    if (found) return found;
  }
  return undefined;
}

/** The server's INBOX copy of a message, if it has one. */
export function inInbox(observation: Observation, id: string): ObservedMessage | undefined {
  return observation.get(id)?.find(isInbox);
}

/** A change to one copy of the message `id` (its identity). */
export type Change =
  | { kind: 'added'; id: string; subject: string; folder: string }
  | { kind: 'removed'; id: string; subject: string; folder: string }
  | { kind: 'moved'; id: string; subject: string; folder: string; to: string }
  | { kind: 'flags'; id: string; subject: string; folder: string; added: string[]; removed: string[] };

/** \Recent belongs to one session (the first to see a message), not to the message: every new look would "change" it. */
const SESSION_FLAGS = new Set(['\\recent']);

function stored(flags: readonly string[]): string[] {
  return flags.filter((f) => !SESSION_FLAGS.has(f.toLowerCase()));
}

function lowerSet(flags: readonly string[]): Set<string> {
  return new Set(flags.map((f) => f.toLowerCase()));
}

/** What changed from one observation to the next: messages added, removed, moved between folders, flags set or cleared. */
export function diff(before: Observation, after: Observation): Change[] {
  const changes: Change[] = [];
  const ids = new Set([...before.keys(), ...after.keys()]);
  for (const id of ids) {
    const was = [...(before.get(id) ?? [])];
    const now = [...(after.get(id) ?? [])];
    // Copies that stayed in their folder: compare their flags.
    for (const old of [...was]) {
      const index = now.findIndex((copy) => copy.folder === old.folder);
      if (index < 0) continue;
      const current = now[index];
      if (!current) continue;
      now.splice(index, 1);
      was.splice(was.indexOf(old), 1);
      const oldFlags = lowerSet(stored(old.flags));
      const newFlags = lowerSet(stored(current.flags));
      const added = stored(current.flags).filter((f) => !oldFlags.has(f.toLowerCase()));
      const removed = stored(old.flags).filter((f) => !newFlags.has(f.toLowerCase()));
      if (added.length > 0 || removed.length > 0) changes.push({ kind: 'flags', id, subject: current.subject, folder: current.folder, added, removed });
    }
    // A copy gone from one folder and one new in another: a move.
    while (was.length > 0 && now.length > 0) {
      const from = was.shift();
      const to = now.shift();
      if (from && to) changes.push({ kind: 'moved', id, subject: to.subject, folder: from.folder, to: to.folder });
    }
    for (const gone of was) changes.push({ kind: 'removed', id, subject: gone.subject, folder: gone.folder });
    for (const fresh of now) changes.push({ kind: 'added', id, subject: fresh.subject, folder: fresh.folder });
  }
  return changes;
}

/** The system flags the Lab names in words (the catalog's lab:flags); any other flag is said by its name. */
const FLAG_WORDS: Record<string, 'seen' | 'flagged' | 'answered' | 'deleted'> = {
  '\\seen': 'seen',
  '\\flagged': 'flagged',
  '\\answered': 'answered',
  '\\deleted': 'deleted',
};

function flagWords(change: Extract<Change, { kind: 'flags' }>, raw: boolean): string {
  const said = (flag: string, how: 'set' | 'cleared'): string => {
    const name = FLAG_WORDS[flag.toLowerCase()];
    if (!name) return how === 'set' ? t('lab:changes.flagSet', { flag }) : t('lab:changes.flagCleared', { flag });
    const words = t(`lab:flags.${name}.${how}`);
    if (!raw) return words;
    return how === 'set' ? t('lab:changes.rawSet', { words, flag }) : t('lab:changes.rawCleared', { words, flag });
  };
  const parts = [...change.added.map((flag) => said(flag, 'set')), ...change.removed.map((flag) => said(flag, 'cleared'))];
  return new Intl.ListFormat(locale(), { type: 'conjunction' }).format(parts);
}

/** What a change did, without saying to which message. */
function verb(change: Change, raw: boolean): string {
  switch (change.kind) {
    case 'added':
      return t('lab:changes.added', { folder: folderPathLabel(change.folder) });
    case 'removed':
      return t('lab:changes.removed', { folder: folderPathLabel(change.folder) });
    case 'moved':
      return t('lab:changes.moved', { from: folderPathLabel(change.folder), to: folderPathLabel(change.to) });
    case 'flags':
      return t('lab:changes.flags', { flags: flagWords(change, raw), folder: folderPathLabel(change.folder) });
  }
}

/** Changes listed one by one up to this many; beyond, alike changes are counted. */
const ONE_BY_ONE = 3;

/**
 * The changes in a sentence: "“Lunch?” marked read (\Seen set) in Inbox", or
 * "34 messages removed from Inbox", or "nothing changed". `raw` adds the IMAP
 * flag names (the server's own words).
 */
export function describeChanges(changes: readonly Change[], options: { raw?: boolean } = {}): string {
  if (changes.length === 0) return t('lab:changes.nothing');
  const raw = options.raw === true;
  const groups = new Map<string, Change[]>();
  for (const change of changes) {
    const key = verb(change, raw);
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  const parts: string[] = [];
  for (const [words, members] of groups) {
    const one = (subject: string | undefined): string => t('lab:changes.one', { subject: subject || t('common:noSubject'), change: words });
    if (changes.length <= ONE_BY_ONE) for (const member of members) parts.push(one(member.subject));
    else if (members.length === 1) parts.push(one(members[0]?.subject));
    else parts.push(t('lab:changes.many', { count: members.length, change: words }));
  }
  return `${parts.join('; ')}.`;
}
