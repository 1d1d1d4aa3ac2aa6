/**
 * Searching a folder on the server.
 */
import type { SearchObject } from 'imapflow';
import type { SearchQuery } from '../../../shared/model';
import type { UidSet } from '../../../shared/sequence-set';
import type { ImapSession } from './session';
import { searchUidSet } from './uid-search';

/**
 * UIDs of the messages that contain every word of the query in the subject,
 * an address (From, To, Cc) or the body text, newest first. One UID SEARCH
 * per word, `OR SUBJECT w OR FROM w OR TO w OR CC w BODY w`, intersected
 * here; a word outside ASCII goes as a literal with CHARSET UTF-8 (imapflow
 * adds it unless UTF8=ACCEPT is enabled). Matching is the server's: substring
 * and case-insensitive per RFC 9051.
 */
export async function searchMessages(session: ImapSession, folder: string, query: SearchQuery): Promise<string[]> {
  const words = query.text.split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return [];
  const matches = await session.withFolder(folder, async () => {
    let found: UidSet | undefined;
    for (const word of words) {
      const uids = await searchUidSet(session, anywhere(word));
      found = found === undefined ? uids : found.intersect(uids);
      if (found.isEmpty) break;
    }
    return found;
  });
  return matches === undefined ? [] : [...matches.descending()].map(String);
}

function anywhere(word: string): SearchObject {
  return { or: [{ subject: word }, { from: word }, { to: word }, { cc: word }, { body: word }] };
}
