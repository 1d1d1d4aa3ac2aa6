import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCertificate } from './certificate';
import { DovecotStartError, startDovecot } from './dovecot';
import type { RunningDovecot } from './dovecot';
import { startOidcProvider } from './oidc-provider';
import type { RunningOidcProvider } from './oidc-provider';
import { startPostfix } from './postfix';
import type { RunningPostfix } from './postfix';
import { freePorts } from './processes';
import { systemAccounts } from './system-accounts';
import { SMALL_QUOTA_KB } from './types';
import type { MailStackInfo, SpecialMailbox, TestUser } from './types';

export const TEST_DOMAIN = 'twinbox.test';

/** How many fresh mailboxes tests may claim in one run. */
const POOL_SIZE = 400;
const SPECIAL_POOL_SIZE = 4;

/** Mailboxes set up unlike the rest, by Dovecot settings for those users alone. */
const SPECIAL_MAILBOXES: Record<SpecialMailbox, { prefix: string; settings: Record<string, string> }> = {
  // POP3 downloads leave the server's flags alone, as on servers other than Dovecot with its defaults.
  pop3KeepsFlags: { prefix: 'k', settings: { pop3_no_flag_updates: 'yes' } },
  // A mailbox that fills up after a few messages.
  smallQuota: { prefix: 'q', settings: { quota_rule: `*:storage=${SMALL_QUOTA_KB}K` } },
};

export const SEED_USERS: readonly TestUser[] = [
  { user: 'alice', password: 'alice-secret', address: `alice@${TEST_DOMAIN}` },
  { user: 'bob', password: 'bob-secret', address: `bob@${TEST_DOMAIN}` },
  { user: 'carol', password: 'carol-secret', address: `carol@${TEST_DOMAIN}` },
];

export interface LocalMailStack {
  info: MailStackInfo;
  /** The temporary directory that holds configuration, mail and logs. */
  dir: string;
  /** The process groups of the daemons (each daemon leads its own). */
  readonly processGroups: number[];
  /** Its Dovecot: to restart it, or to see its IMAP sessions. */
  dovecot: RunningDovecot;
  /** Stops every daemon by its process group and removes the directory. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 4;

/**
 * Starts Dovecot (IMAP, IMAPS, POP3, POP3S, LMTP), as root Postfix (SMTP
 * with STARTTLS, SMTPS), and an OpenID provider whose tokens both take, on
 * free loopback ports, from a fresh temporary directory. Several stacks can
 * run at once; each is independent.
 */
export interface LocalStackOptions {
  /**
   * The IMAP capabilities announced after login, replacing Dovecot's own: a
   * way to meet a server without CONDSTORE, QRESYNC, MOVE and the like.
   */
  imapCapability?: string;
  /** False: no SMTP server, even as root (a test that needs only IMAP starts sooner). */
  smtp?: boolean;
  /** False: users get no Sent, Drafts, Trash, Junk or Archive folder, as on a server that leaves them to clients. */
  specialFolders?: boolean;
  /** False: no OpenID provider, and the servers take passwords only. */
  oauth?: boolean;
}

/** Set to anything but "" or "0": local stacks start no SMTP server, to run the suite as against a server without one. */
export const NO_SMTP_VARIABLE = 'TWINBOX_TEST_NO_SMTP';

/** Whether a local stack starts Postfix; if not, the reason a test that needs SMTP prints when it skips. */
export type SmtpPlan = { start: true } | { start: false; reason: string };

export function localSmtpPlan(input: { requested?: boolean; privileged: boolean; env: NodeJS.ProcessEnv }): SmtpPlan {
  if (input.requested === false) return { start: false, reason: 'this test started its own stack without SMTP' };
  const hidden = input.env[NO_SMTP_VARIABLE] ?? '';
  if (hidden !== '' && hidden !== '0') {
    return { start: false, reason: `${NO_SMTP_VARIABLE}=${hidden}: the local stack runs without SMTP, as a server without one would` };
  }
  if (!input.privileged) return { start: false, reason: 'no SMTP server: Postfix needs root; run as root or set TWINBOX_TEST_SMTP' };
  return { start: true };
}

export async function startLocalMailStack(options: LocalStackOptions = {}): Promise<LocalMailStack> {
  const dir = mkdtempSync(join(tmpdir(), 'twinbox-mailstack-'));
  // Dovecot's unprivileged helpers must be able to reach their files inside.
  chmodSync(dir, 0o755);
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const stopOne of stoppers.reverse()) await stopOne();
    stoppers.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const accounts = systemAccounts();
    const certificate = makeSelfSignedCertificate(dir);
    const pool = Array.from({ length: POOL_SIZE }, (_, i): TestUser => {
      const user = `u${String(i + 1).padStart(3, '0')}`;
      return { user, password: randomBytes(9).toString('base64url'), address: `${user}@${TEST_DOMAIN}` };
    });
    const special = Object.fromEntries(
      Object.entries(SPECIAL_MAILBOXES).map(([kind, { prefix }]) => [
        kind,
        Array.from({ length: SPECIAL_POOL_SIZE }, (_, i): TestUser => {
          const user = `${prefix}${String(i + 1).padStart(3, '0')}`;
          return { user, password: randomBytes(9).toString('base64url'), address: `${user}@${TEST_DOMAIN}` };
        }),
      ]),
    ) as Record<SpecialMailbox, TestUser[]>;
    const settingsOf = new Map(Object.entries(special).flatMap(([kind, list]) => list.map((user) => [user, SPECIAL_MAILBOXES[kind as SpecialMailbox].settings] as const)));
    const claimDir = join(dir, 'claims');
    mkdirSync(claimDir);
    const users = [...SEED_USERS, ...pool, ...Object.values(special).flat()];
    let oidc: RunningOidcProvider | undefined;
    if (options.oauth !== false) {
      // Listening at once, loading while Dovecot starts: Dovecot needs only its address and secret.
      oidc = await startOidcProvider({ users, logFile: join(dir, 'oidc-provider.log') });
      const running = oidc;
      stoppers.push(() => running.stop());
    }
    const introspection = oidc?.introspection;
    const dovecot = await withPortRetries(async () => {
      const ports = await freePorts(['imap', 'imaps', 'pop3', 'pop3s', 'lmtp', 'auth']);
      return startDovecot({
        dir: join(dir, `dovecot-${ports.imap}`),
        ports,
        certificate,
        accounts,
        users: users.map((user) => ({ ...user, ...(settingsOf.has(user) ? { settings: settingsOf.get(user) } : {}) })),
        ...(introspection
          ? { oauth: { introspectionUrl: introspection.url, clientId: introspection.clientId, clientSecret: introspection.clientSecret } }
          : {}),
        ...(options.imapCapability === undefined ? {} : { imapCapability: options.imapCapability }),
        ...(options.specialFolders === undefined ? {} : { specialFolders: options.specialFolders }),
      });
    });
    stoppers.push(() => dovecot.stop());

