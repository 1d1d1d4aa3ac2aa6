import { describe, expect, it } from 'vitest';
import type { OutgoingMessage, ProtocolLogLine } from '../../shared/model';
import { TwinboxError } from '../../shared/errors';
import { sendMessage } from '../../main/protocols/smtp/sender';
import { eventually, leaseMailboxes, openImap, serverSettingsFor, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';

async function inboxSources(user: TestUser): Promise<Buffer[]> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const sources: Buffer[] = [];
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const message of client.fetch('1:*', { source: true })) if (message.source) sources.push(message.source);
      }
      return sources;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

function composed(from: TestUser, to: TestUser[], tag: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    from: { name: 'Sender Ünïcode', address: from.address },
    to: to.map((u) => ({ name: '', address: u.address })),
    cc: [],
    bcc: [],
    replyTo: [],
    subject: `${tag} Grüße`,
    text: 'Plain body\n.line with a dot\n',
    html: '<p>Rich <b>body</b></p>',
    references: [],
    attachments: [],
    ...extra,
  };
}

describe('sending over SMTP', () => {
  it('sends over STARTTLS with login and returns the exact bytes that were delivered', async (context) => {
    const [sender, recipient, hidden] = await leaseMailboxes(context, 3);
    const tag = uniqueTag();
    const log: ProtocolLogLine[] = [];
    const sent = await sendMessage({
      accountId: 'a1',
      server: serverSettingsFor(context, sender!, 'smtp'),
      password: sender!.password,
      log: (line) => log.push(line),
      message: composed(sender!, [recipient!], tag, {
        bcc: [{ name: '', address: hidden!.address }],
        inReplyTo: 'original@example.org',
        references: ['root@example.org', 'original@example.org'],
        attachments: [{ filename: 'report.pdf', contentType: 'application/pdf', content: new Uint8Array([37, 80, 68, 70, 0, 255]) }],
      }),
    });
    expect(sent.accepted.sort()).toEqual([recipient!.address, hidden!.address].sort());
    expect(sent.rejected).toEqual([]);

    const [delivered] = await eventually(async () => {
      const sources = await inboxSources(recipient!);
      return sources.length > 0 ? sources : undefined;
    });
    const deliveredText = delivered!.toString('latin1');
    const sentText = Buffer.from(sent.raw).toString('latin1');
    // The servers add trace headers in front; the rest is what we sent, byte for byte, minus Bcc.
    const withoutBcc = sentText.replace(/^Bcc: .*\r\n/m, '');
    expect(deliveredText.endsWith(withoutBcc)).toBe(true);
    expect(deliveredText).not.toMatch(/^Bcc:/m);
    expect(sentText).toMatch(new RegExp(`^Bcc: ${hidden!.address}`, 'm'));
    expect(sentText).toContain(`Message-ID: <${sent.messageId}>`);
    expect(sentText).toContain('In-Reply-To: <original@example.org>');
    expect(sentText).toContain('References: <root@example.org> <original@example.org>');
    expect(sentText).toMatch(/filename=report\.pdf/);

    // The Bcc recipient got it too, without learning of the Bcc.
    const [hiddenCopy] = await eventually(async () => {
      const sources = await inboxSources(hidden!);
      return sources.length > 0 ? sources : undefined;
    });
    expect(hiddenCopy!.toString('latin1')).toContain(sent.messageId);

    // The protocol log shows the conversation, never the password.
    expect(log.some((l) => l.direction === 'out' && /^STARTTLS/.test(l.text))).toBe(true);
    expect(log.some((l) => l.direction === 'in' && /^250/.test(l.text))).toBe(true);
    expect(JSON.stringify(log)).not.toContain(sender!.password);
    expect(JSON.stringify(log)).not.toContain(Buffer.from(`\0${sender!.user}\0${sender!.password}`).toString('base64'));
  });

  it('sends over implicit TLS', async (context) => {
    const [sender, recipient] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    await sendMessage({ accountId: 'a1', server: serverSettingsFor(context, sender!, 'smtps'), password: sender!.password, message: composed(sender!, [recipient!], tag) });
    const sources = await eventually(async () => {
      const found = await inboxSources(recipient!);
      return found.length > 0 ? found : undefined;
    });
    expect(sources[0]!.toString('utf8')).toContain(tag);
  });

  it.for([
    ['a wrong password', 'AUTH_FAILED'],
    ['a certificate nobody trusted', 'TLS_CERT_UNTRUSTED'],
    ['login on an unencrypted connection the server refuses it on', 'TLS_REQUIRED'],
  ] as const)('fails with a clear error for %s, and sends nothing', async ([situation, code], context) => {
    const [sender, recipient] = await leaseMailboxes(context, 2);
    const settings = serverSettingsFor(context, sender!, 'smtp');
    let password = sender!.password;
    if (code === 'AUTH_FAILED') password = `${password}-wrong`;
    if (code === 'TLS_CERT_UNTRUSTED') delete settings.trustedCertificate;
    if (code === 'TLS_REQUIRED') settings.security = 'plain';
    const failure = await sendMessage({ accountId: 'a1', server: settings, password, message: composed(sender!, [recipient!], uniqueTag()) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure, situation).toBeInstanceOf(TwinboxError);
    expect((failure as TwinboxError).code).toBe(code);
    expect(await inboxSources(recipient!)).toEqual([]);
  });
});
