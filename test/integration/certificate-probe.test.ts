import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { probeCertificate } from '../../main/protocols/certificate-probe';
import { mailStack, requireEndpoint, skipBecause } from '../mailstack';

/**
 * Before trusting a certificate, the user sees it: the probe reaches the
 * certificate on every kind of port (implicit TLS and each protocol's
 * upgrade command) without logging in.
 */
describe('reading an untrusted server certificate', () => {
  it.for([
    ['imaps', 'imap', 'tls'],
    ['imap', 'imap', 'starttls'],
    ['pop3s', 'pop3', 'tls'],
    ['pop3', 'pop3', 'starttls'],
    ['smtps', 'smtp', 'tls'],
    ['smtp', 'smtp', 'starttls'],
  ] as const)('on %s', async ([endpointName, protocol, security], context) => {
    const stack = mailStack();
    if (!stack.caPem) skipBecause(context, 'the server’s certificate is publicly trusted; there is nothing to probe');
    const endpoint = requireEndpoint(context, endpointName);
    const info = await probeCertificate({ ...endpoint, security }, protocol);
    expect(info?.fingerprint256).toBe(new X509Certificate(stack.caPem).fingerprint256);
    expect(info?.subject).toContain('CN=localhost');
    expect(info?.altNames).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    expect(info?.reason).toMatch(/SELF_SIGNED/);
    expect(new Date(info!.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it('gives nothing for a port without TLS behind it', async (context) => {
    const endpoint = requireEndpoint(context, 'imap');
    expect(await probeCertificate({ ...endpoint, security: 'tls' }, 'imap', 2000)).toBeUndefined();
  });
});
