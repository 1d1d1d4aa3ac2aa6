/**
 * What a composer starts with, for each kind of request: empty, an answer to
 * a message (recipients, subject, threading, the original quoted), a forward
 * (with the original's attachments), or a saved draft to go on with.
 */
import { TwinboxError } from '../../../shared/errors';
import type { AttachmentInfo, MessageBody } from '../../../shared/model';
import type { CachedMessage, TwinboxDatabase } from '../../db/schema';
import type { MessageKey } from '../../db/writer';
import type { TwinboxClient } from '../../ipc/twinbox-client';
import type { SyncEngine } from '../../sync/engine';
import type { DraftRef } from '../../sync/outbox';
import { fullDate } from '../format';
import { formatAddressList, parseAddressList } from './addresses';
import type { ComposeRequest } from './compose-state';
import { htmlToText, sanitizeHtml, textToHtml } from './html';
import { answerBodyPlain, answerRecipients, attribution, forwardHeaderLines, forwardSubject, replySubject, threadHeaders } from './reply';
import { escapeHtml } from './text';

export type BodyFormat = 'plain' | 'rich';

export interface ComposeAttachment {
  /** Tells equal names apart in the list. */
  key: string;
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface InitialCompose {
  /** The composer's accessible name. */
  title: string;
  accountId: string | undefined;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  format: BodyFormat;
  text: string;
  /** The same start as rich text (the original quoted in a blockquote), used when the user switches before writing. */
  html: string;
  attachments: ComposeAttachment[];
  inReplyTo?: string;
  references: string[];
  answering?: MessageKey;
  draft?: DraftRef;
  /** Where typing starts. */
  focus: 'to' | 'body';
}

export interface LoadServices {
  client: TwinboxClient;
  db: TwinboxDatabase;
  engine: Pick<SyncEngine, 'openMessage' | 'capabilities'>;
}

export const TITLES: Record<ComposeRequest['kind'], string> = {
  new: 'New message',
  reply: 'Reply',
  replyAll: 'Reply all',
  forward: 'Forward',
  draft: 'Draft',
};

let attachmentCounter = 0;

export function attachmentKey(): string {
  attachmentCounter += 1;
  return `attachment-${attachmentCounter}`;
}

const EMPTY = { to: '', cc: '', bcc: '', subject: '', format: 'plain' as const, text: '', html: '', attachments: [], references: [] };

export async function loadCompose(request: ComposeRequest, services: LoadServices): Promise<InitialCompose> {
  const title = TITLES[request.kind];
  if (request.kind === 'new') {
    const accountId = request.accountId ?? (await services.db.accounts.toCollection().first())?.id;
    const prefill = request.prefill;
    if (!prefill) return { ...EMPTY, title, accountId, focus: 'to' };
    return {
      ...EMPTY,
      title,
      accountId,
      to: prefill.to.join(', '),
      cc: prefill.cc.join(', '),
      bcc: prefill.bcc.join(', '),
      subject: prefill.subject,
      text: prefill.body,
      html: textToHtml(prefill.body),
      ...(prefill.inReplyTo === undefined ? {} : { inReplyTo: prefill.inReplyTo, references: [prefill.inReplyTo] }),
      focus: prefill.to.length === 0 ? 'to' : 'body',
    };
  }
  const key = request.message;
  const original = await services.db.messages.get(key);
  if (!original) throw new TwinboxError('MESSAGE_GONE', 'the message is no longer in the cache');
  const body = await bodyOf(key, services);
  if (request.kind === 'draft') return loadDraft(key, original, body, services);

  const account = await services.db.accounts.get(key[0]);
  const date = original.sortDate === 0 ? '' : fullDate(original.sortDate);
  const originalText = body.text ?? (body.html === undefined ? (original.snippet ?? '') : htmlToText(body.html));
  const originalHtml = body.html === undefined ? textToHtml(originalText) : sanitizeHtml(body.html);
  const text = answerBodyPlain(request.kind, original, date, originalText);

  if (request.kind === 'forward') {
    const forwarded = body.attachments.filter((a) => !a.inline && a.role !== 'signature');
    const header = forwardHeaderLines(original, date)
      .map((line) => escapeHtml(line))
      .join('<br>');
    return {
      ...EMPTY,
      title,
      accountId: key[0],
      subject: forwardSubject(original.subject),
      text,
      html: `<div><br></div><div><br></div><div>${header}</div><div><br></div>${originalHtml}`,
      attachments: await fetchAttachments(key, forwarded, services.client),
      focus: 'to',
    };
  }

  const recipients = answerRecipients(original, request.kind, account?.email ?? '');
  const thread = threadHeaders(original);
  return {
    ...EMPTY,
    title,
    accountId: key[0],
    to: formatAddressList(recipients.to),
    cc: formatAddressList(recipients.cc),
    subject: replySubject(original.subject),
    text,
    html: `<div><br></div><div><br></div><div>${escapeHtml(attribution(original, date))}</div><blockquote>${originalHtml}</blockquote>`,
    ...(thread.inReplyTo === undefined ? {} : { inReplyTo: thread.inReplyTo }),
    references: thread.references,
    answering: key,
    focus: 'body',
  };
}

async function loadDraft(key: MessageKey, draft: CachedMessage, body: MessageBody, services: LoadServices): Promise<InitialCompose> {
  const capabilities = await services.engine.capabilities(key[0]);
  const bcc = body.headers.filter(([name]) => name.toLowerCase() === 'bcc').map(([, value]) => value);
  const rich = body.html !== undefined;
  // The line end every MIME body closes with is not part of what was written.
  const text = (body.text ?? (rich ? htmlToText(body.html ?? '') : '')).replace(/\r?\n$/, '');
  return {
    title: TITLES.draft,
    accountId: key[0],
    to: formatAddressList(draft.to),
    cc: formatAddressList(draft.cc),
    bcc: formatAddressList(parseAddressList(bcc.join(', ')).addresses),
    subject: draft.subject,
    format: rich ? 'rich' : 'plain',
    text,
    html: rich ? sanitizeHtml(body.html ?? '') : textToHtml(text),
    attachments: await fetchAttachments(
      key,
      body.attachments.filter((a) => !a.inline),
      services.client,
    ),
    ...(draft.inReplyTo === undefined ? {} : { inReplyTo: draft.inReplyTo }),
    references: draft.references,
    draft: { accountId: key[0], folder: key[1], where: capabilities.serverFolders ? 'server' : 'local', serverId: key[2], stale: [] },
    focus: draft.to.length === 0 ? 'to' : 'body',
  };
}

/** The body as main parses it from its store, or fetches it as the account's mode says. */
function bodyOf(key: MessageKey, services: LoadServices): Promise<MessageBody> {
  return services.engine.openMessage(key);
}

/** The bytes of the original's attachments, each read by main from the message (its store, or the server). */
async function fetchAttachments(key: MessageKey, attachments: AttachmentInfo[], client: TwinboxClient): Promise<ComposeAttachment[]> {
  const [accountId, folder, serverId] = key;
  const result: ComposeAttachment[] = [];
  for (const attachment of attachments) {
    const content = await client.call('attachments.fetch', { accountId, folder, serverId, attachmentId: attachment.id });
    result.push({ key: attachmentKey(), filename: content.filename, contentType: content.contentType, content: content.content });
  }
  return result;
}
