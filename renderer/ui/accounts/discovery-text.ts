/**
 * What the account setup says about the servers main found, in plain words:
 * where they came from, what each server is, what went wrong, and how the
 * provider lets the user sign in. Pure, so every phrase can be tested apart
 * from React.
 */
import type { DiscoveredServer, Discovery, DiscoveryStep, DiscoveryStepKind } from '../../../shared/discovery';
import type { Protocol, Security } from '../../../shared/model';
import { t } from '../../i18n';

/** What each mode means for the user's mail; the same sentences wherever the choice is offered. */
export function modeDescription(protocol: Protocol): string {
  return t(`accounts:mode.${protocol}`);
}

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
  return t('accounts:discovery.looking', { domain: domainOf(email) });
}

export function notFoundText(email: string): string {
  return t('accounts:discovery.notFound', { domain: domainOf(email) });
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
      return t('accounts:discovery.source.provider', { domain, url: shownUrl(discovery.origin) });
    case 'builtin':
      return t('accounts:discovery.source.builtin', { provider: discovery.providerName ?? domain });
    case 'provider-http':
      return t('accounts:discovery.source.providerHttp', { domain, url: shownUrl(discovery.origin) });
    case 'srv':
      return t('accounts:discovery.source.srv', { domain });
    case 'mx': {
      const exchanger = exchangerOf(discovery.origin);
      return discovery.providerName === undefined
        ? t('accounts:discovery.source.mx', { exchanger })
        : t('accounts:discovery.source.mxProvider', { exchanger, provider: discovery.providerName });
    }
    case 'probe':
      return t('accounts:discovery.source.probe');
  }
}

export function securityText(security: Security): string {
  return t(`accounts:discovery.security.${security}`);
}

/** "Incoming (IMAP): imap.example.com, port 993, encrypted (SSL/TLS)". */
export function serverText(server: DiscoveredServer): string {
  // The port as it is typed: a port number is no quantity, grouping it ("65.535") would mislead.
  return t('accounts:discovery.server', {
    title: t(`accounts:discovery.serverTitle.${server.protocol}`),
    host: server.host,
    port: String(server.port),
    security: securityText(server.security),
  });
}

function signsInAsAddress(server: DiscoveredServer, email: string): boolean {
  return server.username === '' || server.username.toLowerCase() === email.trim().toLowerCase();
}

/** The user name only when it is not the address: the usual case needs no mention. */
export function usernameText(server: DiscoveredServer, email: string): string | undefined {
  return signsInAsAddress(server, email) ? undefined : t('accounts:discovery.signingInAs', { username: server.username });
}

/** A server as the proposal lists it: what it is, and the user name when it is not the address. */
export function serverLine(server: DiscoveredServer, email: string): string {
  return signsInAsAddress(server, email) ? serverText(server) : t('accounts:discovery.serverSigningInAs', { server: serverText(server), username: server.username });
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
  // Whole sentences, each translated as one, then set side by side.
  const sentences = (...texts: string[]): string => texts.join(' ');
  const appPasswords = (): string => t('accounts:discovery.appPasswords', { provider });
  switch (kind) {
    case 'password':
      return undefined;
    case 'provider': {
      const signIn = t('accounts:discovery.signIn.provider', { signInName });
      return typedPassword ? sentences(signIn, t('accounts:discovery.signIn.passwordNotUsed')) : signIn;
    }
    case 'provider-or-password':
    case 'app-password':
      return t('accounts:discovery.signIn.appPassword', { provider });
    case 'unregistered':
      return missing === 'browser'
        ? sentences(t('accounts:discovery.signIn.noBrowser', { provider }), appPasswords())
        : sentences(t('accounts:discovery.signIn.unregistered', { provider, signInName }), appPasswords());
    case 'web-only':
      return sentences(t('accounts:discovery.signIn.webOnly', { provider }), appPasswords());
  }
}

/** The sign-in button's promise, for a provider that also takes passwords: what the other way is for. */
export function signInWithText(signInName: string): string {
  return t('accounts:discovery.signIn.signInWith', { name: signInName });
}

/** The wait for the provider's page; `signInName` left out when the provider's name is not known. */
export function waitingText(signInName?: string): string {
  return signInName === undefined ? t('accounts:discovery.signIn.waitingForProvider') : t('accounts:discovery.signIn.waiting', { name: signInName });
}

const STEP_KEY = {
  provider: 'provider',
  builtin: 'builtin',
  'provider-http': 'providerHttp',
  srv: 'srv',
  mx: 'mx',
  probe: 'probe',
} as const satisfies Record<DiscoveryStepKind, string>;

/** One line of "what Twinbox tried": the way, what was asked, and what came of it. */
export function stepText(step: DiscoveryStep): string {
  const way = t(`accounts:discovery.step.way.${STEP_KEY[step.kind]}`);
  const outcome = t(`accounts:discovery.step.outcome.${step.outcome}`);
  // Main's timeout detail repeats the outcome (in main's words, English); saying it twice reads as a stutter.
  // Other details (an HTTP status, a DNS code) are technical and shown as they are.
  const repeated = step.detail === t(`accounts:discovery.step.outcome.${step.outcome}`, { lng: 'en' });
  return step.detail === undefined || step.detail === '' || repeated
    ? t('accounts:discovery.step.line', { way, target: step.target, outcome })
    : t('accounts:discovery.step.lineWithDetail', { way, target: step.target, outcome, detail: step.detail });
}

/** The warnings a proposal carries, in the order to read them. */
export function warningTexts(discovery: Discovery, email: string): { kind: 'insecure' | 'redirected' | 'plain'; text: string }[] {
  const domain = domainOf(email);
  const warnings: { kind: 'insecure' | 'redirected' | 'plain'; text: string }[] = [];
  if (discovery.insecureSource) {
    warnings.push({
      kind: 'insecure',
      text: t('accounts:discovery.warning.insecure'),
    });
  }
  if (discovery.redirectedTo !== undefined) {
    warnings.push({
      kind: 'redirected',
      text: t('accounts:discovery.warning.redirected', { host: discovery.redirectedTo, domain }),
    });
  }
  if (discovery.plainTextOnly) {
    warnings.push({
      kind: 'plain',
      text: t('accounts:discovery.warning.plain'),
    });
  }
  return warnings;
}
