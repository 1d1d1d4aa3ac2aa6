/**
 * Creating a missing special folder when the server answers NO [TRYCREATE]
 * (RFC 9051 section 7.1), as Thunderbird does: moving to Archive or storing a
 * sent message works on a server that has no such folder yet.
 */
import { TwinboxError } from '../../../shared/errors';
import type { SpecialUse } from '../../../shared/model';
import { listFolders } from './folders';
import type { SpecialFolders } from './folders';
import { hasResponseCode, isTryCreate } from './imap-errors';
import type { ImapSession } from './session';

/** The special uses a client creates on demand, with their RFC 6154 attribute. */
const CREATABLE: Partial<Record<SpecialUse, string>> = {
  archive: '\\Archive',
  sent: '\\Sent',
  drafts: '\\Drafts',
  trash: '\\Trash',
  junk: '\\Junk',
};

/** The names a folder meant for a special use has when nobody has created it yet. */
const DEFAULT_NAMES: Record<string, SpecialUse> = { archive: 'archive', sent: 'sent', drafts: 'drafts', trash: 'trash', junk: 'junk' };

/**
 * imapflow's command runner, missing from its typings (marked internal). Its
 * mailboxCreate cannot send the USE argument of CREATE-SPECIAL-USE, so CREATE
 * goes through it then; the tagged response must be released with next().
 */
interface ImapFlowExec {
  exec(command: 'CREATE', attributes: unknown[]): Promise<{ next(): void }>;
}

/**
 * Runs `command` against `target`; when the server answers NO [TRYCREATE] and
 * `target` is (or is meant as) a special folder, creates it, refreshes the
 * special-folder map and runs `command` once more. For any other missing
 * target the failure is MAILBOX_NOT_FOUND: user folders are not created behind
 * the user's back.
 */
export async function withTargetCreated<T>(session: ImapSession, specialFolders: SpecialFolders, target: string, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if (!isTryCreate(error)) throw error;
    const use = await specialUseMeant(session, specialFolders, target);
    if (use === undefined) throw new TwinboxError('MAILBOX_NOT_FOUND', `The folder “${target}” does not exist on the server.`, { cause: error });
    await createSpecialFolder(session, target, use);
    await listFolders(session, specialFolders);
    return command();
  }
}

/** The special use `target` stands for: the one the server listed it with, or the one its name says. */
async function specialUseMeant(session: ImapSession, specialFolders: SpecialFolders, target: string): Promise<SpecialUse | undefined> {
  for (const use of Object.keys(CREATABLE) as SpecialUse[]) {
    if ((await specialFolders.pathOf(use, session)) === target) return use;
  }
  return DEFAULT_NAMES[target.toLowerCase()];
}

async function createSpecialFolder(session: ImapSession, path: string, use: SpecialUse): Promise<void> {
  const attribute = CREATABLE[use];
  const runner = session.client as unknown as Partial<ImapFlowExec>;
  // Plain ASCII names only: anything else needs imapflow's modified UTF-7 encoding, which only
  // its mailboxCreate applies; such a folder is then created without the attribute.
  const sendable = /^[\x20-\x7e]+$/.test(path) && !path.includes('&');
  if (attribute !== undefined && session.server.has('CREATE-SPECIAL-USE') && sendable && typeof runner.exec === 'function') {
    const exec = runner.exec.bind(session.client);
    try {
      await session.run(async () => {
        const response = await exec('CREATE', [{ type: 'STRING', value: path }, [{ type: 'ATOM', value: 'USE' }, [{ type: 'ATOM', value: attribute }]]]);
        response.next();
      });
    } catch (error) {
      // Another device created it meanwhile (RFC 5530): the retry finds it.
      if (!hasResponseCode(error, 'ALREADYEXISTS')) throw error;
    }
    // imapflow's mailboxCreate subscribes too: a created folder is one the user sees everywhere.
    await session.run(() => session.client.mailboxSubscribe(path));
    return;
  }
  await session.run(() => session.client.mailboxCreate(path));
}
