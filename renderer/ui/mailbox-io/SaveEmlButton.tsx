import { Download } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import type { MessageKey } from '../../db/rows';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { Icon } from '../icon';
import { downloadBytes } from '../reader/bytes';
import { newOperationId, runExport } from './transfer';

/**
 * "Save as .eml": the message's exact bytes in a file of its own, where the
 * user chooses (the desktop app) or through the browser's download.
 */
export function SaveEmlButton({ messageKey, subject }: { messageKey: MessageKey; subject: string }): React.JSX.Element {
  const { client } = useApp();
  const { t } = useTranslation('folders');
  const [state, setState] = useState<{ kind: 'idle' | 'saving' } | { kind: 'saved'; path: string } | { kind: 'failed'; error: TwinboxError }>({ kind: 'idle' });

  async function save(): Promise<void> {
    const [accountId, folder, serverId] = messageKey;
    setState({ kind: 'saving' });
    try {
      const result = await runExport(client, {
        exportId: newOperationId(),
        accountId,
        format: 'eml',
        name: subject.trim() === '' ? t('eml.defaultName') : subject.trim().slice(0, 100),
        folders: [{ folder, messages: [{ serverId, flags: [], receivedAt: null }] }],
      });
      if (result.kind === 'download') downloadBytes(result.filename, result.content);
      setState(result.kind === 'saved' ? { kind: 'saved', path: result.path } : { kind: 'idle' });
    } catch (error) {
      setState({ kind: 'failed', error: asTwinboxError(error) });
    }
  }

  return (
    <>
      <button type="button" onClick={() => void save()} disabled={state.kind === 'saving'}>
        <Icon icon={Download} />
        {t('eml.save')}
      </button>
      {state.kind === 'saved' && <span role="status">{t('eml.saved', { path: state.path })}</span>}
      {state.kind === 'failed' && <span role="alert">{errorText(state.error)}</span>}
    </>
  );
}