    const smtpPlan = localSmtpPlan({
      ...(options.smtp === undefined ? {} : { requested: options.smtp }),
      privileged: accounts.privileged,
      env: process.env,
    });
    let postfix: RunningPostfix | undefined;
    if (smtpPlan.start) {
      postfix = await withPortRetries(async () => {
        const ports = await freePorts(['smtp', 'smtps']);
        return startPostfix({
          dir: join(dir, `postfix-${ports.smtp}`),
          ports,
          domain: TEST_DOMAIN,
          lmtpPort: dovecot.ports.lmtp,
          saslPort: dovecot.ports.auth,
          certificate,
        });
      });
      const running = postfix;
      stoppers.push(() => running.stop());
    }
    await oidc?.ready;
    const noSmtp = smtpPlan.start ? undefined : smtpPlan.reason;
    const described = describeStack(dovecot, postfix, certificate.pem, noSmtp);
    const info: MailStackInfo = {
      ...described,
      ...(oidc ? { oauth: oidc.info } : {}),
      missing: { ...described.missing, ...(oidc ? {} : { oauth: 'this stack was started without an OpenID provider' }) },
      pool: { claimDir, users: pool, special },
    };
    const postfixGroups = postfix ? [postfix.pid] : [];
    return {
      info,
      dir,
      // Read when asked: a restarted Dovecot leads a new group.
      get processGroups() {
        return [dovecot.pid, ...postfixGroups];
      },
      dovecot,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function describeStack(dovecot: RunningDovecot, postfix: RunningPostfix | undefined, caPem: string, whyNoSmtp: string | undefined): MailStackInfo {
  const at = (port: number): { host: string; port: number } => ({ host: '127.0.0.1', port });
  const noSmtp = whyNoSmtp ?? 'no SMTP server';
  return {
    origin: 'local',
    imap: at(dovecot.ports.imap),
    imaps: at(dovecot.ports.imaps),
    pop3: at(dovecot.ports.pop3),
    pop3s: at(dovecot.ports.pop3s),
    ...(postfix ? { smtp: at(postfix.ports.smtp), smtps: at(postfix.ports.smtps) } : {}),
    caPem,
    tlsServername: 'localhost',
    users: [...SEED_USERS],
    domain: TEST_DOMAIN,
    missing: postfix ? {} : { smtp: noSmtp, smtps: noSmtp },
  };
}

/** Another process may take a free port between our probe and the daemon's bind. */
async function withPortRetries<T extends { stop(): Promise<void> }>(start: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await start();
    } catch (error) {
      lastError = error;
      const retriable = error instanceof DovecotStartError ? error.portInUse : /Address already in use/.test(String(error));
      if (!retriable) throw error;
    }
  }
  throw lastError;
}
