import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { LineSession } from '../mailstack/line-session';
import { eventually, leaseMailboxes, mailStack, openImap, requireEndpoint, skipBecause, tlsTrust, uniqueTag } from '../mailstack/index';
import type { Endpoint, TestUser } from '../mailstack/index';
import {
  issueTokens,
  oauthBearerResponse,
  providerLog,
  refreshTokens,
  revoke,
  setAccessTokenTtl,
  xoauth2Response,
} from '../mailstack/oidc-provider';
import type { OAuthInfo } from '../mailstack/types';

/**
 * Proves OAuth2 sign-in on the test stack with real parts only: tokens from
 * the stack's OpenID provider (authorization code + PKCE, refresh,
 * revocation), checked by Dovecot's oauth2 passdb by introspection, for IMAP
 * and POP3 and, through Dovecot's SASL, for Postfix's SMTP. The dialogues are
 * bare (no client library) where the exact failure exchange matters.
 */

type Mechanism = 'XOAUTH2' | 'OAUTHBEARER';

interface SaslOutcome {
  /** The server's challenge after a failed token, decoded (RFC 7628 error JSON). */
  challenge?: string;
  /** The final reply line. */
  final: string;
}

function requireOAuth(context: TestContext): OAuthInfo {
  const stack = mailStack();
  if (stack.oauth) return stack.oauth;
  return skipBecause(context, `needs OAuth2: ${stack.missing.oauth ?? 'the servers have no OpenID provider'}`);
}

function initialResponse(mechanism: Mechanism, user: string, token: string, server: Endpoint): string {
  return mechanism === 'XOAUTH2' ? xoauth2Response(user, token) : oauthBearerResponse(user, token, server);
}

/**
 * What a client sends after an error challenge to end the exchange: XOAUTH2
 * an empty response, OAUTHBEARER a single 0x01 (RFC 7628 section 3.2.3).
 * Without it the server waits for ever.
 */
function abortResponse(mechanism: Mechanism): string {
  return mechanism === 'XOAUTH2' ? '' : 'AQ==';
}

/** One SASL exchange whose replies are `+ `/`334 ` challenges until `isFinal`. */
async function saslDialogue(session: LineSession, command: string, mechanism: Mechanism, isFinal: (line: string) => boolean, challengePrefix: string): Promise<SaslOutcome> {
  await session.send(command);
  let challenge: string | undefined;
  for (;;) {
    const line = await session.readLine();
    if (line.startsWith(challengePrefix)) {
      if (challenge !== undefined) throw new Error(`a second challenge: ${line}`);
      challenge = Buffer.from(line.slice(challengePrefix.length), 'base64').toString('utf8');
      await session.send(abortResponse(mechanism));
      continue;
    }
    if (isFinal(line)) return { ...(challenge === undefined ? {} : { challenge }), final: line };
  }
}

async function imapAuthenticate(user: string, token: string, mechanism: Mechanism): Promise<SaslOutcome> {
  const stack = mailStack();
  const imaps = stack.imaps!;
  const session = await LineSession.open({ ...imaps, tls: tlsTrust(stack) });
  try {
    expect(await session.readLine()).toMatch(/^\* OK/);
    const outcome = await saslDialogue(
      session,
      `a1 AUTHENTICATE ${mechanism} ${initialResponse(mechanism, user, token, imaps)}`,
      mechanism,
      (line) => line.startsWith('a1 '),
      '+ ',
    );
    if (outcome.final.startsWith('a1 OK')) expect(await session.command('a2 LOGOUT')).toMatch(/^\* BYE/);
    return outcome;
  } finally {
    session.close();
  }
}

async function pop3Authenticate(user: string, token: string, mechanism: Mechanism): Promise<SaslOutcome> {
  const stack = mailStack();
  const pop3s = stack.pop3s!;
  const session = await LineSession.open({ ...pop3s, tls: tlsTrust(stack) });
  try {
    expect(await session.readLine()).toMatch(/^\+OK/);
    const outcome = await saslDialogue(
      session,
      `AUTH ${mechanism} ${initialResponse(mechanism, user, token, pop3s)}`,
      mechanism,
      (line) => line.startsWith('+OK') || line.startsWith('-ERR'),
      '+ ',
    );
    if (outcome.final.startsWith('+OK')) {
      expect(await session.command('STAT')).toMatch(/^\+OK \d+ \d+/);
      expect(await session.command('QUIT')).toMatch(/^\+OK/);
    }
    return outcome;
  } finally {
    session.close();
  }
}

