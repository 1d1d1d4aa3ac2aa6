import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Account, AdapterCapabilities } from '../../../shared/model';
import type { MessageKey } from '../../db/rows';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { formatNumber } from '../format';
import { keyId } from '../selection';
import type { FolderRef } from '../selection';
import { searchLocally, textCoverage } from '../../db/local-search';
import type { LocalResults } from '../../db/local-search';
import { folderPathLabel } from '../../i18n/folder-label';

export interface SearchOutcome {
  keys: MessageKey[];
  /** The results' identity for the list's live queries. */
  id: string;
}

/**
 * What a search found and how complete that is: local results at once; for
 * an account whose server can search, a "Search on the server" that also
 * finds messages whose text is not on this computer.
 */
export function useSearch(query: string, folder: FolderRef | undefined): {
  results: SearchOutcome;
  note: React.JSX.Element | null;
} {
  const { db, engine, client } = useApp();
  const accountId = folder?.accountId;
  const local = useLiveQuery(() => searchLocally(db, query, accountId), [query, accountId], { keys: [], truncated: false } as LocalResults);
  const account = useLiveQuery(() => (accountId ? db.accounts.get(accountId) : undefined), [accountId]);
  const capabilities = useLiveQuery(async () => (accountId ? (await db.capabilities.get(accountId))?.capabilities : undefined), [accountId]);
  const coverage = useLiveQuery(() => (accountId ? textCoverage(db, accountId) : undefined), [accountId]);
  const [server, setServer] = useState<ServerSearch>();

  const serverKeys = server !== undefined && server !== 'searching' && 'keys' in server && server.query === query ? server.keys : [];
  const seen = new Set(local.keys.map(keyId));
  const keys = [...local.keys, ...serverKeys.filter((key) => !seen.has(keyId(key)))];

  async function searchServer(): Promise<void> {
    if (!folder || !account) return;
    setServer('searching');
    try {
      const ids = await client.call('mail.search', { accountId: folder.accountId, folder: folder.path, text: query });
      // Results the cache does not list yet (a folder not synced so far) are fetched first.
      const found = ids.map((serverId): MessageKey => [folder.accountId, folder.path, serverId]);
      const present = await db.messages.bulkGet(found);
      if (present.some((row) => row === undefined)) await engine.imap.syncFolder(account, folder.path);
      setServer({ query, folder: folder.path, keys: found });
    } catch (error) {
      setServer({ query, error });
    }
  }

  return {
    results: { keys, id: `${query}\u0000${accountId ?? ''}\u0000${keys.length}\u0000${serverKeys.length}` },
    note: (
      <SearchNote
        count={keys.length}
        truncated={local.truncated}
        account={account}
        capabilities={capabilities}
        withoutText={coverage?.withoutText ?? 0}
        queued={coverage?.queued ?? 0}
        server={server}
        query={query}
        folder={folder}
        onSearchServer={() => void searchServer()}
      />
    ),
  };
}

/** Where a search on the server stands: what it found, or why it failed (the failure, worded when shown). */
type ServerSearch = { query: string; folder: string; keys: MessageKey[] } | { query: string; error: unknown } | 'searching' | undefined;

function SearchNote({
  count,
  truncated,
  account,
  capabilities,
  withoutText,
  queued,
  server,
  query,
  folder,
  onSearchServer,
}: {
  count: number;
  truncated: boolean;
  account: Account | undefined;
  capabilities: AdapterCapabilities | undefined;
  withoutText: number;
  queued: number;
  server: ServerSearch;
  query: string;
  folder: FolderRef | undefined;
  onSearchServer: () => void;
}): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const searched = server !== undefined && server !== 'searching' && server.query === query;
  // The count as shown ("500+" when only the newest are listed); `count` still picks the sentence's plural form.
  const number = `${formatNumber(count)}${truncated ? '+' : ''}`;
  const found =
    count === 0
      ? account
        ? t('search.noneIn', { account: account.name })
        : folder
          ? t('search.none')
          : t('search.noneAnywhere')
      : account
        ? t('search.foundIn', { count, number, account: account.name })
        : folder
          ? t('search.found', { count, number })
          : t('search.foundAnywhere', { count, number });
  const notHere = withoutText - queued;
  return (
    <div className="search-note" role="status" aria-label={t('app.searchResults')}>
      <p>
        {found}
        {truncated && ` ${t('search.truncated')}`}
      </p>
      {queued > 0 && <p>{t('search.indexing', { count: queued })}</p>}
      {capabilities?.serverSearch && !searched && (
        <p>
          {notHere > 0 ? t('search.notHere', { count: notHere }) : t('search.serverMayFindMore')}{' '}
          <button type="button" onClick={onSearchServer} disabled={server === 'searching' || !folder}>
            {server === 'searching' ? t('search.searching') : t('search.searchServer')}
          </button>
        </p>
      )}
      {searched && 'keys' in server && <p>{t('search.includesServer', { folder: folderPathLabel(server.folder) })}</p>}
      {searched && 'error' in server && <p className="error-text">{errorText(server.error)}</p>}
      {capabilities && !capabilities.serverSearch && queued === 0 && <p>{t('search.complete')}</p>}
    </div>
  );
}
