/**
 * Finds an address's mail servers, in the order Thunderbird uses: the
 * domain's own autoconfig document, Twinbox's table of well-known providers,
 * the domain's autoconfig over plain HTTP (flagged, for the user to confirm),
 * DNS SRV records (RFC 6186), the provider behind the domain's MX record,
 * then probing the usual host names. Each step has a deadline, and the first
 * that finds an incoming server wins; every step's outcome is reported, so
 * that "nothing found" can say what was tried.
 */
import { getDomain } from 'tldts';
import type { DiscoveredServer, Discovery, DiscoveryResult, DiscoveryStep, DiscoveryStepKind, ServerProtocol } from '../../../shared/discovery';
import { ConfigXmlError, parseConfigXml } from './config-xml';
import type { ParsedConfig } from './config-xml';
import { DiscoveryFetchError, DiscoveryNetwork } from './network';
import type { DiscoveryNetworkOptions } from './network';
import { bestAnswers, probe, probeCandidates } from './probe';
import { builtinProviderForDomain, builtinProviderForMx } from './providers';

export interface DiscoveryOptions extends DiscoveryNetworkOptions {
  /** How long one step (a document, a set of DNS queries, the probes) may take. */
  stepTimeoutMs?: number;
}

const DEFAULT_STEP_TIMEOUT_MS = 6_000;

interface Found {
  config: ParsedConfig;
  origin: string;
  insecureSource?: boolean;
  redirectedTo?: string;
}

type StepOutcome = Found | undefined;

export async function discoverServers(email: string, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const domain = (email.split('@').pop() ?? '').toLowerCase();
  const network = new DiscoveryNetwork(options);
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const steps: DiscoveryStep[] = [];

  const run = async (kind: DiscoveryStepKind, attempt: () => Promise<StepOutcome>): Promise<Discovery | undefined> => {
    const found = await attempt();
    if (!found || (!found.config.imap && !found.config.pop3)) return undefined;
    return toDiscovery(kind, found);
  };

  const fromDocument = (kind: DiscoveryStepKind, urls: string[]) => async (): Promise<StepOutcome> => {
    // Asked at once, the first in the list preferred: a provider serving both answers the same.
    const attempts = urls.map((url) => fetchConfig(network, url, email, domain, timeoutMs));
    for (const [index, attempt] of attempts.entries()) {
      const outcome = await attempt;
      steps.push({ kind, target: urls[index] ?? '', ...outcome.step });
      if (outcome.found) return outcome.found;
    }
    return undefined;
  };

  const discovery =
    (await run(
      'provider',
      fromDocument('provider', [
        `https://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`,
        `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml`,
      ]),
    )) ??
    (await run('builtin', () => Promise.resolve(fromBuiltin(domain, email, steps)))) ??
    (await run('provider-http', fromDocument('provider-http', [`http://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`]))) ??
    (await run('srv', () => fromSrv(network, domain, email, timeoutMs, steps))) ??
    (await run('mx', () => fromMx(network, domain, email, timeoutMs, steps))) ??
    (await run('probe', () => fromProbes(network, domain, email, timeoutMs, steps)));
  return discovery ? { found: true, discovery, steps } : { found: false, steps };
}

function toDiscovery(source: DiscoveryStepKind, found: Found): Discovery {
  const { config } = found;
  const servers = [config.imap, config.pop3, config.smtp].filter((server): server is DiscoveredServer => server !== undefined);
  return {
    source,
    ...(config.providerName === undefined ? {} : { providerName: config.providerName }),
    origin: found.origin,
    ...(config.imap ? { imap: config.imap } : {}),
    ...(config.pop3 ? { pop3: config.pop3 } : {}),
    ...(config.smtp ? { smtp: config.smtp } : {}),
    // Over plain HTTP, or sent there by a redirect from HTTPS.
    insecureSource: found.insecureSource === true || source === 'provider-http',
    ...(found.redirectedTo === undefined ? {} : { redirectedTo: found.redirectedTo }),
    plainTextOnly: servers.every((server) => server.security === 'plain'),
  };
}

async function withDeadline<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new StepTimeout()), timeoutMs);
  try {
    return await Promise.race([
      work(controller.signal),
      new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new StepTimeout()), { once: true })),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

class StepTimeout extends Error {}

function failedStep(error: unknown): Pick<DiscoveryStep, 'outcome' | 'detail'> {
  if (error instanceof StepTimeout) return { outcome: 'timeout', detail: 'no answer in time' };
  if (error instanceof ConfigXmlError || error instanceof DiscoveryFetchError) return { outcome: 'nothing', detail: error.message };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN') return { outcome: 'nothing', detail: 'no such name' };
  if (code === 'ECONNREFUSED') return { outcome: 'nothing', detail: 'connection refused' };
  return { outcome: 'error', detail: code ?? (error instanceof Error ? error.message : String(error)) };
}

/** Whether `host` is the domain or one of its subdomains. */
function within(host: string, domain: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === domain || name.endsWith(`.${domain}`);
}

async function fetchConfig(
  network: DiscoveryNetwork,
  url: string,
  email: string,
  domain: string,
  timeoutMs: number,
): Promise<{ found?: Found; step: Pick<DiscoveryStep, 'outcome' | 'detail'> }> {
  try {
    const document = await withDeadline(timeoutMs, (signal) => network.fetchDocument(url, signal));
    const config = parseConfigXml(document.body, email);
    const finalHost = document.url.hostname;
    const found: Found = {
      config,
      origin: document.url.href,
      ...(document.url.protocol === 'http:' ? { insecureSource: true } : {}),
      ...(document.redirected && !within(finalHost, domain) ? { redirectedTo: finalHost } : {}),
    };
    return { found, step: { outcome: 'found' } };
  } catch (error) {
    return { step: failedStep(error) };
  }
}

