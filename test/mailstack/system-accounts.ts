import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

/**
 * The system users the daemons run as. As root, Dovecot refuses uid 0 for
 * mailboxes and drops privileges to its own users, so Debian's `mail`,
 * `dovecot` and `dovenull` are used. As a normal user everything runs as that
 * user, without chroots, and no SMTP server can start (Postfix needs root).
 */
export interface SystemAccounts {
  privileged: boolean;
  mailUid: number;
  mailGid: number;
  internalUser: string;
  internalGroup: string;
  internalGid: number;
  loginUser: string;
}

export function systemAccounts(): SystemAccounts {
  if (process.getuid?.() === 0) {
    return {
      privileged: true,
      mailUid: uidOf('mail'),
      mailGid: gidOf('mail'),
      internalUser: 'dovecot',
      internalGroup: 'dovecot',
      internalGid: gidOf('dovecot'),
      loginUser: 'dovenull',
    };
  }
  const me = userInfo();
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return {
    privileged: false,
    mailUid: me.uid,
    mailGid: me.gid,
    internalUser: me.username,
    internalGroup: group,
    internalGid: me.gid,
    loginUser: me.username,
  };
}

export function uidOf(user: string): number {
  return Number(getent('passwd', user)[2]);
}

export function gidOf(group: string): number {
  return Number(getent('group', group)[2]);
}

function getent(database: 'passwd' | 'group', name: string): string[] {
  return execFileSync('getent', [database, name], { encoding: 'utf8' }).trim().split(':');
}
