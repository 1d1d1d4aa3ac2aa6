import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import type { AttachmentInfo } from '../../../shared/model';
import type { MessageKey } from '../../db/rows';
import { useApp } from '../app-context';
import { pictureDataUri } from './bytes';
import { prepareMailHtml } from './mail-html';
import type { PreparedHtml } from './mail-html';

/** Where the remote pictures of the open message stand. */
export type RemoteState = { kind: 'blocked' } | { kind: 'loading' } | { kind: 'loaded'; failed: number } | { kind: 'failed'; error: TwinboxError };

export interface MailContent {
  /** The HTML made safe for the frame, with the pictures known so far; undefined for a message without HTML. */
  prepared: PreparedHtml | undefined;
  remote: RemoteState;
  /** Asks main for this message's remote pictures (the page itself never fetches them). */
  loadRemote: () => void;
}

const NO_IMAGES: ReadonlyMap<string, string> = new Map();
// The contract's limits for mail.remoteImages, which main also holds as a message's most pictures.
const ADDRESSES_PER_CALL = 100;
const MAX_ADDRESS_LENGTH = 4000;
// A picture in the message larger than this stays an attachment to save rather than something to draw.
const MAX_INLINE_BYTES = 10 * 1024 * 1024;

/**
 * The open message's HTML, and its pictures: its own (cid:) at once, from
 * its attachments; remote ones only when `loadRemote` is called, or at once
 * when `autoLoad` says the user always allows this sender.
 */
export function useMailContent(options: {
  html: string | undefined;
  messageKey: MessageKey;
  attachments: readonly AttachmentInfo[];
  autoLoad: boolean;
}): MailContent {
  const { client } = useApp();
  const { html, autoLoad } = options;
  const [accountId, folder, serverId] = options.messageKey;
  const [contentImages, setContentImages] = useState(NO_IMAGES);
  const [remoteImages, setRemoteImages] = useState(NO_IMAGES);
  const [remote, setRemote] = useState<RemoteState>({ kind: 'blocked' });

  const prepared = useMemo(
    () => (html === undefined ? undefined : prepareMailHtml(html, { contentIds: contentImages, remote: remoteImages })),
    [html, contentImages, remoteImages],
  );

  // The attachments as last given, read by the picture loader without making it run again.
  const source = useRef({ attachments: options.attachments });
  useEffect(() => {
    source.current = { attachments: options.attachments };
  });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const wanted = prepared?.contentIds.join('\n') ?? '';
  useEffect(() => {
    if (wanted === '') return;
    const abandoned = new AbortController();
    const ids = new Set(wanted.split('\n'));
    void (async () => {
      const found = new Map<string, string>();
      for (const attachment of source.current.attachments) {
        const id = attachment.contentId?.toLowerCase();
        if (id === undefined || !ids.has(id) || found.has(id) || attachment.size > MAX_INLINE_BYTES) continue;
        try {
          const content = await client.call('attachments.fetch', { accountId, folder, serverId, attachmentId: attachment.id });
          const uri = pictureDataUri(content.contentType, content.content);
          if (uri !== undefined) found.set(id, uri);
        } catch {
          // The message shows without this picture; the others still come.
        }
        if (abandoned.signal.aborted) return;
      }
      if (found.size > 0) setContentImages(found);
    })();
    return () => abandoned.abort();
  }, [client, accountId, folder, serverId, wanted]);

  const blockedKey = prepared?.blockedImages.join('\n') ?? '';
  // Asking for the pictures only says so (`remote` becomes a new 'loading'); the effect below fetches them.
  const loadRemote = useCallback(() => {
    if (blockedKey !== '') setRemote({ kind: 'loading' });
  }, [blockedKey]);
  // A sender the user always allows: asked for as the message is shown, in the same render rather than an effect's.
  if (autoLoad && remote.kind === 'blocked' && blockedKey !== '') setRemote({ kind: 'loading' });

  // Fetches the pictures blocked as of the request: an effect event, so that the list changing meanwhile starts no second fetch.
  const fetchRemote = useEffectEvent(() => {
    const urls = blockedKey === '' ? [] : blockedKey.split('\n');
    if (urls.length === 0) return;
    void (async () => {
      // One call per message: main's limits on a message's pictures (their number and their bytes in all) hold per
      // call, so a message may not spread its pictures over several. Those beyond the call's 100 stay blocked.
      const sendable = urls.filter((url) => url.length <= MAX_ADDRESS_LENGTH).slice(0, ADDRESSES_PER_CALL);
      let failed = urls.length - sendable.length;
      const loaded = new Map<string, string>();
      try {
        for (const image of await client.call('mail.remoteImages', { urls: sendable })) {
          if (image.ok) loaded.set(image.url, image.dataUri);
          else failed++;
        }
      } catch (error) {
        if (mounted.current) setRemote({ kind: 'failed', error: asTwinboxError(error) });
        return;
      }
      if (!mounted.current) return;
      setRemoteImages((previous) => new Map([...previous, ...loaded]));
      setRemote({ kind: 'loaded', failed });
    })();
  });

  // Once per request (each is a new 'loading'); a fetch under way is not cancelled, only ignored once the message is gone.
  useEffect(() => {
    if (remote.kind === 'loading') fetchRemote();
  }, [remote]);

  return { prepared, remote, loadRemote };
}
