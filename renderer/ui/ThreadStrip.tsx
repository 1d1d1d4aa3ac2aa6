import { useLiveQuery } from 'dexie-react-hooks';
import { threadMembers } from '../db/queries';
import type { CachedMessage } from '../db/schema';
import { keyOf } from '../db/writer';
import type { MessageKey } from '../db/writer';
import { useApp } from './app-context';
import { listDate, senderName } from './format';
import { keyId, sameKey } from './selection';

/**
 * The conversation the open message belongs to, across the account's folders
 * (a reply in Sent belongs with the message it answers), oldest first; each
 * entry opens that message.
 */
export function ThreadStrip({ reading, onOpen }: { reading: MessageKey | undefined; onOpen: (key: MessageKey) => void }): React.JSX.Element | null {
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
    <nav className="thread-strip" aria-label={`Conversation, ${members.length} messages`}>
      <ol>
        {members.map((member) => {
          const key = keyOf(member);
          const current = sameKey(key, reading);
          return (
            <li key={keyId(key)}>
              <button type="button" aria-current={current ? 'true' : undefined} onClick={() => onOpen(key)}>
                {senderName(member.from)} · {listDate(member.sortDate)}
                {member.folder !== reading[1] ? ` · ${member.folder}` : ''}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
