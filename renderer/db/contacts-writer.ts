/**
 * Writes the address book (see contacts.ts): what a sent message teaches,
 * what an opened one does (only with the user's setting on), a one-time
 * pass over the Sent folders already cached, and the user's own edits and
 * imports. Contacts are a convenience: nothing else waits on these writes.
 */
import { Dexie } from 'dexie';
import type { Address } from '../../shared/model';
import { contactTokens } from './contacts';
import type { AppSetting, Contact, SettingName } from './rows';
import type { WriterContext } from './row-writer';
import type { TwinboxDatabase } from './schema';

/** A name worth keeping: not empty, and not the address again. */
function usableName(address: Address): string {
  const name = address.name.trim();
  return name.toLowerCase() === address.address.trim().toLowerCase() ? '' : name;
}

function fresh(address: Address, now: number): Contact {
  const display = address.address.trim();
  const name = usableName(address);
  return { address: display.toLowerCase(), display, name, sentCount: 0, seenCount: 0, createdAt: now, tokens: contactTokens(name, display) };
}

/** The same address once, the last name given for it winning. */
function unique(addresses: readonly Address[]): Map<string, Address> {
  const byKey = new Map<string, Address>();
  for (const address of addresses) {
    const key = address.address.trim().toLowerCase();
    if (key === '' || !key.includes('@')) continue;
    const earlier = byKey.get(key);
    byKey.set(key, earlier && usableName(address) === '' ? earlier : address);
  }
  return byKey;
}

type SettingValue<N extends SettingName> = Extract<AppSetting, { name: N }>['value'];

export async function readSetting<N extends SettingName>(db: TwinboxDatabase, name: N): Promise<SettingValue<N> | undefined> {
  const row = await db.settings.get(name);
  // The row under a name is always that name's kind (only writeSetting writes them).
  return row?.value as SettingValue<N> | undefined;
}

export async function writeSetting(ctx: WriterContext, setting: AppSetting): Promise<void> {
  await ctx.db.settings.put(setting);
}

/** Every recipient of a message just sent counts once more, as of now. */
export async function learnSent(ctx: WriterContext, recipients: readonly Address[]): Promise<void> {
  const now = ctx.now();
  const wanted = unique(recipients);
  if (wanted.size === 0) return;
  const db = ctx.db;
  await db.transaction('rw', db.contacts, async () => {
    const entries = [...wanted];
    const existing = await db.contacts.bulkGet(entries.map(([key]) => key));
    const rows = entries.map(([, address], i) => {
      const contact = existing[i] ?? fresh(address, now);
      const name = contact.edited === 1 ? contact.name : usableName(address) || contact.name;
      const display = address.address.trim();
      return { ...contact, display, name, sentCount: contact.sentCount + 1, lastSentAt: now, tokens: contactTokens(name, display) };
    });
    await db.contacts.bulkPut(rows);
  });
}

/**
 * The senders of a message opened here count once more, when the user has
 * "learn from mail read" on; a name from here fills in only a missing one
 * (the name someone was written to under is the user's own choice).
 */
export async function learnSeen(ctx: WriterContext, senders: readonly Address[]): Promise<void> {
  const db = ctx.db;
  if ((await readSetting(db, 'learnFromRead')) !== true) return;
  const now = ctx.now();
  const wanted = unique(senders);
  if (wanted.size === 0) return;
  await db.transaction('rw', db.contacts, async () => {
    const entries = [...wanted];
    const existing = await db.contacts.bulkGet(entries.map(([key]) => key));
    const rows = entries.map(([, address], i) => {
      const contact = existing[i] ?? fresh(address, now);
      const name = contact.name || usableName(address);
      return { ...contact, name, seenCount: contact.seenCount + 1, lastSeenAt: now, tokens: contactTokens(name, contact.display) };
    });
    await db.contacts.bulkPut(rows);
  });
}

/** What a pass over Sent found for one address. */
interface Tally {
  address: Address;
  count: number;
  last: number;
}

/**
 * Reads the Sent folders not read before, once each, so that an install
 * with mail already cached completes addresses at once: every To and Cc of
 * every message there counts as one sending, at the message's date. A
 * folder is read once its first sync is complete (or at once, when it is
 * this computer's own); the rows are read outside any write transaction,
 * so syncs are never held up. Returns the folders read.
 */
