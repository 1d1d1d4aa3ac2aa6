import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { ERROR_TEXT, TwinboxError } from '../../../shared/errors';
import type { Account, AdapterCapabilities } from '../../../shared/model';
import type { MessageKey } from '../../db/writer';
import { useApp } from '../app-context';
import { keyId } from '../selection';
import type { FolderRef } from '../selection';
import { searchLocally, textCoverage } from '../../db/local-search';
import type { LocalResults } from '../../db/local-search';

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
  const [server, setServer] = useState<{ query: string; folder: string; keys: MessageKey[] } | { query: string; error: string } | 'searching' | undefined>();

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
      const code = error instanceof TwinboxError ? error.code : 'INTERNAL';
      setServer({ query, error: ERROR_TEXT[code] });
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
  server: { query: string; folder: string; keys: MessageKey[] } | { query: string; error: string } | 'searching' | undefined;
  query: string;
  folder: FolderRef | undefined;
  onSearchServer: () => void;
}): React.JSX.Element {
  const searched = server !== undefined && server !== 'searching' && server.query === query;
  return (
    <div className="search-note" role="status" aria-label="Search results">
      <p>
        {count === 0 ? 'No messages found' : `${count}${truncated ? '+' : ''} message${count === 1 ? '' : 's'} found`}
        {account ? ` in ${account.name}` : folder ? '' : ' in every account'}.
        {truncated && ' Only the newest are listed; add a word to narrow the search.'}
      </p>
      {queued > 0 && (
        <p>
          Indexing for search: the text of {queued} message{queued === 1 ? ' is' : 's are'} not searchable yet, so these results may be incomplete.
        </p>
      )}
      {capabilities?.serverSearch && !searched && (
        <p>
          {withoutText - queued > 0
            ? `The text of ${withoutText - queued} message${withoutText - queued === 1 ? ' is' : 's are'} not on this computer, so these results may be incomplete. `
            : 'The server may find more. '}
          <button type="button" onClick={onSearchServer} disabled={server === 'searching' || !folder}>
            {server === 'searching' ? 'Searching the server…' : 'Search on the server'}
          </button>
        </p>
      )}
      {searched && 'keys' in server && <p>Includes what the server found in {server.folder === 'INBOX' ? 'Inbox' : server.folder}.</p>}
      {searched && 'error' in server && <p className="error-text">{server.error}</p>}
      {capabilities && !capabilities.serverSearch && queued === 0 && <p>All of this account’s mail is on this computer: these are all the results.</p>}
    </div>
  );
}
