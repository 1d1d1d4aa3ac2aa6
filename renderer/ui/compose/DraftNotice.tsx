import { useLiveQuery } from 'dexie-react-hooks';
import { useTranslation } from 'react-i18next';
import type { MessageKey } from '../../db/rows';
import { useApp } from '../app-context';
import { useCompose } from './compose-state';

/**
 * For the reader: when the message shown is a draft (it is in the account's
 * Drafts folder), says so and offers to go on writing it.
 */
export function DraftNotice({ messageKey }: { messageKey: MessageKey }): React.JSX.Element | null {
  const { db } = useApp();
  const { t } = useTranslation('compose');
  const compose = useCompose();
  const [accountId, folder] = messageKey;
  const isDraft = useLiveQuery(async () => (await db.folders.get([accountId, folder]))?.specialUse === 'drafts', [accountId, folder], false);
  if (!isDraft) return null;
  return (
    <div className="draft-notice" role="note">
      {t('draft.notice')}{' '}
      <button type="button" onClick={() => compose.open({ kind: 'draft', message: messageKey })}>
        {t('draft.edit')}
      </button>
    </div>
  );
}
