import { readFileSync } from 'node:fs';
import type { Endpoint, EndpointName, MailStackInfo, TestUser } from './types';

const ENDPOINT_VARIABLES: Record<EndpointName, string> = {
  imap: 'TWINBOX_TEST_IMAP',
  imaps: 'TWINBOX_TEST_IMAPS',
  pop3: 'TWINBOX_TEST_POP3',
  pop3s: 'TWINBOX_TEST_POP3S',
  smtp: 'TWINBOX_TEST_SMTP',
  smtps: 'TWINBOX_TEST_SMTPS',
};

/** True when any TWINBOX_TEST_* server variable is set: the run then uses that server only. */
export function externalServerRequested(env: NodeJS.ProcessEnv): boolean {
  return Object.values(ENDPOINT_VARIABLES).some((name) => (env[name] ?? '') !== '');
}

/**
 * Describes a server named by the environment:
 * TWINBOX_TEST_IMAP, _IMAPS, _POP3, _POP3S, _SMTP, _SMTPS as host:port;
 * TWINBOX_TEST_USERS as user:password,user:password (at least two; a user
 * without "@" gets "@" + TWINBOX_TEST_DOMAIN as its address);
 * TWINBOX_TEST_CA as a PEM file to trust; TWINBOX_TEST_TLS_SERVERNAME when the
 * certificate names another host than the one connected to.
 */
export function externalStackFromEnv(env: NodeJS.ProcessEnv): MailStackInfo {
  const endpoints: Partial<Record<EndpointName, Endpoint>> = {};
  const missing: Partial<Record<EndpointName, string>> = {};
  for (const [name, variable] of Object.entries(ENDPOINT_VARIABLES) as [EndpointName, string][]) {
    const value = env[variable] ?? '';
    if (value === '') missing[name] = `${variable} is not set`;
    else endpoints[name] = parseHostPort(variable, value);
  }
  const domain = env.TWINBOX_TEST_DOMAIN ?? '';
  const users = parseUsers(env.TWINBOX_TEST_USERS ?? '', domain);
  if (users.length < 2) {
    throw new Error('TWINBOX_TEST_USERS must list at least two users as user:password,user:password');
  }
  const caFile = env.TWINBOX_TEST_CA ?? '';
  const firstHost = Object.values(endpoints)[0]?.host ?? 'localhost';
  return {
    origin: 'external',
    ...endpoints,
    ...(caFile !== '' ? { caPem: readFileSync(caFile, 'utf8') } : {}),
    tlsServername: env.TWINBOX_TEST_TLS_SERVERNAME ?? firstHost,
    users,
    domain,
    missing,
  };
}

export function parseHostPort(variable: string, value: string): Endpoint {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match?.[1] || !(port > 0 && port < 65536)) {
    throw new Error(`${variable} must be host:port, got ${JSON.stringify(value)}`);
  }
  return { host: match[1], port };
}

export function parseUsers(value: string, domain: string): TestUser[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new Error(`TWINBOX_TEST_USERS entry ${JSON.stringify(entry)} is not user:password`);
      const user = entry.slice(0, colon);
      const password = entry.slice(colon + 1);
      if (!user.includes('@') && domain === '') {
        throw new Error(`user ${user} has no domain: write user@domain or set TWINBOX_TEST_DOMAIN`);
      }
      return { user, password, address: user.includes('@') ? user : `${user}@${domain}` };
    });
}
