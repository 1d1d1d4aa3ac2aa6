import { createTransport } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { LineSession } from '../mailstack/line-session';
import { eventually, leaseMailboxes, openImap, requireEndpoint, tlsTrust, uniqueTag } from '../mailstack/index';

/**
 * Proves the SMTP side of the test stack: a message sent with nodemailer is
 * delivered into the recipient's mailbox and seen over IMAP and over POP3.
 */
describe('SMTP server of the test stack', () => {
  it('delivers a message sent with nodemailer over STARTTLS to IMAP and POP3', async (context) => {
    const smtp = requireEndpoint(context, 'smtp');
    const pop3s = requireEndpoint(context, 'pop3s');
    const [sender, recipient] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      requireTLS: true,
      auth: { user: sender!.user, pass: sender!.password },
      tls: { ...tlsTrust(), rejectUnauthorized: true },
    });
    try {
      const info = await transport.sendMail({
        from: sender!.address,
        to: recipient!.address,
        subject: `${tag} Héllo from SMTP`,
        text: 'Delivered through the test stack.\n',
        attachments: [{ filename: 'notes.txt', content: 'attached\n' }],
      });
      expect(info.accepted).toEqual([recipient!.address]);
    } finally {
      transport.close();
    }

    const client = await openImap(recipient!);
    try {
      const subject = await eventually(async () => {
        const lock = await client.getMailboxLock('INBOX');
        try {
          // The folder stays selected between tries: NOOP is what makes the server report new mail.
          await client.noop();
          if (!client.mailbox || client.mailbox.exists === 0) return undefined;
          const message = await client.fetchOne('*', { envelope: true });
          return message === false ? undefined : message.envelope?.subject;
        } finally {
          lock.release();
        }
      });
      expect(subject).toBe(`${tag} Héllo from SMTP`);
    } finally {
      await client.logout();
    }

    const session = await LineSession.open({ ...pop3s, tls: tlsTrust() });
    try {
      await session.readLine();
      await session.command(`USER ${recipient!.user}`);
      expect(await session.command(`PASS ${recipient!.password}`)).toMatch(/^\+OK/);
      expect(await session.command('STAT')).toMatch(/^\+OK 1 \d+/);
      expect(await session.command('RETR 1')).toMatch(/^\+OK/);
      const raw = (await session.readMultiline()).toString('utf8');
      expect(raw).toContain(tag);
      expect(raw).toMatch(/filename="?notes\.txt/);
      await session.command('QUIT');
    } finally {
      session.close();
    }
  });
});