export async function backfillFromSent(ctx: WriterContext): Promise<string[]> {
  const db = ctx.db;
  const done = new Set((await readSetting(db, 'contactsBackfilled')) ?? []);
  const sent = (await db.folders.toArray()).filter((folder) => folder.specialUse === 'sent' && !done.has(`${folder.accountId}\u0000${folder.path}`));
  const ready: { accountId: string; path: string }[] = [];
  for (const folder of sent) {
    const [state, known] = await Promise.all([db.syncState.get([folder.accountId, folder.path]), db.capabilities.get(folder.accountId)]);
    const local = known !== undefined && !known.capabilities.serverFolders;
    if (state?.completedAt !== undefined || local) ready.push(folder);
  }
  if (ready.length === 0) return [];

  const tallies = new Map<string, Tally>();
  for (const { accountId, path } of ready) {
    await db.messages
      .where('[accountId+folder+serverId]')
      .between([accountId, path, Dexie.minKey], [accountId, path, Dexie.maxKey], true, true)
      .each((row) => {
        for (const [key, address] of unique([...row.to, ...row.cc])) {
          const tally = tallies.get(key);
          if (!tally) tallies.set(key, { address, count: 1, last: row.sortDate });
          else {
            tally.count++;
            if (row.sortDate >= tally.last) {
              tally.last = row.sortDate;
              if (usableName(address) !== '') tally.address = address;
            }
          }
        }
      });
  }

  const now = ctx.now();
  const names = ready.map(({ accountId, path }) => `${accountId}\u0000${path}`);
  await db.transaction('rw', [db.contacts, db.settings], async () => {
    // Another pass (another window) may have read them in the meantime.
    const already = new Set((await readSetting(db, 'contactsBackfilled')) ?? []);
    if (names.some((name) => already.has(name))) return;
    const entries = [...tallies.values()];
    const existing = await db.contacts.bulkGet([...tallies.keys()]);
    const rows = entries.map((tally, i) => {
      const contact = existing[i] ?? fresh(tally.address, now);
      const name = contact.edited === 1 || contact.name !== '' ? contact.name : usableName(tally.address);
      const lastSentAt = Math.max(contact.lastSentAt ?? 0, tally.last);
      return { ...contact, name, sentCount: contact.sentCount + tally.count, lastSentAt, tokens: contactTokens(name, contact.display) };
    });
    await db.contacts.bulkPut(rows);
    await db.settings.put({ name: 'contactsBackfilled', value: [...already, ...names] });
  });
  return names;
}

/** The user names a contact (or adds one): that name stays whatever mail says later. */
export async function saveContact(ctx: WriterContext, address: Address): Promise<void> {
  const db = ctx.db;
  const now = ctx.now();
  await db.transaction('rw', db.contacts, async () => {
    const key = address.address.trim().toLowerCase();
    const contact = (await db.contacts.get(key)) ?? fresh(address, now);
    const name = address.name.trim();
    await db.contacts.put({ ...contact, name, edited: 1, tokens: contactTokens(name, contact.display) });
  });
}

export async function deleteContacts(ctx: WriterContext, addresses: readonly string[]): Promise<void> {
  await ctx.db.contacts.bulkDelete(addresses.map((address) => address.toLowerCase()));
}

/**
 * Cards from an imported address book, merged by address: a new address
 * becomes a contact, a known one takes the card's name (the user's own
 * data, so it counts as edited); counts are never touched.
 */
export async function importContacts(ctx: WriterContext, people: readonly Address[]): Promise<{ added: number; updated: number }> {
  const db = ctx.db;
  const now = ctx.now();
  const wanted = unique(people);
  let added = 0;
  let updated = 0;
  await db.transaction('rw', db.contacts, async () => {
    const entries = [...wanted];
    const existing = await db.contacts.bulkGet(entries.map(([key]) => key));
    const rows: Contact[] = [];
    entries.forEach(([, address], i) => {
      const known = existing[i];
      const name = usableName(address);
      if (!known) {
        added++;
        rows.push({ ...fresh(address, now), ...(name === '' ? {} : { edited: 1 as const }) });
      } else if (name !== '' && name !== known.name) {
        updated++;
        rows.push({ ...known, name, edited: 1, tokens: contactTokens(name, known.display) });
      }
    });
    await db.contacts.bulkPut(rows);
  });
  return { added, updated };
}
