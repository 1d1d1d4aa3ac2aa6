import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Certificate } from './certificate';
import { captureOutput, processesInGroup, spawnDaemon, stopGroup, waitForBanner } from './processes';
import type { SystemAccounts } from './system-accounts';

export interface DovecotPorts {
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
  lmtp: number;
  /** Dovecot's SASL service, for the SMTP server's AUTH. */
  auth: number;
}

export interface RunningDovecot {
  ports: DovecotPorts;
  /** The master's pid, which is also the process group of every Dovecot process (a new one after startAgain). */
  readonly pid: number;
  passwdFile: string;
  logFile: string;
  stop(): Promise<void>;
  /**
   * Stops Dovecot as an administrator's restart does (SIGTERM: the master
   * ends every session), keeping its ports, configuration and mail; until
   * startAgain(), connections are refused.
   */
  shutDown(): Promise<void>;
  /** Starts it again after shutDown(), on the same ports, with the same mail. */
  startAgain(): Promise<void>;
  /** The logged-in IMAP sessions, as their process titles show them. */
  imapSessions(): ImapSessionTitle[];
}

/** One IMAP session, from its process title (verbose_proctitle: "[user ip COMMAND...]"). */
export interface ImapSessionTitle {
  pid: number;
  user: string;
  /** The commands it is running right now: ["IDLE"] while the client idles. */
  commands: string[];
}

export interface DovecotOAuth {
  /** RFC 7662 introspection endpoint. */
  introspectionUrl: string;
  /** The confidential client Dovecot introspects as (HTTP Basic). */
  clientId: string;
  clientSecret: string;
}

/** Dovecot exits with this when a listener cannot bind (the port was taken meanwhile). */
export const DOVECOT_EXIT_PORT_IN_USE = 89;

/**
 * Starts Dovecot from `dir` with a configuration of its own: nothing is read
 * from /etc/dovecot. IMAP and POP3 serve the same Maildir; LMTP delivers into it.
 */
