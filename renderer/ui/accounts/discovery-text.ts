/**
 * What the account setup says about the servers main found, in plain words:
 * where they came from, what each server is, what went wrong, and how the
 * provider lets the user sign in. Pure, so every phrase can be tested apart
 * from React.
 */
import type { DiscoveredServer, Discovery, DiscoveryStep, DiscoveryStepKind } from '../../../shared/discovery';
import type { Protocol, Security } from '../../../shared/model';

/** What each mode means for the user's mail; the same sentences wherever the choice is offered. */
export const MODE_DESCRIPTION: Record<Protocol, string> = {
  imap: 'Your mail stays on the server and this computer keeps a copy; every device sees the same folders and marks.',
  pop3: 'Your mail is downloaded to this computer, which keeps it; the server is only a drop box for new mail.',
};

/** The address's domain as typed after the last "@", lower case; empty when there is none. */
export function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).trim().toLowerCase();
}

/** The same check main's contract makes, so that Continue never sends an address main refuses. */
export function looksLikeAddress(email: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(email.trim());
}

export function lookingText(email: string): string {
  return `Looking for the mail servers of ${domainOf(email)}…`;
}

export function notFoundText(email: string): string {
  return `Twinbox could not find the servers for ${domainOf(email)}.`;
}

/**
 * The exchanger's host name out of main's MX origin ("the mail exchanger
 * mx.example.net (gmail)" or "… mx.example.net: https://…"), or the origin
 * as it is when it has another shape.
 */
function exchangerOf(origin: string): string {
  return /^the mail exchanger (\S+?)(?::|\s|$)/.exec(origin)?.[1] ?? origin;
}

/**
 * A document's address without its query: main asks with the user's own
 * address appended (?emailaddress=…), which says nothing about where the
 * settings came from and only makes the sentence hard to read.
 */
function shownUrl(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? `${url.origin}${url.pathname}` : origin;
  } catch {
    return origin;
  }
}

/** One sentence per way of finding the servers: where the proposal comes from. */
export function sourceText(discovery: Discovery, email: string): string {
  const domain = domainOf(email);
  switch (discovery.source) {
    case 'provider':
      return `Found in ${domain}’s own settings (${shownUrl(discovery.origin)})`;
    case 'builtin':
      return `Found in Twinbox’s list of providers: ${discovery.providerName ?? domain}`;
    case 'provider-http':
      return `Found in ${domain}’s own settings, read without encryption (${shownUrl(discovery.origin)})`;
    case 'srv':
      return `Found in ${domain}’s DNS records`;
    case 'mx': {
      const exchanger = exchangerOf(discovery.origin);
      return discovery.providerName === undefined
        ? `Found through the mail exchanger ${exchanger}`
        : `Found through the mail exchanger ${exchanger}: ${discovery.providerName}`;
    }
    case 'probe':
      return 'Found by trying the usual server names';
  }
}

export function securityText(security: Security): string {
  switch (security) {
    case 'tls':
      return 'encrypted (SSL/TLS)';
    case 'starttls':
      return 'encrypted after connecting (STARTTLS)';
    case 'plain':
      return 'not encrypted';
  }
}

const SERVER_TITLE: Record<DiscoveredServer['protocol'], string> = {
  imap: 'Incoming (IMAP)',
  pop3: 'Incoming (POP3)',
  smtp: 'Outgoing (SMTP)',
};

/** "Incoming (IMAP): imap.example.com, port 993, encrypted (SSL/TLS)". */
export function serverText(server: DiscoveredServer): string {
  return `${SERVER_TITLE[server.protocol]}: ${server.host}, port ${server.port}, ${securityText(server.security)}`;
}

/** The user name only when it is not the address: the usual case needs no mention. */
export function usernameText(server: DiscoveredServer, email: string): string | undefined {
  return server.username === '' || server.username.toLowerCase() === email.trim().toLowerCase() ? undefined : `signing in as ${server.username}`;
}

/** A server as the proposal lists it: what it is, and the user name when it is not the address. */
export function serverLine(server: DiscoveredServer, email: string): string {
  const username = usernameText(server, email);
  return username === undefined ? serverText(server) : `${serverText(server)}, ${username}`;
}

/**
 * How the user will sign in to the incoming server: with the password typed
 * (also when the provider says nothing); on the provider's own page (OAuth2),
 * alone or beside an (app) password; with an app password where the provider
 * prefers its own page but Twinbox cannot offer it; or not here at all, when
 * the provider accepts nothing but its own page and this copy of Twinbox has
 * no registration there ('unregistered') or does not know the provider
 * ('web-only').
 */
export type SignInKind = 'password' | 'provider' | 'provider-or-password' | 'app-password' | 'unregistered' | 'web-only';

