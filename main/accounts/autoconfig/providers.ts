/**
 * Twinbox's own table of well-known providers, tried after the domain's own
 * autoconfig document over HTTPS (as Thunderbird tries its ISPDB). Each
 * provider is an autoconfig document in providers/ (a module holding its text).
 */
import { parseConfigXml } from './config-xml';
import fastmail from './providers/fastmail';
import gmail from './providers/gmail';
import gmxCom from './providers/gmx-com';
import gmxNet from './providers/gmx-net';
import icloud from './providers/icloud';
import mailboxOrg from './providers/mailbox-org';
import microsoft365 from './providers/microsoft365';
import outlook from './providers/outlook';
import proton from './providers/proton';
import yahoo from './providers/yahoo';

export interface BuiltinProvider {
  id: string;
  xml: string;
  /** domains the addresses are at */
  domains: string[];
  /** base domains of the provider's MX hosts, e.g. 'google.com' for aspmx.l.google.com */
  mxDomains: string[];
}

// The domains come from each document; the MX domains are Twinbox's, as the format has no place for them.
const table: { id: string; xml: string; mxDomains: string[] }[] = [
  // gmail-smtp-in.l.google.com, aspmx.l.google.com and smtp.google.com; older Workspace domains also aspmx2.googlemail.com.
  { id: 'gmail', xml: gmail, mxDomains: ['google.com', 'googlemail.com'] },
  // outlook-com.olc.protection.outlook.com, hotmail-com.olc.protection.outlook.com.
  { id: 'outlook', xml: outlook, mxDomains: ['olc.protection.outlook.com'] },
  // A company's domain at Microsoft: example-com.mail.protection.outlook.com, or with DNSSEC example-com.<id>.mx.microsoft.
  { id: 'microsoft365', xml: microsoft365, mxDomains: ['mail.protection.outlook.com', 'mx.microsoft'] },
  // mta5.am0.yahoodns.net; not all of yahoodns.net, which also receives AOL's mail (other servers).
  { id: 'yahoo', xml: yahoo, mxDomains: ['am0.yahoodns.net'] },
  // mx01.mail.icloud.com, also for custom domains in iCloud+.
  { id: 'icloud', xml: icloud, mxDomains: ['mail.icloud.com'] },
  // in1-smtp.messagingengine.com, for Fastmail's own domains and its customers' domains.
  { id: 'fastmail', xml: fastmail, mxDomains: ['messagingengine.com'] },
  // mx00.emig.gmx.net; gmx.com's own mail exchangers are mx00.gmx.com.
  { id: 'gmx-net', xml: gmxNet, mxDomains: ['gmx.net'] },
  { id: 'gmx-com', xml: gmxCom, mxDomains: ['gmx.com'] },
  // mxext1.mailbox.org.
  { id: 'mailbox-org', xml: mailboxOrg, mxDomains: ['mailbox.org'] },
  // mail.protonmail.ch and mailsec.protonmail.ch, also for custom domains at Proton.
  { id: 'proton', xml: proton, mxDomains: ['protonmail.ch'] },
];

export const builtinProviders: readonly BuiltinProvider[] = table.map((entry) => ({
  ...entry,
  domains: parseConfigXml(entry.xml, 'user@example.invalid').domains,
}));

const byDomain = new Map(builtinProviders.flatMap((provider) => provider.domains.map((domain) => [domain, provider] as const)));

export function builtinProviderForDomain(domain: string): BuiltinProvider | undefined {
  return byDomain.get(normalize(domain));
}

export function builtinProviderForMx(mxHost: string): BuiltinProvider | undefined {
  const host = normalize(mxHost);
  let best: { provider: BuiltinProvider; length: number } | undefined;
  for (const provider of builtinProviders) {
    for (const mxDomain of provider.mxDomains) {
      // Whole labels only: notgoogle.com is not google.com. The longest match wins, so a more specific entry can refine a broader one.
      const matches = host === mxDomain || host.endsWith(`.${mxDomain}`);
      if (matches && mxDomain.length > (best?.length ?? 0)) best = { provider, length: mxDomain.length };
    }
  }
  return best?.provider;
}

/** DNS names are case-insensitive and may end in the root's dot. */
function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
