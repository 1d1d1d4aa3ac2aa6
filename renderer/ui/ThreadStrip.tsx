import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import { threadMembers } from '../db/queries';
import type { CachedMessage, MessageKey } from '../db/rows';
import { keyOf } from '../db/rows';
import { useApp } from './app-context';
import { listDate, senderName } from './format';
import { keyId, sameKey } from './selection';

/**
 * The conversation the open message belongs to, across the account's folders
 * (a reply in Sent belongs with the message it answers), oldest first; each
 * entry opens that message.
 */
export function ThreadStrip({ reading, onOpen }: { reading: MessageKey | undefined; onOpen: (key: MessageKey) => void }): React.JSX.Element | null {
  const { t } = useTranslation('mail');
  const { db } = useApp();
  const members = useLiveQuery(async () => {
    if (!reading) return [];
    const message = await db.messages.get(reading);
    if (!message) return [];
    const thread = await threadMembers(db, message.accountId, message.threadId);
    return thread.sort((a, b) => a.sortDate - b.sortDate);
  }, [reading?.join('\u0000')], [] as CachedMessage[]);
  if (!reading || members.length < 2) return null;
  return (
    <nav className="thread-strip" aria-label={t('thread.label', { count: members.length })}>
      <ol>
        {members.map((member) => {
          const key = keyOf(member);
          const current = sameKey(key, reading);
          return (
            <li key={keyId(key)}>
              <button type="button" aria-current={current ? 'true' : undefined} onClick={() => onOpen(key)}>
                <span dir="auto">{senderName(member.from)}</span> · {listDate(member.sortDate)}
                {member.folder !== reading[1] && (
                  <>
                    {' · '}
                    <span dir="auto">{member.folder}</span>
                  </>
                )}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