export function signInKind(server: DiscoveredServer, signInWith?: Discovery['signInWith']): SignInKind {
  const oauth2 = server.signIn.includes('oauth2');
  const password = server.signIn.length === 0 || server.signIn.includes('password');
  if (!oauth2) return 'password';
  if (signInWith?.available === true) return password ? 'provider-or-password' : 'provider';
  if (password) return 'app-password';
  return signInWith ? 'unregistered' : 'web-only';
}

/** Whether the proposal offers the provider's sign-in ("Sign in with …"). */
export function offersSignIn(kind: SignInKind): boolean {
  return kind === 'provider' || kind === 'provider-or-password';
}

/** Whether the proposal offers to add the account with the password typed. */
export function offersPassword(kind: SignInKind): boolean {
  return kind === 'password' || kind === 'provider-or-password' || kind === 'app-password';
}

/** The provider as the user knows it: its own name, or the domain. */
export function providerLabel(discovery: Discovery, email: string): string {
  return discovery.providerName ?? domainOf(email);
}

/**
 * What the proposal says about signing in: `provider` is how the user knows
 * the mail provider, `signInName` the name of the provider whose page signs
 * them in (the same, mostly), `typedPassword` whether the first screen got one.
 */
export function signInText(
  kind: SignInKind,
  provider: string,
  signInName: string = provider,
  typedPassword = false,
  missing: NonNullable<Discovery['signInWith']>['missing'] = 'client-id',
): string | undefined {
  const appPasswords = `If ${provider} offers passwords for mail programs (“app passwords”), you can set up the account manually with one.`;
  switch (kind) {
    case 'password':
      return undefined;
    case 'provider':
      return `${signInName} signs you in on its own page, in your browser: Twinbox never sees your password.${typedPassword ? ' The password you typed is not needed, and is not used.' : ''}`;
    case 'provider-or-password':
    case 'app-password':
      return `${provider} accepts an app password here: if your usual password is refused, create one for Twinbox in your ${provider} account’s security settings and use it instead.`;
    case 'unregistered':
      return missing === 'browser'
        ? `${provider} accepts only its own sign-in page, which opens in your browser, and Twinbox running in a browser tab cannot open it: add this account in the Twinbox app. ${appPasswords}`
        : `${provider} accepts only its own sign-in page, and this copy of Twinbox has no sign-in registration for ${signInName}: the README says how to add one. ${appPasswords}`;
    case 'web-only':
      return `${provider} accepts only its own sign-in page, and Twinbox does not know how to sign in with it. ${appPasswords}`;
  }
}

/** The sign-in button's promise, for a provider that also takes passwords: what the other way is for. */
export function signInWithText(signInName: string): string {
  return `“Sign in with ${signInName}” opens ${signInName}’s sign-in page in your browser: you sign in there, and Twinbox never sees your password.`;
}

export function waitingText(signInName: string): string {
  return `Waiting for you to sign in with ${signInName} in your browser…`;
}

const STEP_TEXT: Record<DiscoveryStepKind, string> = {
  provider: 'The domain’s own settings',
  builtin: 'Twinbox’s list of providers',
  'provider-http': 'The domain’s own settings, without encryption',
  srv: 'The domain’s DNS records for mail',
  mx: 'The domain’s mail exchanger',
  probe: 'The usual server names',
};

const OUTCOME_TEXT: Record<DiscoveryStep['outcome'], string> = {
  found: 'found',
  nothing: 'nothing there',
  timeout: 'no answer in time',
  error: 'failed',
};

/** One line of "what Twinbox tried": the way, what was asked, and what came of it. */
export function stepText(step: DiscoveryStep): string {
  // Main's timeout detail repeats the outcome; saying it twice reads as a stutter.
  const detail = step.detail === undefined || step.detail === '' || step.detail === OUTCOME_TEXT[step.outcome] ? '' : ` (${step.detail})`;
  return `${STEP_TEXT[step.kind]}, ${step.target}: ${OUTCOME_TEXT[step.outcome]}${detail}`;
}

/** The warnings a proposal carries, in the order to read them. */
export function warningTexts(discovery: Discovery, email: string): { kind: 'insecure' | 'redirected' | 'plain'; text: string }[] {
  const domain = domainOf(email);
  const warnings: { kind: 'insecure' | 'redirected' | 'plain'; text: string }[] = [];
  if (discovery.insecureSource) {
    warnings.push({
      kind: 'insecure',
      text: 'These settings came over an unencrypted connection: anyone on the way could have changed them, for instance to send your password to a server of their own. Use them only if you recognise the servers below as your provider’s.',
    });
  }
  if (discovery.redirectedTo !== undefined) {
    warnings.push({
      kind: 'redirected',
      text: `These settings came from ${discovery.redirectedTo}, not from ${domain}. Use them only if ${discovery.redirectedTo} is your mail provider.`,
    });
  }
  if (discovery.plainTextOnly) {
    warnings.push({
      kind: 'plain',
      text: 'None of these servers offers encryption: your password and your mail would travel readable by anyone on the network path.',
    });
  }
  return warnings;
}
