import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, chmodSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Certificate } from './certificate';
import { captureOutput, spawnDaemon, stopGroup, waitForBanner } from './processes';
import { gidOf, uidOf } from './system-accounts';

export interface PostfixPorts {
  /** SMTP with STARTTLS and AUTH (after STARTTLS), relaying for loopback clients. */
  smtp: number;
  /** SMTP over implicit TLS (the "submissions" style of port 465). */
  smtps: number;
}

export interface RunningPostfix {
  ports: PostfixPorts;
  /** The master's pid; Postfix's master leads its own process group. */
  pid: number;
  stop(): Promise<void>;
}

const QUEUE_SUBDIRS_OWNED_BY_MAIL_OWNER = [
  'active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming', 'private', 'saved', 'trace',
];

/**
 * Starts a private Postfix instance that accepts mail for `domain` on loopback
 * and hands it to Dovecot over LMTP. Root only: the master daemon insists on it.
 * Its configuration, queue and log live in `dir`; /etc/postfix is never read.
 */
export async function startPostfix(options: {
  dir: string;
  ports: PostfixPorts;
  domain: string;
  lmtpPort: number;
  saslPort: number;
  certificate: Certificate;
}): Promise<RunningPostfix> {
  const { dir, ports } = options;
  const queue = join(dir, 'queue');
  const data = join(dir, 'data');
  const owner = { uid: uidOf('postfix'), gid: gidOf('postfix') };
  const postdropGid = gidOf('postdrop');

  mkdirSync(queue, { recursive: true });
  mkdirSync(join(queue, 'pid'), { recursive: true });
  for (const sub of QUEUE_SUBDIRS_OWNED_BY_MAIL_OWNER) {
    mkdirSync(join(queue, sub), { mode: 0o700 });
    chownSync(join(queue, sub), owner.uid, owner.gid);
  }
  for (const [sub, mode] of [['maildrop', 0o730], ['public', 0o710]] as const) {
    mkdirSync(join(queue, sub));
    chownSync(join(queue, sub), owner.uid, postdropGid);
    chmodSync(join(queue, sub), mode);
  }
  mkdirSync(data, { mode: 0o700 });
  chownSync(data, owner.uid, owner.gid);

  const mainCf = join(dir, 'main.cf');
  writeFileSync(mainCf, mainConfig({ ...options, queue, data }));
  writeFileSync(join(dir, 'master.cf'), masterConfig(ports));
  // Built-in lookup tables are all this instance uses; an empty list keeps it from /etc/postfix.
  writeFileSync(join(dir, 'dynamicmaps.cf'), '');
  // Postfix waits ~1.5 s at start when main.cf is under a second old.
  const past = new Date(Date.now() - 60_000);
  utimesSync(mainCf, past, past);

  const daemonDirectory = execFileSync('postconf', ['-d', '-h', 'daemon_directory'], { encoding: 'utf8' }).trim();
  const child = spawnDaemon(join(daemonDirectory, 'master'), ['-c', dir, '-s'], { ...process.env, MAIL_CONFIG: dir });
  const output = captureOutput(child);
  const describe = (): string => `${output()}\n${tailOf(join(dir, 'maillog'))}`;
  try {
    await Promise.all([waitForBanner(ports.smtp, child, describe), waitForTlsPort(ports.smtps, child, describe)]);
  } catch (error) {
    await stopGroup(child);
    throw new Error(`Postfix did not start: ${(error as Error).message}`);
  }
  return { ports, pid: child.pid ?? 0, stop: () => stopGroup(child) };
}

/** The implicit-TLS port sends no plaintext banner; accepting a connection is enough. */
async function waitForTlsPort(
  port: number,
  child: ChildProcess,
  describe: () => string,
): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`master exited with ${child.exitCode}: ${describe()}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`no listener on ${port}: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}


function tailOf(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

function mainConfig(o: {
  dir: string;
  queue: string;
  data: string;
  domain: string;
  lmtpPort: number;
  saslPort: number;
  certificate: Certificate;
}): string {
  return `# Written by the Twinbox test harness for one run; removed when the run ends.
compatibility_level = 3.6
queue_directory = ${o.queue}
data_directory = ${o.data}
meta_directory = ${o.dir}
# Logging to /dev/stdout stalled deliveries (postlogd); a file inside the instance works.
maillog_file_prefixes = ${o.dir}
maillog_file = ${o.dir}/maillog
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.${o.domain}
mydomain = ${o.domain}
myorigin = ${o.domain}
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = yes

# Every test user lives in Dovecot; Dovecot's LMTP refuses unknown ones.
virtual_mailbox_domains = ${o.domain}
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:127.0.0.1:${o.lmtpPort}

# Tests must never send mail off this machine.
default_transport = error:5.7.1 mail to other domains is disabled in the test stack
relay_transport = error:5.7.1 mail to other domains is disabled in the test stack

smtpd_tls_cert_file = ${o.certificate.certFile}
smtpd_tls_key_file = ${o.certificate.keyFile}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${o.saslPort}
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
`;
}

function masterConfig(ports: PostfixPorts): string {
  // No chroot anywhere: the instance has no chroot tree to run in.
  return `127.0.0.1:${ports.smtp} inet n - n - - smtpd
127.0.0.1:${ports.smtps} inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
proxywrite unix - - n -     1 proxymap
smtp      unix  - - n -     - smtp
relay     unix  - - n -     - smtp
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
lmtp      unix  - - n -     - lmtp
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
`;
}
