/**
 * What the user sees of each attachment: a file name (from the message, or
 * a sensible stand-in), a content type, its size, and whether it is shown
 * inside the body instead of being listed.
 */
import { usableFileName } from '../../shared/file-names';
import type { AttachmentInfo, AttachmentRole } from '../../shared/model';
import type { AttachmentSource } from './body';
import { firstField, headerText } from './header-fields';
import type { DecodeContext } from './header-fields';
import type { MimeEntity } from './structure';

/** An attachment described for the reader, with its bytes: our own reader always knows its role. */
export type DescribedAttachment = Omit<AttachmentInfo, 'id' | 'role'> & { role: AttachmentRole; content: Uint8Array };

const EXTENSIONS: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/zip': '.zip',
  'application/x-gzip': '.gz',
  'application/gzip': '.gz',
  'application/postscript': '.ps',
  'application/msword': '.doc',
  'application/vnd.ms-excel': '.xls',
  'application/json': '.json',
  'application/xml': '.xml',
  'application/ics': '.ics',
  'audio/basic': '.au',
  'audio/mpeg': '.mp3',
  'image/jpeg': '.jpg',
  'image/jpg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/bmp': '.bmp',
  'image/svg+xml': '.svg',
  'image/tiff': '.tif',
  'message/rfc822': '.eml',
  'message/global': '.eml',
  'message/partial': '.eml',
  'message/delivery-status': '.txt',
  'message/disposition-notification': '.txt',
  'message/feedback-report': '.txt',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/calendar': '.ics',
  'text/csv': '.csv',
  'text/rfc822-headers': '.txt',
  'video/mp4': '.mp4',
};

// Names every mail client gives these parts when the sender gave none.
const CONVENTIONAL_NAMES: Record<string, string> = {
  'application/ms-tnef': 'winmail.dat',
  'application/vnd.ms-tnef': 'winmail.dat',
  'application/pkcs7-signature': 'smime.p7s',
  'application/x-pkcs7-signature': 'smime.p7s',
  'application/pkcs7-mime': 'smime.p7m',
  'application/x-pkcs7-mime': 'smime.p7m',
  'application/pgp-signature': 'signature.asc',
  'application/pgp-encrypted': 'pgp-version.txt',
  'message/delivery-status': 'delivery-status.txt',
  'message/disposition-notification': 'disposition-notification.txt',
  'message/feedback-report': 'feedback-report.txt',
  'text/rfc822-headers': 'returned-headers.txt',
  'text/calendar': 'invite.ics',
};

const INLINE_IMAGE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'image/svg+xml']);

function roleFor(contentType: string, parentType: string | undefined): AttachmentRole {
  if (/^application\/(x-)?pkcs7-signature$|^application\/pgp-signature$/.test(contentType)) return 'signature';
  if (/^application\/(x-)?pkcs7-mime$/.test(contentType) || parentType === 'multipart/encrypted') return 'encrypted';
  if (/^application\/(vnd\.)?ms-tnef$/.test(contentType)) return 'tnef';
  if (/^message\/(rfc822|global|partial|news)$/.test(contentType)) return 'message';
  if (/^message\/(delivery-status|disposition-notification|feedback-report)$|^text\/rfc822-headers$/.test(contentType)) return 'report';
  return 'file';
}

/**
 * Describes each attachment. `html` is the assembled HTML body: a part it
 * references by Content-ID is inline (shown in the body), and so is an
 * image with Content-Disposition inline; anything else (an inline PDF
 * included) is listed for the user to open or save.
 */
