/**
 * Expected parse results for corpus messages that are hard to get right.
 * Every value was read from the message itself and checked against an
 * independent decoder (Python's email package, iconv for raw 8-bit headers,
 * the yEnc CRC the sender put in the message), not copied from our output.
 */
import type { Address } from '../../shared/model';

export interface GoldenAttachment {
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
  role?: string;
  /** First 16 hex digits of the SHA-256 of the decoded bytes. */
  sha256?: string;
}

export interface Golden {
  /** Path inside the corpus. */
  file: string;
  /** What makes this message hard. */
  trap: string;
  subject: string | { startsWith: string; length: number };
  from: Address[];
  /** ISO 8601, or undefined for a message whose date is absent or unreadable. */
  date: string | undefined;
  textStartsWith?: string;
  textIncludes?: string[];
  htmlIncludes?: string[];
  attachments: GoldenAttachment[];
  /** Fragments the warnings must mention (each matched in some warning). */
  warningsMention?: string[];
}

const CYPRUS = 'Die heiße Zypernsonne quälte Max und Victoria ja böse auf dem Weg bis zur Küste';

export const GOLDENS: Golden[] = [
  {
    file: 'mimekit/messages/japanese.eml',
    trap: 'ISO-2022-JP body and ISO-2022-JP encoded-word subject',
    subject: '日本語メールテスト (testing Japanese emails)',
    from: [{ name: 'Atsushi Eno', address: 'x@x.com' }],
    date: '2015-07-21T16:02:29.000Z',
    textStartsWith: "Let's see if both subject and body works fine...\n\n日本語が\n正常に\n送れているか\nテスト.",
    attachments: [],
  },
  {
    file: 'spamassassin/nice/cjk/gb2312.1.eml',
    trap: 'raw 8-bit GB2312 in From and Subject, no charset declared for headers',
    subject: '全新原装进口，送货上门，货到付款－台湾鑫龙商贸集团公司向您拜年!',
    from: [{ name: '台湾鑫龙商贸集团公司', address: '1234@e34.com' }],
    date: '2003-01-07T05:26:53.000Z',
    textStartsWith: '  台湾鑫龙商贸集团公司向您拜年! \n本公司长期经销电脑配件、手机、笔记本',
    attachments: [],
    warningsMention: ['8-bit characters without a declared character set'],
  },
  {
    file: 'spamassassin/nice/cjk/big5-base64.1.eml',
    trap: 'raw 8-bit Big5 subject, base64 Big5 HTML followed by a plain-text list footer',
    subject: '[SLAT-talk] 鉅靡6月17日新片又到.如有重複寄發.敬請原諒!．．．．．．鉅靡6月17日新片又到.如有重複寄發.敬請原諒!．．．',
    from: [{ name: '', address: 'y971880896@pchome.com.tw' }],
    date: '2001-06-18T17:16:04.000Z',
    htmlIncludes: ['<title>鉅靡網站</title>', '永久網址：gimit.cn.st或gimit99.iscool.net'],
    attachments: [],
  },
  {
    file: 'mimekit/compliance/raw-koi8r-header.eml',
    trap: 'raw 8-bit KOI8-R subject',
    subject: 'Откуда он появился?',
    from: [{ name: '', address: 'mimekit@example.com' }],
    date: '2013-11-12T14:12:42.000Z',
    textStartsWith: 'Откуда он появился?',
    attachments: [],
  },
  {
    file: 'mailcore2/989-encoding-7.eml',
    trap: 'windows-1251 8bit body and windows-1251 encoded-word subject',
    subject: 'Тестовое сообщение в кодировке windows-1251',
    from: [{ name: 'Viktor Gedzenko', address: 'foxinushkatest@gmail.com' }],
    date: '2014-12-16T15:48:17.000Z',
    textStartsWith: 'Тестовое сообщение в кодировке windows-1251',
    attachments: [],
  },
  {
    file: 'mailcore2/1015-windows-1252.eml',
    trap: 'windows-1252 quoted-printable smart quotes and dashes (0x80-0x9F)',
    subject: 'Re: Test test',
    from: [{ name: 'Test test', address: 'test@test.net' }],
    date: '2014-12-01T22:59:42.000Z',
    textStartsWith: 'Thanks, Lena. So I guess I have an issue with Siri on one of my iPads, which is why the microphone wasn’t showing up.',
    textIncludes: ['––––––––––'],
    attachments: [],
  },
  {
    file: 'mimekit/compliance/missing-multipart-boundary.eml',
    trap: 'the declared boundary never appears; the body uses another one and never closes it',
    subject: 'This is a test message',
    from: [{ name: '', address: 'unit-tests@mimekit.net' }],
    date: undefined,
    textStartsWith: 'This is the message body',
    attachments: [{ filename: 'attachment.dat', contentType: 'application/octet-stream', size: '<base64 content>'.length, inline: false }],
    warningsMention: ['boundary that never appears'],
  },
  {
    file: 'mimekit/tnef/ukr.eml',
    trap: 'TNEF winmail.dat next to a KOI8-R quoted-printable text part',
    subject: 'rr test 7',
    from: [{ name: 'RR Tester 1', address: 'rrtest1@xink.io' }],
    date: '2017-11-13T08:01:13.000Z',
    textStartsWith: 'шостий\n\n\n{EMAILSIGNATURE}',
    attachments: [{ filename: 'winmail.dat', contentType: 'application/ms-tnef', size: 9566, inline: false, role: 'tnef', sha256: '880bde64ee294e06' }],
  },
  {
    file: 'mimekit/smime/thunderbird-signed.eml',
    trap: 'S/MIME multipart/signed with a format=flowed text part and an image',
    subject: 'This is a test of signing with S/MIME',
    from: [{ name: 'Jeffrey Stedfast', address: 'fejj@gnome.org' }],
    date: '2013-11-02T20:28:04.000Z',
    textStartsWith: 'This message is being generated and signed by Thunderbird 24.1.0 using my free personal S/MIME certificate',
    attachments: [
      { filename: 'signed.jpg', contentType: 'image/jpeg', size: 152804, inline: false, role: 'file', sha256: 'dea8f6d7a3acbb02' },
      { filename: 'smime.p7s', contentType: 'application/pkcs7-signature', size: 4234, inline: false, role: 'signature', sha256: 'cbef0624fcc6cd0c' },
    ],
  },
  {
    file: 'flanker/long-header.eml',
    trap: 'a 210 KB Subject made of thousands of encoded words',
    subject: { startsWith: `${CYPRUS}${CYPRUS}`, length: 130429 },
    from: [{ name: '', address: 'bob@example.com' }],
    date: '2013-05-07T23:11:57.000Z',
    textStartsWith: 'test',
    attachments: [],
  },
  {
    file: 'mimekit/messages/stack-overflow.eml',
    trap: 'a 135 KB folded To: header with thousands of encoded words',
    subject: 'Message Subject',
    from: [{ name: 'test', address: 'test@test.com' }],
    date: '2017-11-03T20:00:00.000Z',
    textIncludes: ['Message Body'],
    attachments: [],
  },
  {
    file: 'mimekit/messages/simple-embedded-message.eml',
    trap: 'a message/rfc822 part shown inline with its own headers, and listed as a message file',
    subject: 'test of simple embedded message/rfc822 part',
    from: [{ name: '', address: 'mimekit@example.com' }],
    date: '2013-11-12T14:12:42.000Z',
    textStartsWith: 'This is the message body.',
    textIncludes: ['Subject: embedded message', 'This is the embedded message body.'],
    attachments: [{ filename: 'embedded message.eml', contentType: 'message/rfc822', size: 208, inline: false, role: 'message' }],
  },
  {
    file: 'mimekit/yenc/simple.eml',
    trap: 'a yEnc-encoded file inside a plain text news article (CRC checked against the sender)',
    subject: 'yEnc-Prefix: "testfile.txt" 584 yEnc bytes - yEnc test (1)',
    from: [{ name: '', address: 'develop@winews.net' }],
    date: '2001-10-27T13:07:44.000Z',
    attachments: [{ filename: 'testfile.txt', contentType: 'text/plain', size: 584, inline: false, sha256: '75e137c6aa0d2ee8' }],
  },
  {
    file: 'enmime/parts/long-filename-euckr.eml',
    trap: 'RFC 2231 file name split into percent-encoded EUC-KR sections',
    subject: 'test',
    from: [{ name: '', address: 'sender@example.com' }],
    date: undefined,
    textStartsWith: 'test',
    attachments: [{ filename: '개.txt', contentType: 'application/zip', size: 5, inline: false }],
  },
  {
    file: 'mikel-mail/error_emails/content_transfer_encoding_empty.eml',
    trap: 'Big5 subject and body converted to UTF-8 as if they were Latin-1, then labelled big5',
    subject: '4d8119\u3000(大補泡麵專賣) 大家說英語 每日聽MP3 (2004年6月份) 繁體中文光碟版 (英語教學)\u30008afb90',
    from: [{ name: '', address: '3712f2@msa.hinet.net' }],
    date: undefined,
    htmlIncludes: ['軟體帝國更新迅速'],
    attachments: [],
  },
];