function fromBuiltin(domain: string, email: string, steps: DiscoveryStep[]): StepOutcome {
  const provider = builtinProviderForDomain(domain);
  steps.push({ kind: 'builtin', target: domain, outcome: provider ? 'found' : 'nothing' });
  return provider ? { config: parseConfigXml(provider.xml, email), origin: `Twinbox’s list of providers (${provider.id})` } : undefined;
}

/** RFC 6186's services: implicit TLS first (RFC 8314), and a "." target means "not offered here". */
const SRV_SERVICES: Array<{ protocol: ServerProtocol; service: string; security: 'tls' | 'starttls' }> = [
  { protocol: 'imap', service: '_imaps._tcp', security: 'tls' },
  { protocol: 'imap', service: '_imap._tcp', security: 'starttls' },
  { protocol: 'pop3', service: '_pop3s._tcp', security: 'tls' },
  { protocol: 'pop3', service: '_pop3._tcp', security: 'starttls' },
  { protocol: 'smtp', service: '_submissions._tcp', security: 'tls' },
  { protocol: 'smtp', service: '_submission._tcp', security: 'starttls' },
];

async function fromSrv(network: DiscoveryNetwork, domain: string, email: string, timeoutMs: number, steps: DiscoveryStep[]): Promise<StepOutcome> {
  const answers = await Promise.all(
    SRV_SERVICES.map(async (entry) => {
      const name = `${entry.service}.${domain}`;
      try {
        const records = await withDeadline(timeoutMs, () => network.resolveSrv(name));
        const usable = records.filter((record) => record.name !== '' && record.name !== '.' && record.port > 0);
        // Lowest priority first; among equals, the heaviest (a client may pick by weight; the first is as good).
        usable.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
        const best = usable[0];
        steps.push({ kind: 'srv', target: name, outcome: best ? 'found' : 'nothing', ...(best || records.length === 0 ? {} : { detail: 'not offered' }) });
        return best ? { entry, record: best } : undefined;
      } catch (error) {
        steps.push({ kind: 'srv', target: name, ...failedStep(error) });
        return undefined;
      }
    }),
  );
  const config: ParsedConfig = { domains: [domain] };
  for (const answer of answers) {
    if (!answer || config[answer.entry.protocol]) continue;
    config[answer.entry.protocol] = {
      protocol: answer.entry.protocol,
      host: answer.record.name.replace(/\.$/, ''),
      port: answer.record.port,
      security: answer.entry.security,
      username: email,
      signIn: ['password'],
    };
  }
  return config.imap || config.pop3 ? { config, origin: `DNS SRV records of ${domain}` } : undefined;
}

async function fromMx(network: DiscoveryNetwork, domain: string, email: string, timeoutMs: number, steps: DiscoveryStep[]): Promise<StepOutcome> {
  let exchange: string | undefined;
  try {
    const records = await withDeadline(timeoutMs, () => network.resolveMx(domain));
    exchange = records.sort((a, b) => a.priority - b.priority)[0]?.exchange.replace(/\.$/, '').toLowerCase();
  } catch (error) {
    steps.push({ kind: 'mx', target: domain, ...failedStep(error) });
    return undefined;
  }
  if (!exchange) {
    steps.push({ kind: 'mx', target: domain, outcome: 'nothing', detail: 'no MX record' });
    return undefined;
  }
  const provider = builtinProviderForMx(exchange);
  if (provider) {
    steps.push({ kind: 'mx', target: exchange, outcome: 'found', detail: provider.id });
    return { config: parseConfigXml(provider.xml, email), origin: `the mail exchanger ${exchange} (${provider.id})` };
  }
  // A provider hosting the domain's mail may publish its own autoconfig under its own name.
  const mxDomain = getDomain(exchange, { allowPrivateDomains: true });
  if (!mxDomain || mxDomain === domain) {
    steps.push({ kind: 'mx', target: exchange, outcome: 'nothing', detail: 'not a known provider' });
    return undefined;
  }
  const url = `https://autoconfig.${mxDomain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`;
  const outcome = await fetchConfig(network, url, email, mxDomain, timeoutMs);
  steps.push({ kind: 'mx', target: url, ...outcome.step });
  return outcome.found ? { ...outcome.found, origin: `the mail exchanger ${exchange}: ${outcome.found.origin}` } : undefined;
}

async function fromProbes(network: DiscoveryNetwork, domain: string, email: string, timeoutMs: number, steps: DiscoveryStep[]): Promise<StepOutcome> {
  const candidates = probeCandidates(domain);
  const answers = (await Promise.all(candidates.map((candidate) => probe(candidate, network, timeoutMs)))).filter((answer) => answer !== undefined);
  const best = bestAnswers(answers, candidates);
  const config: ParsedConfig = { domains: [domain] };
  for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
    const answer = best[protocol];
    steps.push({
      kind: 'probe',
      target: answer ? `${answer.candidate.host}:${answer.candidate.port}` : `${protocol} at ${[...new Set(candidates.filter((c) => c.protocol === protocol).map((c) => c.host))].join(', ')}`,
      outcome: answer ? 'found' : 'nothing',
    });
    if (answer) config[protocol] = { protocol, host: answer.candidate.host, port: answer.candidate.port, security: answer.security, username: email, signIn: ['password'] };
  }
  const origin = [config.imap, config.pop3].find((server) => server !== undefined);
  return origin ? { config, origin: `${origin.host}:${origin.port}` } : undefined;
}
