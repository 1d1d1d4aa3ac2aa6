import { useId } from 'react';
import type { ConnectionTestResult, TestOutcome } from '../../../shared/contract';
import { TwinboxError } from '../../../shared/errors';
import type { WireError } from '../../../shared/errors';
import type { AdapterCapabilities, CertificateInfo, Protocol, TrustedCertificate } from '../../../shared/model';
import type { ServerRole } from './account-draft';

/** What each capability means to the user, in the order worth reading. */
const CAPABILITY_TEXT: [keyof AdapterCapabilities, string][] = [
  ['serverFolders', 'folders kept on the server'],
  ['serverFlags', 'read and flagged marks shared with your other devices'],
  ['push', 'new mail announced at once (IDLE)'],
  ['serverSearch', 'searching on the server'],
  ['changeTracking', 'quick resync of changes (CONDSTORE)'],
  ['vanishedTracking', 'quick resync of deletions (QRESYNC)'],
  ['atomicMove', 'moving messages in one step (MOVE)'],
  ['quota', 'storage quota'],
  ['append', 'keeping copies of sent mail on the server'],
  ['stableIds', 'message ids that never change, so nothing is downloaded twice'],
  ['partialFetch', 'downloading headers before the whole message'],
];

function offered(capabilities: AdapterCapabilities): string[] {
  return CAPABILITY_TEXT.filter(([key]) => capabilities[key]).map(([, text]) => text);
}

/** The result of a connection test, per server, with the way out of each failure. */
export function TestResults({
  result,
  protocol,
  trusted,
  onTrust,
}: {
  result: ConnectionTestResult;
  protocol: Protocol;
  trusted: Record<ServerRole, TrustedCertificate | undefined>;
  onTrust: (role: ServerRole, certificate: CertificateInfo) => void;
}): React.JSX.Element {
  return (
    <div className="accounts-results">
      <ServerResult
        title={`Incoming server (${protocol === 'imap' ? 'IMAP' : 'POP3'})`}
        outcome={result.incoming}
        trusted={trusted.incoming}
        onTrust={(certificate) => onTrust('incoming', certificate)}
      />
      {result.outgoing && (
        <ServerResult
          title="Outgoing server (SMTP)"
          outcome={result.outgoing}
          trusted={trusted.outgoing}
          onTrust={(certificate) => onTrust('outgoing', certificate)}
        />
      )}
    </div>
  );
}

function ServerResult({
  title,
  outcome,
  trusted,
  onTrust,
}: {
  title: string;
  outcome: TestOutcome;
  trusted: TrustedCertificate | undefined;
  onTrust: (certificate: CertificateInfo) => void;
}): React.JSX.Element {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className={`accounts-result ${outcome.ok ? 'ok' : 'failed'}`}>
      <h3 id={headingId}>{title}</h3>
      {outcome.ok ? <Success capabilities={outcome.capabilities} folders={outcome.folders} /> : <Failure error={outcome.error} trusted={trusted} onTrust={onTrust} />}
    </section>
  );
}

function Success({ capabilities, folders }: { capabilities: AdapterCapabilities | null; folders: number | null }): React.JSX.Element {
  const list = capabilities ? offered(capabilities) : [];
  return (
    <div role="status">
      <p className="accounts-ok">
        Connected and signed in.
        {capabilities === null && ' Mail can be sent through this server.'}
        {capabilities?.serverFolders && folders !== null && ` ${folders} ${folders === 1 ? 'folder' : 'folders'} on the server.`}
      </p>
      {capabilities && (
        <p>
          {list.length > 0 ? `The server offers: ${list.join('; ')}.` : 'The server offers none of the extensions Twinbox can use; the basics work.'}
          {!capabilities.serverFolders && ' Mail will live on this computer: the server is only a drop box.'}
        </p>
      )}
    </div>
  );
}

/** A failure in the user's words; the server's own text only under Details. */
export function Failure({
  error,
  trusted,
  onTrust,
}: {
  error: WireError;
  trusted?: TrustedCertificate | undefined;
  onTrust?: (certificate: CertificateInfo) => void;
}): React.JSX.Element {
  const failure = TwinboxError.fromWire(error);
  const certificate = failure.code === 'TLS_CERT_UNTRUSTED' ? failure.certificate : undefined;
  return (
    <div className="accounts-failure">
      <p role="alert" className="accounts-error">
        {failure.userText}
      </p>
      {certificate && onTrust && <CertificateDetails certificate={certificate} previouslyTrusted={trusted} onTrust={onTrust} />}
      {failure.code === 'TLS_CERT_UNTRUSTED' && !certificate && (
        <p>Twinbox could not read the server’s certificate, so it cannot be inspected or trusted from here.</p>
      )}
      {failure.message !== '' && failure.message !== failure.userText && (
        <details>
          <summary>Details</summary>
          <pre className="accounts-detail">{failure.message}</pre>
        </details>
      )}
    </div>
  );
}

function readableDate(text: string): string {
  const time = Date.parse(text);
  return Number.isNaN(time) ? text : new Date(time).toLocaleString();
}

function CertificateDetails({
  certificate,
  previouslyTrusted,
  onTrust,
}: {
  certificate: CertificateInfo;
  previouslyTrusted: TrustedCertificate | undefined;
  onTrust: (certificate: CertificateInfo) => void;
}): React.JSX.Element {
  const expired = Date.parse(certificate.validTo) < Date.now();
  return (
    <div className="accounts-certificate">
      {previouslyTrusted && previouslyTrusted.fingerprint256 !== certificate.fingerprint256 && (
        <p className="accounts-warning">This is not the certificate you trusted for this server before: its fingerprint is different.</p>
      )}
      <dl>
        <dt>Issued to</dt>
        <dd>{certificate.subject}</dd>
        <dt>Issued by</dt>
        <dd>{certificate.issuer}</dd>
        <dt>Valid from</dt>
        <dd>{readableDate(certificate.validFrom)}</dd>
        <dt>Valid until</dt>
        <dd>
          {readableDate(certificate.validTo)}
          {expired && ' (expired)'}
        </dd>
        <dt>Valid for</dt>
        <dd>{certificate.altNames.length > 0 ? certificate.altNames.join(', ') : 'no names listed'}</dd>
        <dt>SHA-256 fingerprint</dt>
        <dd>
          <code className="accounts-fingerprint">{certificate.fingerprint256}</code>
        </dd>
      </dl>
      <p>
        Before trusting it, check this fingerprint with your mail provider (on their support pages, or by asking them). If it does not match, someone may
        be intercepting the connection: do not trust it.
      </p>
      <button type="button" onClick={() => onTrust(certificate)}>
        Trust this certificate
      </button>
    </div>
  );
}
