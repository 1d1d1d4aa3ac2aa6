/**
 * The account dialog as the end-to-end tests drive it: opening it, reading a
 * server's test result, trusting the test stack's self-signed certificate
 * after seeing it, and (for discovery) an autoconfig document naming the test
 * mail stack's servers and the options that point main at the test's own DNS
 * and web servers.
 */
import { X509Certificate } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestContext } from 'vitest';
import type { DiscoveryOptions } from '../../main/accounts/autoconfig/discover';
import { ERROR_TEXT } from '../../shared/errors';
import { mailStack, requireEndpoint, skipBecause } from '../mailstack';
import type { TestUser } from '../mailstack';
import type { DnsServer } from '../mailstack/dns-server';
import type { WebServer } from '../mailstack/web-server';

/** Where an autoconfig web server serves the domain's document. */
export const CONFIG_PATH = '/mail/config-v1.1.xml';

/** The fingerprint of the test stack's certificate, which the user checks before trusting it. */
export function stackFingerprint(context: TestContext): string {
  const { caPem } = mailStack();
  if (!caPem) skipBecause(context, 'the server’s certificate is publicly trusted, so there is no untrusted certificate to see');
  return new X509Certificate(caPem).fingerprint256;
}

export async function openAddAccount(page: Page): Promise<Locator> {
  await page.getByRole('banner').getByRole('button', { name: 'Add account…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add an account' });
  await dialog.waitFor();
  return dialog;
}

/** One server's connection test result. */
export function serverResult(dialog: Locator, server: 'Incoming server (IMAP)' | 'Incoming server (POP3)' | 'Outgoing server (SMTP)'): Locator {
  return dialog.getByRole('region', { name: server, exact: true });
}

/** Waits for a server's test to fail as untrusted, checks the certificate shown, and trusts it. */
export async function trustAfterSeeing(outcome: Locator, fingerprint: string): Promise<void> {
  const alert = outcome.getByRole('alert');
  await alert.waitFor();
  expect(await alert.textContent()).toBe(ERROR_TEXT.TLS_CERT_UNTRUSTED);
  await outcome.getByText(fingerprint, { exact: true }).waitFor();
  await outcome.getByText('check this fingerprint with your mail provider').waitFor();
  await outcome.getByRole('button', { name: 'Trust this certificate' }).click();
}

/** Waits until a server's test passed; returns what it says. */
export async function waitConnected(outcome: Locator): Promise<string> {
  const status = outcome.getByRole('status');
  await status.getByText('Connected and signed in.').waitFor();
  return (await status.textContent()) ?? '';
}

/** Main looking for servers only at the test's DNS server, and reaching its web server for the well-known ports. */
export function discoveryOptions(dns: DnsServer, web: WebServer): DiscoveryOptions {
  return { dnsServers: [dns.address], trustedCertificates: [web.caPem], portMap: { 443: web.httpsPort, 80: web.httpPort } };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A config-v1.1 document for `domain` naming the test mail stack's servers
 * (over TLS, with the test user's login): IMAP, POP3 when asked, SMTP, each
 * signing in the ways given (`password-cleartext`, `OAuth2`).
 */
export function stackConfigXml(
  context: TestContext,
  user: TestUser,
  options: { domain: string; pop3: boolean; authentication: Array<'password-cleartext' | 'OAuth2'> },
): string {
  const authentication = options.authentication.map((method) => `<authentication>${method}</authentication>`).join('');
  const server = (kind: 'incomingServer' | 'outgoingServer', type: string, endpoint: 'imaps' | 'pop3s' | 'smtps'): string => {
    const { host, port } = requireEndpoint(context, endpoint);
    return `<${kind} type="${type}"><hostname>${escapeXml(host)}</hostname><port>${port}</port><socketType>SSL</socketType>
      ${authentication}<username>${escapeXml(user.user)}</username></${kind}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${options.domain}">
    <domain>${options.domain}</domain>
    <displayName>Example Mail</displayName>
    ${server('incomingServer', 'imap', 'imaps')}
    ${options.pop3 ? server('incomingServer', 'pop3', 'pop3s') : ''}
    ${server('outgoingServer', 'smtp', 'smtps')}
  </emailProvider>
</clientConfig>`;
}