export function describeAttachments(sources: readonly AttachmentSource[], html: string | undefined, parents: ReadonlyMap<MimeEntity, MimeEntity>, context: DecodeContext): DescribedAttachment[] {
  const referenced = referencedContentIds(html);
  const described = sources.map((source) => {
    const entity = source.entity;
    const contentType = source.embeddedName === undefined ? entity.contentType : typeForName(source.embeddedName);
    const contentId = source.embeddedName === undefined ? contentIdOf(entity) : undefined;
    const referencedByBody = contentId !== undefined && referenced.has(contentId.toLowerCase());
    const inline = referencedByBody || (source.embeddedName === undefined && entity.disposition === 'inline' && INLINE_IMAGE_TYPES.has(contentType));
    return { source, contentType, contentId, inline };
  });
  // A part of a listed message is saved with that message; listing it too would show one file several times.
  return described
    .filter(({ source, inline }) => inline || source.withinListedMessage !== true)
    .map(({ source, contentType, contentId, inline }, index) => {
      const entity = source.entity;
      return {
        filename: source.embeddedName === undefined ? filenameOf(entity, index, context) : (sentFileName(source.embeddedName) ?? `attachment-${index + 1}`),
        contentType,
        size: source.content.byteLength,
        inline,
        ...(contentId === undefined ? {} : { contentId }),
        role: roleFor(contentType, parents.get(entity)?.contentType),
        content: source.content,
      };
    });
}

function contentIdOf(entity: MimeEntity): string | undefined {
  const value = firstField(entity.fields, 'content-id')?.value.trim().replace(/^<|>$/g, '').trim();
  return value === undefined || value === '' ? undefined : value;
}

function referencedContentIds(html: string | undefined): Set<string> {
  const ids = new Set<string>();
  if (html === undefined) return ids;
  for (const match of html.matchAll(/cid:([^"'\s>)]+)/gi)) {
    const id = match[1] ?? '';
    ids.add(id.toLowerCase());
    try {
      ids.add(decodeURIComponent(id).toLowerCase());
    } catch {
      // A malformed %-escape: the id as written is all there is.
    }
  }
  return ids;
}

/**
 * The name the reader lists and the file is saved under, made safe here once
 * (shared/file-names.ts says from what); stand-ins are made from safe parts.
 */
function filenameOf(entity: MimeEntity, index: number, context: DecodeContext): string {
  const declared = entity.dispositionParams.get('filename') ?? entity.params.get('name');
  const fromHeaders = declared === undefined ? undefined : sentFileName(headerText(declared, context));
  if (fromHeaders !== undefined) return fromHeaders;
  if (entity.nested) {
    const subject = firstField(entity.nested.fields, 'subject');
    const name = subject ? usableFileName(headerText(subject.value, context).slice(0, 120)) : undefined;
    // Made safe again as a whole: a long subject may leave no room for ".eml".
    return usableFileName(`${name ?? 'message'}.eml`) ?? 'message.eml';
  }
  const location = firstField(entity.fields, 'content-location')?.value;
  const fromLocation = location === undefined ? undefined : sentFileName(location.replace(/[?#].*$/, ''));
  if (fromLocation !== undefined && /\.[a-z0-9]{1,5}$/i.test(fromLocation)) return fromLocation;
  const conventional = CONVENTIONAL_NAMES[entity.contentType];
  if (conventional !== undefined) return conventional;
  return `attachment-${index + 1}${EXTENSIONS[entity.contentType] ?? ''}`;
}

/**
 * A name as a sender wrote it, made safe. Any folders in it are dropped, not
 * kept as part of the name (RFC 2183 2.3: a receiver ignores directory
 * information): "C:\Users\ann\report.xlsx" is report.xlsx, and a
 * Content-Location URL names its file by its last segment.
 */
export function sentFileName(name: string): string | undefined {
  return usableFileName(name.split(/[/\\]/).pop() ?? '');
}

const TYPES_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  htm: 'text/html',
  html: 'text/html',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  mp3: 'audio/mpeg',
  ics: 'text/calendar',
  eml: 'message/rfc822',
};

// Files carried in uuencode or yEnc blocks have only a name to go by.
function typeForName(name: string): string {
  const extension = /\.([a-z0-9]{1,6})$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}
