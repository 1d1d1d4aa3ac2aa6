import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionTestResult, TestOutcome } from '../../../shared/contract';
import { TwinboxError } from '../../../shared/errors';
import type { WireError } from '../../../shared/errors';
import type { AdapterCapabilities, CertificateInfo, Protocol, TrustedCertificate } from '../../../shared/model';
import { errorText } from '../../i18n';
import { dateTime } from '../format';
import type { ServerRole } from './account-draft';

/** The capabilities worth naming, in the order worth reading; each is its own catalog key (test.capability.<name>). */
const CAPABILITIES = [
  'serverFolders',
  'serverFlags',
  'push',
  'serverSearch',
  'changeTracking',
  'vanishedTracking',
  'atomicMove',
  'quota',
  'append',
  'stableIds',
  'partialFetch',
] as const satisfies readonly (keyof AdapterCapabilities)[];

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
  const { t } = useTranslation('accounts');
  return (
    <div className="accounts-results">
      <ServerResult
        title={t('test.incoming', { protocol: protocol.toUpperCase() })}
        outcome={result.incoming}
        trusted={trusted.incoming}
        onTrust={(certificate) => onTrust('incoming', certificate)}
      />
      {result.outgoing && (
        <ServerResult
          title={t('test.outgoing')}
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
  const { t } = useTranslation('accounts');
  const list = capabilities ? CAPABILITIES.filter((key) => capabilities[key]).map((key) => t(`test.capability.${key}`)) : [];
  // Each sentence is translated whole; they follow one another with a space.
  return (
    <div role="status">
      <p className="accounts-ok">
        {t('test.connected')}
        {capabilities === null && ` ${t('test.canSend')}`}
        {capabilities?.serverFolders && folders !== null && ` ${t('test.folders', { count: folders })}`}
      </p>
      {capabilities && (
        <p>
          {list.length > 0 ? t('test.offers', { list: list.join('; ') }) : t('test.offersNone')}
          {!capabilities.serverFolders && ` ${t('test.dropBox')}`}
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
  const { t } = useTranslation('accounts');
  const failure = TwinboxError.fromWire(error);
  const certificate = failure.code === 'TLS_CERT_UNTRUSTED' ? failure.certificate : undefined;
  return (
    <div className="accounts-failure">
      <p role="alert" className="accounts-error">
        {errorText(failure)}
      </p>
      {certificate && onTrust && <CertificateDetails certificate={certificate} previouslyTrusted={trusted} onTrust={onTrust} />}
      {failure.code === 'TLS_CERT_UNTRUSTED' && !certificate && (
        <p>{t('test.unreadableCertificate')}</p>
      )}
      {/* The English sentence is what main puts as the message when it has no detail of its own: nothing more to show. */}
      {failure.message !== '' && failure.message !== failure.userText && (
        <details>
          <summary>{t('test.details')}</summary>
          <pre className="accounts-detail">{failure.message}</pre>
        </details>
      )}
    </div>
  );
}

function readableDate(text: string): string {
  const time = Date.parse(text);
  return Number.isNaN(time) ? text : dateTime(time);
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
  const { t } = useTranslation('accounts');
  // Expired as of when the details were shown: the clock is read once, not on every render.
  const [shownAt] = useState(() => Date.now());
  const expired = Date.parse(certificate.validTo) < shownAt;
  return (
    <div className="accounts-certificate">
      {previouslyTrusted && previouslyTrusted.fingerprint256 !== certificate.fingerprint256 && (
        <p className="accounts-warning">{t('certificate.changed')}</p>
      )}
      <dl>
        <dt>{t('certificate.issuedTo')}</dt>
        <dd>{certificate.subject}</dd>
        <dt>{t('certificate.issuedBy')}</dt>
        <dd>{certificate.issuer}</dd>
        <dt>{t('certificate.validFrom')}</dt>
        <dd>{readableDate(certificate.validFrom)}</dd>
        <dt>{t('certificate.validUntil')}</dt>
        <dd>
          {readableDate(certificate.validTo)}
          {expired && ` ${t('certificate.expired')}`}
        </dd>
        <dt>{t('certificate.validFor')}</dt>
        <dd>{certificate.altNames.length > 0 ? certificate.altNames.join(', ') : t('certificate.noNames')}</dd>
        <dt>{t('certificate.fingerprint')}</dt>
        <dd>
          <code className="accounts-fingerprint">{certificate.fingerprint256}</code>
        </dd>
      </dl>
      <p>{t('certificate.check')}</p>
      <button type="button" onClick={() => onTrust(certificate)}>
        {t('certificate.trust')}
      </button>
    </div>
  );
}