export async function startDovecot(options: {
  dir: string;
  ports: DovecotPorts;
  certificate: Certificate;
  accounts: SystemAccounts;
  /** `settings`: Dovecot settings for this user alone (userdb extra fields), e.g. pop3_no_flag_updates. */
  users: { user: string; password: string; settings?: Record<string, string> }[];
  /** Replaces the IMAP capability list after login, to imitate a server without some extensions. */
  imapCapability?: string;
  /** False: no Sent, Drafts, Trash, Junk or Archive made or marked for users; a mailbox starts with INBOX alone. */
  specialFolders?: boolean;
  /** Accept OAuth2 bearer tokens (XOAUTH2, OAUTHBEARER), checked by introspection at this OpenID provider. */
  oauth?: DovecotOAuth;
}): Promise<RunningDovecot> {
  const { dir, ports, certificate, accounts } = options;
  for (const sub of ['run', 'state', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  const homes = join(dir, 'home');
  mkdirSync(homes, { recursive: true });
  chownSync(homes, accounts.mailUid, accounts.mailGid);

  const passwdFile = join(dir, 'users');
  writeFileSync(passwdFile, options.users.map((u) => passwdLine(u.user, u.password, u.settings)).join(''));
  // The auth process runs as the internal user and must read the file, nobody else.
  chownSync(passwdFile, process.getuid?.() ?? 0, accounts.internalGid);
  chmodSync(passwdFile, 0o640);

  let oauthArgsFile: string | undefined;
  if (options.oauth) {
    oauthArgsFile = join(dir, 'oauth2.conf.ext');
    writeFileSync(oauthArgsFile, oauthArgs(options.oauth));
    // It holds the introspection secret: the auth process's group only, like the passwd-file.
    chownSync(oauthArgsFile, process.getuid?.() ?? 0, accounts.internalGid);
    chmodSync(oauthArgsFile, 0o640);
  }

  const configFile = join(dir, 'dovecot.conf');
  const logFile = join(dir, 'log', 'dovecot.log');
  writeFileSync(
    configFile,
    dovecotConfig({
      dir,
      ports,
      certificate,
      accounts,
      passwdFile,
      logFile,
      homes,
      imapCapability: options.imapCapability,
      specialFolders: options.specialFolders !== false,
      oauthArgsFile,
    }),
  );

  const launch = async (): Promise<ChildProcess> => {
    const child = spawnDaemon('dovecot', ['-F', '-c', configFile]);
    const output = captureOutput(child);
    const describe = (): string => `${output()}\n${tail(logFile)}`;
    try {
      await Promise.all([
        waitForBanner(ports.imap, child, describe),
        waitForBanner(ports.pop3, child, describe),
        waitForBanner(ports.lmtp, child, describe),
      ]);
    } catch (error) {
      await stopGroup(child);
      throw new DovecotStartError(child.exitCode, (error as Error).message);
    }
    return child;
  };
  let child = await launch();
  return {
    ports,
    get pid() {
      return child.pid ?? 0;
    },
    passwdFile,
    logFile,
    stop: () => stopGroup(child),
    shutDown: () => stopGroup(child, 'SIGTERM'),
    startAgain: async () => {
      child = await launch();
    },
    imapSessions: () => imapSessionsOf(child.pid ?? 0),
  };
}

function imapSessionsOf(pgid: number): ImapSessionTitle[] {
  const sessions: ImapSessionTitle[] = [];
  for (const pid of processesInGroup(pgid)) {
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    } catch {
      continue; // Ended while we looked.
    }
    // "<instance>/imap [u001 127.0.0.1 IDLE]"; an imap process not serving one user says otherwise.
    const match = /\/imap \[(\S+) (\S+)((?: \S+)*)\]/.exec(title);
    if (!match) continue;
    sessions.push({ pid, user: match[1]!, commands: (match[3] ?? '').split(' ').filter((word) => word !== '') });
  }
  return sessions;
}

export class DovecotStartError extends Error {
  constructor(
    readonly exitCode: number | null,
    detail: string,
  ) {
    super(`Dovecot did not start: ${detail}`);
  }
  get portInUse(): boolean {
    return this.exitCode === DOVECOT_EXIT_PORT_IN_USE;
  }
}

/** One passwd-file line; the empty fields take the userdb defaults (uid, gid, home). */
export function passwdLine(user: string, password: string, settings: Record<string, string> = {}): string {
  if (/[:\n]/.test(user) || /[:\n]/.test(password)) throw new Error('user and password may not hold ":" or newlines');
  const fields = Object.entries(settings).map(([name, value]) => {
    if (!/^\w+$/.test(name) || /\s/.test(value)) throw new Error(`a user setting must be a plain name and value, not ${name}=${value}`);
    // The file is passdb and userdb at once: the prefix makes it a userdb field, which overrides the setting for this user.
    return `userdb_${name}=${value}`;
  });
  return `${user}:{PLAIN}${password}:::::${fields.length > 0 ? `:${fields.join(' ')}` : ':'}\n`;
}

/**
 * The oauth2 passdb's settings. The token's `email` (the user's address) is
 * compared with the user the client names after both go through
 * username_format, %Ln as auth_username_format: "alice" and
 * "alice@twinbox.test" both sign in as alice. Every authentication asks the
 * provider (force_introspection), so a revoked or expired token fails at once.
 */
function oauthArgs(oauth: DovecotOAuth): string {
  const url = new URL(oauth.introspectionUrl);
  // Dovecot sends the URL's user:password as HTTP Basic.
  url.username = encodeURIComponent(oauth.clientId);
  url.password = encodeURIComponent(oauth.clientSecret);
  return `introspection_mode = post
introspection_url = ${url.href}
force_introspection = yes
username_attribute = email
username_format = %Ln
active_attribute = active
active_value = true
`;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

function dovecotConfig(o: {
  dir: string;
  ports: DovecotPorts;
  certificate: Certificate;
  accounts: SystemAccounts;
  passwdFile: string;
  logFile: string;
  homes: string;
  imapCapability: string | undefined;
  specialFolders: boolean;
  oauthArgsFile: string | undefined;
}): string {
  const chroot = o.accounts.privileged ? '' : '\n  chroot =';
  // With OAuth, each passdb answers only its own mechanisms: XOAUTH2 hands the token to every
  // passdb as if it were a password, so the passwd-file would take a user's password as a token.
  const passwordMechanisms = o.oauthArgsFile === undefined ? '' : '\n  mechanisms = plain login';
  const oauthPassdb =
    o.oauthArgsFile === undefined
      ? ''
      : `
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${o.oauthArgsFile}
}`;
  return `# Written by the Twinbox test harness for one run; removed when the run ends.
instance_name = twinbox-${o.ports.imap}
base_dir = ${o.dir}/run
state_dir = ${o.dir}/state
log_path = ${o.logFile}
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <${o.certificate.certFile}
ssl_key = <${o.certificate.keyFile}
disable_plaintext_auth = no
auth_mechanisms = plain login${o.oauthArgsFile === undefined ? '' : ' xoauth2 oauthbearer'}
auth_failure_delay = 0
auth_username_format = %Ln
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
first_valid_uid = ${o.accounts.mailUid}
default_internal_user = ${o.accounts.internalUser}
default_internal_group = ${o.accounts.internalGroup}
default_login_user = ${o.accounts.loginUser}
mail_plugins = $mail_plugins quota
# Session processes show their user and running command ("IDLE"), for tests that count connections.
verbose_proctitle = yes

passdb {
  driver = passwd-file
  args = scheme=PLAIN ${o.passwdFile}${passwordMechanisms}
}${oauthPassdb}
userdb {
  driver = passwd-file
  args = ${o.passwdFile}
  default_fields = uid=${o.accounts.mailUid} gid=${o.accounts.mailGid} home=${o.homes}/%n
}

plugin {
  quota = count:User quota
  quota_rule = *:storage=1G
  quota_vsizes = yes
}

protocol imap {
  mail_plugins = $mail_plugins imap_quota${o.imapCapability === undefined ? '' : `\n  imap_capability = ${o.imapCapability}`}
}

service imap-login {
  inet_listener imap {
    port = ${o.ports.imap}
  }
  inet_listener imaps {
    port = ${o.ports.imaps}
    ssl = yes
  }${chroot}
}
service pop3-login {
  inet_listener pop3 {
    port = ${o.ports.pop3}
  }
  inet_listener pop3s {
    port = ${o.ports.pop3s}
    ssl = yes
  }${chroot}
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${o.ports.lmtp}
  }
}
service auth {
  inet_listener sasl {
    address = 127.0.0.1
    port = ${o.ports.auth}
  }
}
service anvil {
  # Repeated failed logins from 127.0.0.1 would otherwise be slowed by seconds.
  unix_listener anvil-auth-penalty {
    mode = 0
  }${chroot}
}

namespace inbox {
  inbox = yes${o.specialFolders ? SPECIAL_FOLDERS : ''}
}
`;
}

/** Every user's special folders, made on first login and marked (RFC 6154). */
const SPECIAL_FOLDERS = `
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }`;
