import { Download, Paperclip } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { safeFileName } from '../../../shared/file-names';
import type { AttachmentInfo } from '../../../shared/model';
import type { MessageKey } from '../../db/rows';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { byteSize } from '../format';
import { Icon } from '../icon';
import { downloadBytes } from './bytes';

type SaveState = { kind: 'saving' } | { kind: 'saved'; path: string } | { kind: 'failed'; error: unknown };

/**
 * The message's files, each with a button to save it. Main finds the bytes
 * from the attachment's opaque id (in its message store, or on the IMAP
 * server) and either writes the file where the user chooses (desktop) or
 * hands the bytes back for the browser to download.
 */
export function AttachmentList({ attachments, messageKey }: { attachments: readonly AttachmentInfo[]; messageKey: MessageKey }): React.JSX.Element {
  const { t } = useTranslation('mail');
  const { client } = useApp();
  const [states, setStates] = useState<ReadonlyMap<string, SaveState>>(new Map());
  const set = (id: string, state: SaveState | undefined): void =>
    setStates((previous) => {
      const next = new Map(previous);
      if (state === undefined) next.delete(id);
      else next.set(id, state);
      return next;
    });

  async function save(attachment: AttachmentInfo): Promise<void> {
    const [accountId, folder, serverId] = messageKey;
    set(attachment.id, { kind: 'saving' });
    try {
      const result = await client.call('attachments.save', { accountId, folder, serverId, attachmentId: attachment.id });
      if (result.kind === 'download') {
        downloadBytes(safeFileName(result.filename), result.content);
        set(attachment.id, undefined);
      } else if (result.kind === 'saved') {
        set(attachment.id, { kind: 'saved', path: result.path });
      } else {
        set(attachment.id, undefined);
      }
    } catch (error) {
      set(attachment.id, { kind: 'failed', error });
    }
  }

  return (
    <section aria-label={t('attachments.label')} className="attachments">
      <ul>
        {attachments.map((attachment) => {
          const state = states.get(attachment.id);
          // Main lists names made safe; shown through the same rules so no name from elsewhere ever shows raw.
          const name = safeFileName(attachment.filename);
          return (
            <li key={attachment.id} className="attachment">
              <Icon icon={Paperclip} size={14} className="attachment-icon" />
              <span className="attachment-name" dir="auto">
                {name}
              </span>{' '}
              <span className="attachment-type">{attachment.contentType}</span>{' '}
              <span className="size">{byteSize(attachment.size)}</span>{' '}
              <button type="button" disabled={state?.kind === 'saving'} onClick={() => void save(attachment)}>
                <Icon icon={Download} size={14} />
                <span className="attachment-save">{t('attachments.save', { name })}</span>
              </button>
              {state?.kind === 'saved' && (
                <span role="status" className="attachment-status">
                  {t('attachments.saved', { path: state.path })}
                </span>
              )}
              {state?.kind === 'failed' && (
                <span role="alert" className="attachment-status error-text">
                  {errorText(state.error)}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
