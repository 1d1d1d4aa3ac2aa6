/**
 * The demo mailbox: a few dozen messages of the kinds a real mailbox holds
 * (conversations with References, attachments, an HTML newsletter with a
 * remote image, subjects and bodies in several scripts, some read, flagged
 * or answered), and the function that puts them on a server with IMAP
 * APPEND, as any other mail client would.
 */
import { ImapFlow } from 'imapflow';
import { solidPng } from './images';

export interface DemoMessage {
  raw: string;
  flags: string[];
  date: Date;
  subject: string;
  /** Without angle brackets. */
  messageId: string;
}

export interface Person {
  name: string;
  address: string;
}

interface Part {
  headers: string[];
  body: string;
}

const ASCII = /^[\x20-\x7e]*$/;

/** RFC 2047 encoded words for non-ASCII header text, each short enough for a folded line. */
export function encodeHeaderText(text: string): string {
  if (ASCII.test(text)) return text;
  const words: string[] = [];
  let current = '';
  for (const char of text) {
    if (Buffer.byteLength(current + char) > 42) {
      words.push(current);
      current = '';
    }
    current += char;
  }
  words.push(current);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join('\r\n ');
}

function mailbox(person: Person): string {
  if (!ASCII.test(person.name)) return `${encodeHeaderText(person.name)} <${person.address}>`;
  return /[(),.:;<>@[\]"\\]/.test(person.name) ? `"${person.name.replace(/["\\]/g, '\\$&')}" <${person.address}>` : `${person.name} <${person.address}>`;
}

function wrap76(base64: string): string {
  return base64.replace(/.{1,76}/g, '$&\r\n');
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

function textPart(text: string, subtype: 'plain' | 'html' = 'plain'): Part {
  if (ASCII.test(text.replace(/\r?\n/g, ''))) {
    return { headers: [`Content-Type: text/${subtype}; charset=us-ascii`, 'Content-Transfer-Encoding: 7bit'], body: `${crlf(text)}\r\n` };
  }
  return {
    headers: [`Content-Type: text/${subtype}; charset=utf-8`, 'Content-Transfer-Encoding: base64'],
    body: wrap76(Buffer.from(crlf(text), 'utf8').toString('base64')),
  };
}

function filenameParameters(filename: string): string {
  // RFC 2231 for names outside ASCII; both forms for old readers.
  return ASCII.test(filename) ? `filename="${filename}"` : `filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function attachment(filename: string, contentType: string, content: Buffer, options: { inline?: string } = {}): Part {
  const nameParameter = ASCII.test(filename) ? `; name="${filename}"` : '';
  return {
    headers: [
      `Content-Type: ${contentType}${nameParameter}`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: ${options.inline ? 'inline' : 'attachment'}; ${filenameParameters(filename)}`,
      ...(options.inline ? [`Content-ID: <${options.inline}>`] : []),
    ],
    body: wrap76(content.toString('base64')),
  };
}

let boundaries = 0;

function multipart(subtype: 'mixed' | 'alternative' | 'related', parts: Part[]): Part {
  const boundary = `=_twinbox_demo_${++boundaries}_${subtype}`;
  const body = parts.map((part) => `--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n${part.body}`).join('\r\n');
  return { headers: ['MIME-Version: 1.0', `Content-Type: multipart/${subtype}; boundary="${boundary}"`], body: `This is a multi-part message in MIME format.\r\n\r\n${body}\r\n--${boundary}--\r\n` };
}

interface Draft {
  from: Person;
  to: Person[];
  cc?: Person[];
  subject: string;
  /** Hours before "now". */
  hoursAgo: number;
  id: string;
  /** Message-IDs this one answers, oldest first (the References chain). */
  thread?: string[];
  body: Part;
  flags?: string[];
}

const DOMAIN = 'demo.twinbox.invalid';

function build(draft: Draft, now: number): DemoMessage {
  const date = new Date(now - draft.hoursAgo * 60 * 60 * 1000);
  const messageId = `${draft.id}@${DOMAIN}`;
  const thread = (draft.thread ?? []).map((id) => `${id}@${DOMAIN}`);
  const parent = thread[thread.length - 1];
  const headers = [
    `From: ${mailbox(draft.from)}`,
    `To: ${draft.to.map(mailbox).join(', ')}`,
    ...(draft.cc && draft.cc.length > 0 ? [`Cc: ${draft.cc.map(mailbox).join(', ')}`] : []),
    `Subject: ${encodeHeaderText(draft.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${messageId}>`,
    ...(parent ? [`In-Reply-To: <${parent}>`, `References: ${thread.map((id) => `<${id}>`).join(' ')}`] : []),
    ...(draft.body.headers.some((h) => h.startsWith('MIME-Version')) ? [] : ['MIME-Version: 1.0']),
    ...draft.body.headers,
  ];
  return { raw: `${headers.join('\r\n')}\r\n\r\n${draft.body.body}`, flags: draft.flags ?? [], date, subject: draft.subject, messageId };
}

const MINIMAL_PDF = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj',
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj',
    '4 0 obj<</Length 47>>stream',
    'BT /F1 18 Tf 30 70 Td (Invoice 2026-041: 120 EUR) Tj ET',
    'endstream endobj',
    '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj',
    'trailer<</Root 1 0 R>>',
    '%%EOF',
    '',
  ].join('\n'),
  'latin1',
);

/**
 * The demo mailbox's messages, oldest first. `imageOrigin` serves the
 * newsletter's remote images (see images.ts); `owner` is the mailbox's user.
 */
export function demoMessages(options: { owner: Person; imageOrigin: string; now?: number }): DemoMessage[] {
  const now = options.now ?? Date.now();
  const me = options.owner;
  const marta: Person = { name: 'Marta Silva', address: 'marta.silva@example.org' };
  const joao: Person = { name: 'João Pereira', address: 'joao@example.pt' };
  const priya: Person = { name: 'Priya Raman', address: 'priya@example.com' };
  const tom: Person = { name: 'Tom Becker', address: 'tom.becker@example.com' };
  const elodie: Person = { name: 'Élodie Durand', address: 'elodie.durand@example.fr' };
  const kevin: Person = { name: 'Kévin Moreau', address: 'kevin.moreau@example.fr' };
  const juergen: Person = { name: 'Jürgen Weiß', address: 'juergen@example.de' };
  const hanako: Person = { name: '田中 花子', address: 'hanako.tanaka@example.jp' };
  const dmitri: Person = { name: 'Дмитрий Соколов', address: 'dmitri@example.ru' };
  const eleni: Person = { name: 'Ελένη Παπαδοπούλου', address: 'eleni@example.gr' };
  const news: Person = { name: 'Twinbox Weekly', address: 'news@twinbox-weekly.example' };
  const shop: Person = { name: 'Parcel & Co.', address: 'orders@parcel.example' };
  const ci: Person = { name: 'Build Bot', address: 'ci@builds.example' };
  const sam: Person = { name: 'Sam Okafor', address: 'sam.okafor@example.net' };
  const lee: Person = { name: 'Lee Chen', address: 'lee@example.net' };
  const library: Person = { name: 'City Library', address: 'no-reply@library.example' };
  const airline: Person = { name: 'Skyways', address: 'checkin@skyways.example' };

  const banner = `${options.imageOrigin}/banner.png`;
  const pixel = `${options.imageOrigin}/pixel.png`;
  const drafts: Draft[] = [
    {
      from: { name: 'Twinbox', address: 'hello@twinbox.invalid' },
      to: [me],
      subject: 'Welcome to the Twinbox demo',
      hoursAgo: 24 * 30,
      id: 'welcome',
      flags: ['\\Seen'],
      body: textPart(
        'Hello!\n\nThis mailbox lives on a mail server that the demo started on this computer. Twinbox opens it twice: once with POP3 and once with IMAP.\n\nOpen the Protocol Lab, choose a message, and mark it read: the IMAP side changes the server, the POP3 side only this computer.\n\nEnjoy,\nTwinbox',
      ),
    },
    // A conversation of four, with References.
    {
      from: marta,
      to: [me],
      cc: [joao],
      subject: 'Trip to Lisbon in May',
      hoursAgo: 24 * 20,
      id: 'lisbon-1',
      flags: ['\\Seen', '\\Answered'],
      body: textPart('Hi!\n\nJoão and I are thinking of Lisbon for the long weekend in May. Are you in? Flights are cheap if we book this week.\n\nMarta'),
    },
    {
      from: me,
      to: [marta],
      cc: [joao],
      subject: 'Re: Trip to Lisbon in May',
      hoursAgo: 24 * 19,
      id: 'lisbon-2',
      thread: ['lisbon-1'],
      flags: ['\\Seen'],
      body: textPart('Count me in! Friday to Monday works for me.\n\n> João and I are thinking of Lisbon for the long weekend in May.'),
    },
    {
      from: marta,
      to: [me],
      cc: [joao],
      subject: 'Re: Trip to Lisbon in May',
      hoursAgo: 24 * 18,
      id: 'lisbon-3',
      thread: ['lisbon-1', 'lisbon-2'],
      flags: ['\\Seen'],
      body: textPart('Great. I found an apartment in Alfama with a view of the river. I will send the link tonight.'),
    },
    {
      from: joao,
      to: [me, marta],
      subject: 'Re: Trip to Lisbon in May',
      hoursAgo: 24 * 2,
      id: 'lisbon-4',
      thread: ['lisbon-1', 'lisbon-2', 'lisbon-3'],
      body: textPart('Olá! I booked the table at the fado restaurant for Saturday: 20h30. Não se esqueçam dos casacos, as noites são frescas.\n\nJoão'),
    },
    // A conversation with attachments.
    {
      from: priya,
      to: [me],
      cc: [tom],
      subject: 'Quarterly report draft',
      hoursAgo: 24 * 12,
      id: 'report-1',
      flags: ['\\Seen', '\\Flagged'],
      body: multipart('mixed', [
        textPart('Hi,\n\nAttached are the numbers for Q1 as a spreadsheet. Could you check the totals before Friday?\n\nThanks,\nPriya'),
        attachment('q1-numbers.csv', 'text/csv', Buffer.from('month,orders,revenue\nJanuary,412,18230\nFebruary,388,17105\nMarch,455,20470\n', 'utf8')),
      ]),
    },
    {
      from: tom,
      to: [priya],
      cc: [me],
      subject: 'Re: Quarterly report draft',
      hoursAgo: 24 * 11,
      id: 'report-2',
      thread: ['report-1'],
      flags: ['\\Seen'],
      body: textPart('The March revenue looks right to me. The February orders were 389, not 388: one came in late.'),
    },
    {
      from: priya,
      to: [me, tom],
      subject: 'Re: Quarterly report draft',
      hoursAgo: 24 * 3,
      id: 'report-3',
      thread: ['report-1', 'report-2'],
      body: multipart('mixed', [
        textPart('Fixed, thanks Tom. Here is the chart for the slides.'),
        attachment('q1-chart.png', 'image/png', solidPng(160, 90, [46, 160, 67])),
      ]),
    },
    // French, a conversation of two.
    {
      from: elodie,
      to: [me, kevin],
      subject: 'Réunion de l’équipe — ordre du jour',
      hoursAgo: 24 * 9,
      id: 'reunion-1',
      flags: ['\\Seen'],
      body: textPart('Bonjour à tous,\n\nVoici l’ordre du jour de jeudi :\n1. Bilan du trimestre\n2. Préparation du salon à Lyon\n3. Questions diverses\n\nÀ jeudi,\nÉlodie'),
    },
    {
      from: kevin,
      to: [elodie],
      cc: [me],
      subject: 'Re: Réunion de l’équipe — ordre du jour',
      hoursAgo: 24 * 8,
      id: 'reunion-2',
      thread: ['reunion-1'],
      body: textPart('Merci Élodie. Pourrait-on ajouter un point sur les congés d’été ? Ça ne prendra que cinq minutes.\n\nKévin'),
    },
    // Other scripts.
    {
      from: juergen,
      to: [me],
      subject: 'Grüße aus München 🍺',
      hoursAgo: 24 * 15,
      id: 'muenchen',
      body: textPart('Servus!\n\nDas Wetter ist großartig, der Biergarten voll, und die Weißwürste schmecken wie immer. Schöne Grüße an alle!\n\nJürgen'),
    },
    {
      from: hanako,
      to: [me],
      subject: '会議の議事録（4月）',
      hoursAgo: 24 * 7,
      id: 'gijiroku',
      flags: ['\\Flagged'],
      body: textPart('お疲れ様です。\n\n4月の会議の議事録を送ります。次回は5月12日（月）の午後3時からです。\n\nよろしくお願いします。\n田中'),
    },
    {
      from: dmitri,
      to: [me],
      subject: 'Привет из Санкт-Петербурга',
      hoursAgo: 24 * 6,
      id: 'piter',
      body: textPart('Привет!\n\nБелые ночи начинаются, город не спит. Приезжай в июне — покажу разводные мосты.\n\nДмитрий'),
    },
    {
      from: eleni,
      to: [me],
      subject: 'Ταξίδι στην Κρήτη',
      hoursAgo: 24 * 5,
      id: 'kriti',
      flags: ['\\Seen'],
      body: textPart('Γεια σου!\n\nΤο σπίτι στα Χανιά είναι ελεύθερο την πρώτη εβδομάδα του Ιουλίου. Θέλεις να έρθεις;\n\nΕλένη'),
    },
    {
      from: sam,
      to: [me],
      subject: '🎉 Party on Friday!',
      hoursAgo: 30,
      id: 'party',
      body: textPart('We are celebrating the new flat on Friday from 8 pm. Bring snacks, or just yourself. 🥳'),
    },
    // HTML with remote images (blocked until allowed).
    {
      from: news,
      to: [me],
      subject: 'Twinbox Weekly: IMAP and POP3, explained with pictures',
      hoursAgo: 24 * 4,
      id: 'weekly',
      body: multipart('alternative', [
        textPart('Twinbox Weekly\n\nThis week: why a message you read on your phone shows as unread on your laptop, and what "leave on server" really means.\n\nRead it in a mail client that shows HTML.'),
        textPart(
          `<!doctype html><html><body style="font-family: sans-serif; max-width: 560px">
<img src="${banner}" alt="Twinbox Weekly banner" width="480" height="120">
<h1 style="color: #1f4e8c">IMAP and POP3, explained with pictures</h1>
<p>Why does a message you read on your phone show as <b>unread</b> on your laptop? Because your laptop speaks <i>POP3</i>, and POP3 never hears about flags.</p>
<p>And what does “leave on server for 14 days” do? It deletes the server’s copy 14 days after <em>this</em> computer downloaded it.</p>
<p><a href="https://example.org/twinbox-weekly">Read more</a> · <a href="https://example.org/unsubscribe">Unsubscribe</a></p>
<img src="${pixel}" alt="" width="1" height="1">
</body></html>`,
          'html',
        ),
      ]),
    },
    {
      from: shop,
      to: [me],
      subject: 'Your order #48213 has shipped',
      hoursAgo: 26,
      id: 'order',
      body: multipart('alternative', [
        textPart('Your order #48213 (1 × desk lamp) is on its way. Track it at https://parcel.example/track/48213'),
        textPart(
          `<html><body><p>Good news: your order <b>#48213</b> is on its way.</p><table border="1" cellpadding="4"><tr><th>Item</th><th>Qty</th></tr><tr><td>Desk lamp</td><td>1</td></tr></table><p><a href="https://parcel.example/track/48213">Track your parcel</a></p><img src="${pixel}" width="1" height="1" alt=""></body></html>`,
          'html',
        ),
      ]),
    },
    // Attachments of several kinds.
    {
      from: { name: 'Accounts, Example Ltd', address: 'accounts@example.com' },
      to: [me],
      subject: 'Invoice 2026-041',
      hoursAgo: 24 * 10,
      id: 'invoice',
      flags: ['\\Seen', '\\Flagged'],
      body: multipart('mixed', [textPart('Dear customer,\n\nplease find your invoice attached. Payment is due within 30 days.\n\nKind regards'), attachment('Invoice-2026-041.pdf', 'application/pdf', MINIMAL_PDF)]),
    },
    {
      from: lee,
      to: [me],
      subject: 'Photos from the weekend',
      hoursAgo: 24 * 13,
      id: 'photos',
      body: multipart('mixed', [
        textPart('Here are two from the hike. The lake was freezing!'),
        attachment('lake.png', 'image/png', solidPng(120, 80, [30, 120, 200])),
        attachment('summit.png', 'image/png', solidPng(120, 80, [200, 120, 40])),
      ]),
    },
    {
      from: { name: 'Dr. Weber’s practice', address: 'praxis@example.de' },
      to: [me],
      subject: 'Reminder: dentist appointment on Tuesday',
      hoursAgo: 50,
      id: 'dentist',
      body: multipart('mixed', [
        textPart('This is a reminder of your appointment on Tuesday at 9:30. Add it to your calendar with the attached file.'),
        attachment(
          'appointment.ics',
          'text/calendar',
          Buffer.from(
            'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Twinbox demo//EN\r\nBEGIN:VEVENT\r\nUID:dentist@demo.twinbox.invalid\r\nDTSTART:20260512T093000Z\r\nDTEND:20260512T101500Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
          ),
        ),
      ]),
    },
    {
      from: juergen,
      to: [me],
      subject: 'Übersicht für die Steuer',
      hoursAgo: 24 * 16,
      id: 'steuer',
      flags: ['\\Seen'],
      body: multipart('mixed', [textPart('Anbei die Übersicht, wie besprochen.'), attachment('Übersicht 2025.csv', 'text/csv', Buffer.from('Posten;Betrag\nMiete;9600\nStrom;840\n', 'utf8'))]),
    },
    {
      from: priya,
      to: [me],
      subject: 'Logo for the slides (inline image)',
      hoursAgo: 24 * 3 - 5,
      id: 'inline-logo',
      body: multipart('related', [
        textPart('<html><body><p>This one goes on the title slide:</p><img src="cid:logo@demo" alt="Logo"></body></html>', 'html'),
        attachment('logo.png', 'image/png', solidPng(64, 64, [164, 38, 44]), { inline: 'logo@demo' }),
      ]),
    },
  ];

  const everyday: [Person, string, string, number, string[]][] = [
    [sam, 'Lunch on Thursday?', 'The new ramen place opened next to the station. 12:30?', 24 * 14, ['\\Seen']],
    [ci, 'Build failed: main #1423', 'Build #1423 of main failed in "test/e2e". 1 test failed: lab.test.ts.', 24 * 11 + 3, ['\\Seen']],
    [library, 'Library books due on Monday', 'Two items are due on Monday: "The Mail Must Go Through" and "Networks for Everyone".', 24 * 9 + 7, []],
    [tom, 'Weekly sync notes', 'Notes from today: release on the 20th, Priya owns the report, I own the slides.', 24 * 8 + 2, ['\\Seen']],
    [airline, 'Your check-in for SK 204 is open', 'Check in now for your flight to Lisbon on 15 May. Seat 14A is reserved for you.', 24 * 4 + 6, []],
    [lee, 'Book club: next pick', 'I vote for a short one this time. Suggestions by Sunday?', 24 * 6 + 1, ['\\Seen']],
    [sam, 'Re: bike repair', 'The shop says the wheel will be ready on Wednesday.', 24 * 5 + 4, ['\\Seen']],
    [tom, 'Meeting moved to 3 pm', 'Same room, one hour later. Sorry for the short notice.', 28, []],
    [marta, 'Conference talk accepted!', 'Our talk on offline-first mail clients was accepted. Now we have to write it.', 20, ['\\Flagged']],
    [priya, 'Can you review my pull request?', 'It is the one that fixes the date parsing for messages without a time zone.', 12, []],
    [{ name: 'Farmers Market', address: 'news@market.example' }, 'This Saturday at the farmers market', 'Strawberries are back! Also: live music from 10 am.', 18, []],
    [{ name: 'IT Operations', address: 'ops@example.com' }, 'Server maintenance tonight, 22:00–23:00', 'Mail may be slow for a few minutes while we update the servers.', 9, []],
    [lee, 'Happy birthday!', 'Have a wonderful day! Cake is on me next time.', 6, []],
    [{ name: 'Accounts, Example Ltd', address: 'accounts@example.com' }, 'Quick question about invoice 2026-041', 'Could you confirm the billing address before we send the reminder?', 4, []],
    [eleni, 'Η συνταγή που ζήτησες', 'Μουσακάς: μελιτζάνες, κιμάς, μπεσαμέλ. Οι λεπτομέρειες στο τηλέφωνο!', 3, []],
    [dmitri, 'Re: фотографии', 'Фотографии получил, спасибо! Особенно понравилась та, что у моста.', 2, []],
  ];
  everyday.forEach(([from, subject, text, hoursAgo, flags], index) => {
    drafts.push({ from, to: [me], subject, hoursAgo, id: `everyday-${index + 1}`, flags, body: textPart(text) });
  });

  return drafts.map((draft) => build(draft, now)).sort((a, b) => a.date.getTime() - b.date.getTime());
}

export interface SeedTarget {
  host: string;
  /** IMAP over TLS. */
  port: number;
  user: string;
  password: string;
  /** The server's certificate (PEM) to trust; the system's store otherwise. */
  ca?: string;
  servername: string;
}

/** Puts the messages into the INBOX with IMAP APPEND, with their flags and dates; returns how many went in. */
export async function seedMailbox(target: SeedTarget, messages: readonly DemoMessage[]): Promise<number> {
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: true,
    auth: { user: target.user, pass: target.password },
    tls: { ...(target.ca ? { ca: target.ca } : {}), servername: target.servername, rejectUnauthorized: true },
    logger: false,
    disableCompression: true,
  });
  await client.connect();
  try {
    let appended = 0;
    for (const message of messages) {
      const result = await client.append('INBOX', message.raw, message.flags, message.date);
      if (result) appended++;
    }
    return appended;
  } finally {
    await client.logout();
  }
}
