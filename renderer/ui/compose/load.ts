/**
 * What a composer starts with, for each kind of request: empty, an answer to
 * a message (recipients, subject, threading, the original quoted), a forward
 * (with the original's attachments), or a saved draft to go on with.
 */
import { TwinboxError } from '../../../shared/errors';
import type { AttachmentInfo, MessageBody } from '../../../shared/model';
import type { CachedMessage, MessageKey } from '../../db/rows';
import type { CacheReader } from '../../db/schema';
import type { TwinboxClient } from '../../ipc/twinbox-client';
import type { SyncEngine } from '../../sync/engine';
import type { DraftRef } from '../../sync/outbox';
import { fullDate } from '../format';
import { formatAddressList, parseAddressList } from './addresses';
import type { ComposeRequest } from './compose-state';
import { htmlToText, sanitizeHtml, textToHtml } from './html';
import { answerBodyPlain, answerRecipients, attribution, forwardHeaderLines, forwardSubject, replySubject, threadHeaders } from './reply';
import { identitiesOf, identityForAnswer, identityKey, identityOfDraft, ownAddresses } from './identities';
import { addPlainSignature, addRichSignature } from './signatures';
import type { SignaturePlace } from './signatures';
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
  /** Who it is written as (identities.ts identityKey); undefined until an account is chosen. */
  identity: string | undefined;
  /** Where a signature goes, and the line the quoted part starts with (for a signature above it). */
  signaturePlace: SignaturePlace;
  quoteMarker?: string;
}

export interface LoadServices {
  client: TwinboxClient;
  db: CacheReader;
  engine: Pick<SyncEngine, 'openMessage' | 'capabilities'>;
}

let attachmentCounter = 0;

export function attachmentKey(): string {
  attachmentCounter += 1;
  return `attachment-${attachmentCounter}`;
}

const EMPTY = { to: '', cc: '', bcc: '', subject: '', format: 'plain' as const, text: '', html: '', attachments: [], references: [] };

export async function loadCompose(request: ComposeRequest, services: LoadServices): Promise<InitialCompose> {
  if (request.kind === 'new') {
    const account = request.accountId === undefined ? await services.db.accounts.toCollection().first() : await services.db.accounts.get(request.accountId);
    const identity = account ? identitiesOf(account)[0] : undefined;
    const signature = identity?.signature;
    const prefill = request.prefill;
    const written = prefill?.body ?? '';
    return {
      ...EMPTY,
      accountId: account?.id,
      identity: identity ? identityKey(identity) : undefined,
      signaturePlace: 'end',
      ...(prefill
        ? {
            to: prefill.to.join(', '),
            cc: prefill.cc.join(', '),
            bcc: prefill.bcc.join(', '),
            subject: prefill.subject,
            ...(prefill.inReplyTo === undefined ? {} : { inReplyTo: prefill.inReplyTo, references: [prefill.inReplyTo] }),
          }
        : {}),
      text: addPlainSignature(written, signature, 'end'),
      html: addRichSignature(written === '' ? '' : textToHtml(written), signature, 'end'),
      focus: (prefill?.to.length ?? 0) === 0 ? 'to' : 'body',
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
  // Written as the address it was sent to; the signature of that identity, where the user wants it.
  const identity = account ? identityForAnswer(account, original) : undefined;
  const signature = identity?.signature;
  const identityFields = { identity: identity ? identityKey(identity) : undefined };

  if (request.kind === 'forward') {
    const forwarded = body.attachments.filter((a) => !a.inline && a.role !== 'signature');
    const lines = forwardHeaderLines(original, date);
    const header = lines.map((line) => escapeHtml(line)).join('<br>');
    // A forward's signature goes above what is forwarded, whatever the answer setting.
    const marker = lines[0] ?? '';
    return {
      ...EMPTY,
      accountId: key[0],
      ...identityFields,
      signaturePlace: 'above',
      quoteMarker: marker,
      subject: forwardSubject(original.subject),
      text: addPlainSignature(answerBodyPlain(request.kind, original, date, originalText), signature, 'above', marker),
      html: addRichSignature(`<div><br></div><div><br></div><div>${header}</div><div><br></div>${originalHtml}`, signature, 'above', lines.join('')),
      attachments: await fetchAttachments(key, forwarded, services.client),
      focus: 'to',
    };
  }

  const recipients = answerRecipients(original, request.kind, account ? ownAddresses(account) : []);
  const thread = threadHeaders(original);
  const marker = attribution(original, date);
  const place = identity?.placement ?? 'below';
  return {
    ...EMPTY,
    accountId: key[0],
    ...identityFields,
    signaturePlace: place,
    quoteMarker: marker,
    to: formatAddressList(recipients.to),
    cc: formatAddressList(recipients.cc),
    subject: replySubject(original.subject),
    text: addPlainSignature(answerBodyPlain(request.kind, original, date, originalText), signature, place, marker),
    html: addRichSignature(`<div><br></div><div><br></div><div>${escapeHtml(marker)}</div><blockquote>${originalHtml}</blockquote>`, signature, place, marker),
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
  const account = await services.db.accounts.get(key[0]);
  const identity = account ? identityOfDraft(account, draft.from) : undefined;
  return {
    accountId: key[0],
    // Its signature is in its text already: swapped, if the user writes as another identity, only where it still stands as it was.
    identity: identity ? identityKey(identity) : undefined,
    signaturePlace: 'end',
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
