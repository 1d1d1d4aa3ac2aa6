import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachmentContent, proposedSavePath } from './attachments';
import { attachmentId } from './mime/message-body';

const DOWNLOADS = join('/home', 'ann', 'Downloads');

describe('saving an attachment', () => {
  it.each([
    ['../../etc/passwd', '_._etc_passwd'],
    ['..', 'attachment'],
    ['C:\\Windows\\evil.dll', 'C__Windows_evil.dll'],
    ['con.txt', '_con.txt'],
    ['a\u202Etxt.exe', 'atxt.exe'],
    ['Quarterly report (final).pdf', 'Quarterly report (final).pdf'],
  ])('proposes %j inside the folder as %j', (sent, saved) => {
    expect(proposedSavePath(DOWNLOADS, sent)).toBe(join(DOWNLOADS, saved));
  });

  it('hands out the name the list shows', async () => {
    const message = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="mix"',
        '',
        '--mix',
        'Content-Type: text/plain',
        "Content-Disposition: attachment; filename*=utf-8''invoice%E2%81%A7fdp.exe%E2%81%A9",
        '',
        'hello',
        '--mix--',
        '',
      ].join('\r\n'),
    );
    const ref = { accountId: 'a1', folder: 'INBOX', serverId: '7' };
    const content = await attachmentContent({ ...ref, attachmentId: attachmentId({ ...ref, index: 0 }) }, () => Promise.resolve(message));
    expect(content.filename).toBe('invoicefdp.exe');
  });
});
