import { useLiveQuery } from 'dexie-react-hooks';
import { BookUser } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { contactAddress, suggestContacts } from '../../db/contacts';
import type { Contact } from '../../db/rows';
import { useApp } from '../app-context';
import { Icon } from '../icon';
import { downloadBytes } from '../reader/bytes';
import { parseVCards, writeVCards } from './vcard';

/**
 * The header's "Contacts" button and the address book it opens. It also
 * starts the one-time reading of Sent folders into the address book, as
 * each Sent folder's first sync completes (it is always mounted).
 */
export function ContactsButton(): React.JSX.Element {
  const { t } = useTranslation(['compose', 'common']);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useSentBackfill();
  return (
    <>
      <button ref={button} type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <Icon icon={BookUser} />
        {t('contacts.button')}
      </button>
      {open && (
        <ContactsDialog
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </>
  );
}

/** Sent folders and whether each can be read yet: a key that changes only when one becomes readable. */
function useSentBackfill(): void {
  const { db, engine } = useApp();
  const readiness = useLiveQuery(async () => {
    const sent = (await db.folders.toArray()).filter((folder) => folder.specialUse === 'sent');
    const states = await db.syncState.bulkGet(sent.map((folder): [string, string] => [folder.accountId, folder.path]));
    const known = await db.capabilities.bulkGet([...new Set(sent.map((folder) => folder.accountId))]);
    const local = new Set(known.filter((k) => k !== undefined && !k.capabilities.serverFolders).map((k) => k?.accountId));
    return sent.map((folder, i) => `${folder.accountId}\u0000${folder.path}\u0000${states[i]?.completedAt !== undefined || local.has(folder.accountId) ? 1 : 0}`).join('\n');
  }, [db]);
  useEffect(() => {
    if (readiness === undefined || readiness === '') return;
    // In the background; what fails is tried again when a Sent folder next changes state.
    engine.writer.backfillContacts().catch(() => undefined);
  }, [engine, readiness]);
}

type Status = { kind: 'idle' } | { kind: 'done'; text: string; skipped: string[] } | { kind: 'failed'; text: string };

function ContactsDialog({ onClose }: { onClose: () => void }): React.JSX.Element {
  const { db, engine } = useApp();
  const { t } = useTranslation(['compose', 'common']);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [editing, setEditing] = useState<{ address: string; name: string } | undefined>();
  const contacts = useLiveQuery(
    () => (query.trim() === '' ? db.contacts.toArray().then((all) => all.sort(byName)) : suggestContacts(db, query, { limit: 500 })),
    [db, query],
  );
  const learnFromRead = useLiveQuery(() => db.settings.get('learnFromRead'), [db]);
  /** What the user just chose, shown at once rather than after the write comes back. */
  const [learnChosen, setLearnChosen] = useState<boolean | undefined>();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  async function exportCards(): Promise<void> {
    const all = (await db.contacts.toArray()).sort(byName);
    downloadBytes('contacts.vcf', new TextEncoder().encode(writeVCards(all.map(contactAddress))));
    setStatus({ kind: 'done', text: t('contacts.exported', { count: all.length }), skipped: [] });
  }

  async function importCards(files: FileList | null): Promise<void> {
    const file = files?.[0];
    if (!file) return;
    try {
      const { people, skipped } = parseVCards(await file.text());
      const { added, updated } = await engine.writer.importContacts(people);
      setStatus({
        kind: 'done',
        text: t('contacts.imported', {
          file: file.name,
          added: t('contacts.importedAdded', { count: added }),
          updated: t('contacts.importedUpdated', { count: updated }),
          skipped: t('contacts.importedSkipped', { count: skipped.length }),
        }),
        skipped,
      });
    } catch {
      setStatus({ kind: 'failed', text: t('contacts.unreadable', { file: file.name }) });
    }
  }

  async function saveName(): Promise<void> {
    if (!editing) return;
    const contact = await db.contacts.get(editing.address);
    if (contact) await engine.writer.saveContact({ name: editing.name, address: contact.display });
    setEditing(undefined);
  }

  return createPortal(
    <dialog ref={dialog} className="dialog contacts-dialog" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{t('contacts.title')}</h2>
      <p className="contacts-about">{t('contacts.about')}</p>
      <label className="contacts-learn">
        <input
          type="checkbox"
          checked={learnChosen ?? learnFromRead?.value === true}
          onChange={(event) => {
            setLearnChosen(event.target.checked);
            void engine.writer.setSetting({ name: 'learnFromRead', value: event.target.checked });
          }}
        />{' '}
        {t('contacts.learnFromRead')}
      </label>
      <input type="search" aria-label={t('contacts.search')} placeholder={t('contacts.search')} dir="auto" value={query} onChange={(event) => setQuery(event.target.value)} />
      <ul className="contacts-list" aria-label={t('contacts.list')}>
        {contacts?.map((contact) => (
          <li key={contact.address}>
            {editing?.address === contact.address ? (
              <form
                className="contacts-edit"
                onSubmit={(event) => {
                  event.preventDefault();
                  void saveName();
                }}
              >
                <input
                  type="text"
                  aria-label={t('contacts.nameFor', { address: contact.display })}
                  value={editing.name}
                  dir="auto"
                  // The field Edit opened takes the keyboard.
                  autoFocus
                  onChange={(event) => setEditing({ address: contact.address, name: event.target.value })}
                  onKeyDown={(event) => {
                    if (event.key === 'Escape') {
                      // Cancels the edit, not the dialog.
                      event.preventDefault();
                      setEditing(undefined);
                    }
                  }}
                />
                <button type="submit">{t('common:save')}</button>
                <button type="button" onClick={() => setEditing(undefined)}>
                  {t('common:cancel')}
                </button>
              </form>
            ) : (
              <>
                <span className="contact-who">
                  {contact.name !== '' && (
                    <span className="contact-name" dir="auto">
                      {contact.name}
                    </span>
                  )}{' '}
                  <span className="contact-address" dir="auto">
                    {contact.display}
                  </span>
                </span>
                <span className="contact-count">
                  {contact.sentCount > 0 ? t('contacts.writtenTo', { count: contact.sentCount }) : contact.seenCount > 0 ? t('contacts.readFrom', { count: contact.seenCount }) : ''}
                </span>
                <button type="button" aria-label={t('contacts.editContact', { address: contact.display })} onClick={() => setEditing({ address: contact.address, name: contact.name })}>
                  {t('common:edit')}
                </button>
                <button type="button" aria-label={t('contacts.deleteContact', { address: contact.display })} onClick={() => void engine.writer.deleteContacts([contact.address])}>
                  {t('common:delete')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {contacts?.length === 0 && <p className="empty">{t(query.trim() === '' ? 'contacts.empty' : 'contacts.noMatch')}</p>}
      <div role="status" className="contacts-status">
        {status.kind === 'done' && status.text}
        {status.kind === 'failed' && status.text}
        {status.kind === 'done' && status.skipped.length > 0 && (
          <ul aria-label={t('contacts.skippedList')}>
            {status.skipped.map((reason, index) => (
              <li key={index}>{reason}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="dialog-buttons">
        <button type="button" onClick={() => void exportCards()}>
          {t('contacts.export')}
        </button>
        <label className="button">
          {t('contacts.import')}
          <input
            type="file"
            accept=".vcf,.vcard,text/vcard,text/x-vcard"
            aria-label={t('contacts.importLabel')}
            className="visually-hidden"
            onChange={(event) => {
              void importCards(event.target.files);
              event.target.value = '';
            }}
          />
        </label>
        <button type="button" onClick={onClose}>
          {t('common:close')}
        </button>
      </div>
    </dialog>,
    document.body,
  );
}

function byName(a: Contact, b: Contact): number {
  return (a.name || a.address).localeCompare(b.name || b.address);
}