/** Over SMTPS (Postfix offers AUTH only on an encrypted connection). */
async function smtpAuthenticate(smtps: Endpoint, user: string, token: string, mechanism: Mechanism): Promise<SaslOutcome & { offered: string }> {
  const session = await LineSession.open({ ...smtps, tls: tlsTrust() });
  try {
    expect(await session.readLine()).toMatch(/^220 /);
    await session.send('EHLO client.twinbox.test');
    let offered = '';
    for (;;) {
      const line = await session.readLine();
      if (/^250[- ]AUTH /.test(line)) offered = line.slice(9);
      if (line.startsWith('250 ')) break;
      expect(line).toMatch(/^250-/);
    }
    const outcome = await saslDialogue(
      session,
      `AUTH ${mechanism} ${initialResponse(mechanism, user, token, smtps)}`,
      mechanism,
      (line) => /^[2-5]\d\d /.test(line) && !line.startsWith('334 '),
      '334 ',
    );
    await session.command('QUIT');
    return { ...outcome, offered };
  } finally {
    session.close();
  }
}

async function leaseOne(context: TestContext): Promise<TestUser> {
  const [user] = await leaseMailboxes(context, 1);
  return user!;
}

describe('OAuth2 sign-in on the test stack', () => {
  beforeEach((context) => {
    // The provider's own log stays out of passing runs.
    context.onTestFailed(async () => {
      const oauth = mailStack().oauth;
      if (oauth) console.error(`OpenID provider log:\n${await providerLog({ oauth })}`);
    });
  });

  it('IMAP takes a fresh access token with AUTHENTICATE XOAUTH2 and OAUTHBEARER', async (context) => {
    const oauth = requireOAuth(context);
    requireEndpoint(context, 'imaps');
    const user = await leaseOne(context);
    const tokens = await issueTokens(user, { oauth });
    expect(tokens.refreshToken).toBeDefined();
    expect(tokens.expiresIn).toBeGreaterThan(60);

    for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
      const outcome = await imapAuthenticate(user.user, tokens.accessToken, mechanism);
      expect(outcome, mechanism).toEqual({ final: expect.stringMatching(/^a1 OK /) as unknown });
    }
    // The address names the same user: Dovecot's username_format takes its local part.
    expect((await imapAuthenticate(user.address, tokens.accessToken, 'XOAUTH2')).final).toMatch(/^a1 OK /);
  });

  it('imapflow signs in with auth.accessToken (it picks OAUTHBEARER when offered)', async (context) => {
    const oauth = requireOAuth(context);
    const imaps = requireEndpoint(context, 'imaps');
    const user = await leaseOne(context);
    const { accessToken } = await issueTokens(user, { oauth });
    const sent: string[] = [];
    const ignore = (): void => undefined;
    const client = new ImapFlow({
      host: imaps.host,
      port: imaps.port,
      secure: true,
      auth: { user: user.user, accessToken },
      tls: { ...tlsTrust(), rejectUnauthorized: true },
      // Its debug log shows the commands it sent (secrets masked): the way to see which mechanism it chose.
      logger: {
        debug: (entry: { src?: string; msg?: string }) => {
          if (entry.src === 'c' && entry.msg !== undefined) sent.push(entry.msg);
        },
        info: ignore,
        warn: ignore,
        error: ignore,
      },
      disableCompression: true,
    });
    await client.connect();
    try {
      expect(client.authenticated).toBe(true);
      expect(sent.some((line) => / AUTHENTICATE OAUTHBEARER\b/.test(line)), sent.join('\n')).toBe(true);
      const status = await client.status('INBOX', { messages: true });
      expect(status === false ? undefined : status.messages).toBe(0);
    } finally {
      await client.logout();
    }
  });

  it('POP3 takes an access token with AUTH XOAUTH2 and OAUTHBEARER', async (context) => {
    const oauth = requireOAuth(context);
    requireEndpoint(context, 'pop3s');
    const user = await leaseOne(context);
    const { accessToken } = await issueTokens(user, { oauth });
    for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
      const outcome = await pop3Authenticate(user.user, accessToken, mechanism);
      expect(outcome, mechanism).toEqual({ final: expect.stringMatching(/^\+OK/) as unknown });
    }
  });

  it('SMTP offers XOAUTH2 and OAUTHBEARER and takes an access token with both', async (context) => {
    const oauth = requireOAuth(context);
    const smtps = requireEndpoint(context, 'smtps');
    const user = await leaseOne(context);
    const { accessToken } = await issueTokens(user, { oauth });
    for (const mechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
      const outcome = await smtpAuthenticate(smtps, user.user, accessToken, mechanism);
      expect(outcome.offered.split(' ')).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN', 'XOAUTH2', 'OAUTHBEARER']));
      expect(outcome.challenge, mechanism).toBeUndefined();
      expect(outcome.final, mechanism).toMatch(/^235 /);
    }
  });

  it('nodemailer sends with type OAuth2 over STARTTLS, and the message arrives', async (context) => {
    const oauth = requireOAuth(context);
    const smtp = requireEndpoint(context, 'smtp');
    const [sender, recipient] = await leaseMailboxes(context, 2);
    const { accessToken } = await issueTokens(sender!, { oauth });
    const tag = uniqueTag();
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      requireTLS: true,
      auth: { type: 'OAuth2', user: sender!.user, accessToken },
      tls: { ...tlsTrust(), rejectUnauthorized: true },
    });
    try {
      const info = await transport.sendMail({ from: sender!.address, to: recipient!.address, subject: tag, text: 'Sent with a bearer token.\n' });
      expect(info.accepted).toEqual([recipient!.address]);
    } finally {
      transport.close();
    }
    const client = await openImap(recipient!);
    try {
      const subject = await eventually(async () => {
        const status = await client.status('INBOX', { messages: true });
        if (status === false || !status.messages) return undefined;
        const lock = await client.getMailboxLock('INBOX');
        try {
          const message = await client.fetchOne('*', { envelope: true });
          return message === false ? undefined : message.envelope?.subject;
        } finally {
          lock.release();
        }
      });
      expect(subject).toBe(tag);
    } finally {
      await client.logout();
    }
  });

  it('a revoked token is refused by IMAP, POP3 and SMTP after the error challenge is answered', async (context) => {
    const oauth = requireOAuth(context);
    requireEndpoint(context, 'imaps');
    requireEndpoint(context, 'pop3s');
    const user = await leaseOne(context);
    const tokens = await issueTokens(user, { oauth });
    expect((await imapAuthenticate(user.user, tokens.accessToken, 'XOAUTH2')).final).toMatch(/^a1 OK /);
    await revoke(tokens.accessToken, { oauth });

    // Each refusal takes Dovecot about half a second: the dialogues run side by side.
    const smtps = mailStack().smtps;
    const mechanisms = ['XOAUTH2', 'OAUTHBEARER'] as const;
    const [imap, pop3, smtp] = await Promise.all([
      Promise.all(mechanisms.map((mechanism) => imapAuthenticate(user.user, tokens.accessToken, mechanism))),
      Promise.all(mechanisms.map((mechanism) => pop3Authenticate(user.user, tokens.accessToken, mechanism))),
      smtps ? Promise.all(mechanisms.map((mechanism) => smtpAuthenticate(smtps, user.user, tokens.accessToken, mechanism))) : undefined,
    ]);

    // XOAUTH2's error is Google's JSON, OAUTHBEARER's RFC 7628's.
    const challenges = [{ status: '401', schemes: 'bearer', scope: expect.any(String) as unknown }, { status: 'invalid_token' }];
    mechanisms.forEach((mechanism, i) => {
      expect(JSON.parse(imap[i]!.challenge ?? 'null'), `IMAP ${mechanism}`).toEqual(challenges[i]);
      expect(imap[i]!.final, `IMAP ${mechanism}`).toBe('a1 NO [AUTHENTICATIONFAILED] Authentication failed.');
      expect(JSON.parse(pop3[i]!.challenge ?? 'null'), `POP3 ${mechanism}`).toEqual(challenges[i]);
      expect(pop3[i]!.final, `POP3 ${mechanism}`).toBe('-ERR [AUTH] Authentication failed.');
      if (smtp) {
        expect(JSON.parse(smtp[i]!.challenge ?? 'null'), `SMTP ${mechanism}`).toEqual(challenges[i]);
        expect(smtp[i]!.final, `SMTP ${mechanism}`).toMatch(/^535 5\.7\.8 /);
      }
    });
    if (!smtp) console.warn(`[partly skipped] ${context.task.name}: SMTP: ${mailStack().missing.smtps ?? 'not available'}`);

    // Revoking the access token ended the refresh token too.
    await expect(refreshTokens(tokens.refreshToken!, { oauth })).rejects.toThrow(/invalid_grant/);
  });

  it('an expired access token is refused, and the refresh token brings a new one that works', async (context) => {
    const oauth = requireOAuth(context);
    requireEndpoint(context, 'imaps');
    const user = await leaseOne(context);
    const tokens = await issueTokens(user, { oauth, accessTokenTtl: 1 });
    expect(tokens.expiresIn).toBe(1);
    await setAccessTokenTtl(user, undefined, { oauth });
    // exp is in whole seconds from a rounded-down iat: a 1 s token is dead within a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await imapAuthenticate(user.user, tokens.accessToken, 'XOAUTH2');
    expect(expired.challenge).toBeDefined();
    expect(expired.final).toMatch(/^a1 NO /);

    const renewed = await refreshTokens(tokens.refreshToken!, { oauth });
    expect(renewed.accessToken).not.toBe(tokens.accessToken);
    expect(renewed.expiresIn).toBeGreaterThan(60);
    // Refresh tokens rotate for a public client.
    expect(renewed.refreshToken).toBeDefined();
    expect(renewed.refreshToken).not.toBe(tokens.refreshToken);
    expect((await imapAuthenticate(user.user, renewed.accessToken, 'OAUTHBEARER')).final).toMatch(/^a1 OK /);
    expect((await pop3Authenticate(user.user, renewed.accessToken, 'XOAUTH2')).final).toMatch(/^\+OK/);
  });

  it('a token is good for its own user only, and a password is no token', async (context) => {
    const oauth = requireOAuth(context);
    requireEndpoint(context, 'imaps');
    const [user, other] = await leaseMailboxes(context, 2);
    const { accessToken } = await issueTokens(user!, { oauth });
    const [asOther, passwordAsToken] = await Promise.all([
      imapAuthenticate(other!.user, accessToken, 'XOAUTH2'),
      // XOAUTH2 hands its token to the passdbs as a password: only the oauth2 one may take it.
      imapAuthenticate(user!.user, user!.password, 'XOAUTH2'),
    ]);
    expect(asOther.final).toMatch(/^a1 NO /);
    expect(passwordAsToken.final).toMatch(/^a1 NO /);
  });

  it('the provider refuses a wrong password at its sign-in form', async (context) => {
    const oauth = requireOAuth(context);
    const user = await leaseOne(context);
    await expect(issueTokens({ ...user, password: `${user.password}-wrong` }, { oauth })).rejects.toThrow(/answered 401/);
  });

  it('the password still signs the same user in to IMAP, POP3 and SMTP', async (context) => {
    const oauth = requireOAuth(context);
    const pop3s = requireEndpoint(context, 'pop3s');
    const user = await leaseOne(context);
    await issueTokens(user, { oauth });

    const client = await openImap(user);
    expect(client.authenticated).toBe(true);
    await client.logout();

    const session = await LineSession.open({ ...pop3s, tls: tlsTrust() });
    try {
      expect(await session.readLine()).toMatch(/^\+OK/);
      expect(await session.command(`USER ${user.user}`)).toMatch(/^\+OK/);
      expect(await session.command(`PASS ${user.password}`)).toMatch(/^\+OK/);
      expect(await session.command('QUIT')).toMatch(/^\+OK/);
    } finally {
      session.close();
    }

    const smtp = mailStack().smtp;
    if (!smtp) return;
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      requireTLS: true,
      auth: { user: user.user, pass: user.password },
      tls: { ...tlsTrust(), rejectUnauthorized: true },
    });
    try {
      await expect(transport.verify()).resolves.toBe(true);
    } finally {
      transport.close();
    }
  });
});
