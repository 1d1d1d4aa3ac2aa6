import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, createSecureContext, rootCertificates } from 'node:tls';
import type { ConnectionOptions, PeerCertificate, SecureContext } from 'node:tls';
import type { CertificateInfo, ServerSettings } from '../../shared/model';

/**
 * TLS options for every connection Twinbox makes: the system's trusted
 * certificates, plus the one certificate the user trusted explicitly for this
 * server (if any). Verification is never switched off, and TLS 1.2 is the floor.
 */
export function tlsOptionsFor(server: Pick<ServerSettings, 'host' | 'trustedCertificate'>): ConnectionOptions {
  const pinned = server.trustedCertificate;
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    // SNI takes host names only.
    ...(isIP(server.host) === 0 ? { servername: server.host } : {}),
    ...(pinned
      ? {
          secureContext: contextTrusting(pinned.pem),
          // The trusted certificate is accepted for this server whatever names it carries;
          // any other certificate must match the host as usual.
          checkServerIdentity: (host: string, cert: PeerCertificate) =>
            normaliseFingerprint(cert.fingerprint256) === normaliseFingerprint(pinned.fingerprint256) ? undefined : checkServerIdentity(host, cert),
        }
      : {}),
  };
}

/**
 * One secure context per trusted certificate, made once: making one parses
 * the system's ~140 root certificates, about 45 ms, which every new
 * connection (and every POP3 check opens one) would otherwise pay again.
 */
const trustingContexts = new Map<string, SecureContext>();

function contextTrusting(pem: string): SecureContext {
  let context = trustingContexts.get(pem);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, pem], minVersion: 'TLSv1.2' });
    trustingContexts.set(pem, context);
  }
  return context;
}

/**
 * Makes the secure context a server will need now, so that the first
 * connection (the first screen of a sync) does not wait for it. Deferred to
 * the next turn of the event loop: it takes tens of milliseconds of CPU.
 */
export function prepareTls(server: Pick<ServerSettings, 'trustedCertificate'>): void {
  const pinned = server.trustedCertificate;
  if (pinned && !trustingContexts.has(pinned.pem)) setImmediate(() => contextTrusting(pinned.pem));
}

export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toUpperCase();
}

/** What the user sees before trusting a certificate. */
export function describeCertificate(pem: string, reason: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  return {
    fingerprint256: cert.fingerprint256,
    pem,
    subject: cert.subject.replaceAll('\n', ', '),
    issuer: cert.issuer.replaceAll('\n', ', '),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    altNames: (cert.subjectAltName ?? '')
      .split(',')
      .map((name) => name.trim().replace(/^(DNS|IP Address):/, ''))
      .filter((name) => name !== ''),
    reason,
  };
}

/** PEM text of a certificate as Node's TLS socket reports it. */
export function pemOf(cert: { raw: Buffer }): string {
  const base64 = cert.raw.toString('base64').replace(/(.{64})/g, '$1\n').trim();
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}
