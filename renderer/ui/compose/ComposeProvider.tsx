import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { parseMailto } from '../../../shared/mailto';
import { Outbox } from '../../sync/outbox';
import { useApp } from '../app-context';
import { sameKey } from '../selection';
import { Composer } from './Composer';
import type { ComposeOutcome } from './Composer';
import { ComposeContext } from './compose-state';
import type { ComposeApi, ComposeRequest } from './compose-state';

interface Session {
  id: number;
  request: ComposeRequest;
}

interface Notice {
  id: number;
  /** Its catalog key: the note follows a change of language while it shows. */
  text: NonNullable<(typeof NOTICE_TEXT)[ComposeOutcome['kind']]>;
  /** Things that went wrong after the message was sent: they stay until dismissed. */
  problems: string[];
}

/** How long "Message sent" stays when nothing went wrong. */
const NOTICE_MS = 8_000;

const NOTICE_TEXT = {
  sent: 'outcome.sent',
  saved: 'outcome.saved',
  discarded: 'outcome.discarded',
  closed: undefined,
} as const satisfies Record<ComposeOutcome['kind'], string | undefined>;

/**
 * Hosts the composers: `useCompose().open(request)` opens one, and when it
 * ends, a short note says what became of the message (sent, saved, discarded)
 * and anything that went wrong after it was sent.
 */
export function ComposeProvider({ children }: { children: ReactNode }): React.JSX.Element {
  const { client, engine } = useApp();
  const { t } = useTranslation(['compose', 'common']);
  const outbox = useMemo(() => new Outbox(client, engine), [client, engine]);
  const [sessions, setSessions] = useState<Session[]>([]);
  const [notice, setNotice] = useState<Notice | undefined>();
  const nextId = useRef(1);

  const api = useMemo<ComposeApi>(
    () => ({
      open(request) {
        setSessions((current) => {
          // The same draft twice would save over itself from two places.
          if (request.kind === 'draft' && current.some((s) => s.request.kind === 'draft' && sameKey(s.request.message, request.message))) return current;
          return [...current, { id: nextId.current++, request }];
        });
      },
    }),
    [],
  );

  const finish = useCallback((session: Session, outcome: ComposeOutcome) => {
    setSessions((current) => current.filter((s) => s.id !== session.id));
    const text = NOTICE_TEXT[outcome.kind];
    const problems = outcome.kind === 'sent' || outcome.kind === 'discarded' ? outcome.problems : [];
    if (text !== undefined) setNotice({ id: nextId.current++, text, problems });
  }, []);

  // mailto: links opened with Twinbox (main keeps them until taken): each opens a composer, filled in.
  useEffect(() => {
    // Taken links are opened even if this effect was cleaned up meanwhile: main hands each out once.
    const takeLinks = (): void => {
      client.call('app.takeMailto', {}).then(
        (links) => {
          for (const link of links) {
            const prefill = parseMailto(link);
            if (prefill) api.open({ kind: 'new', prefill });
          }
        },
        () => undefined,
      );
    };
    const stop = client.on('app.mailto', takeLinks);
    takeLinks();
    return stop;
  }, [client, api]);

  useEffect(() => {
    if (!notice || notice.problems.length > 0) return;
    const timer = setTimeout(() => setNotice((current) => (current?.id === notice.id ? undefined : current)), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  return (
    <ComposeContext.Provider value={api}>
      {children}
      {sessions.map((session) => (
        <Composer key={session.id} request={session.request} outbox={outbox} onDone={(outcome) => finish(session, outcome)} />
      ))}
      <div className="compose-notices">
        <p role="status" aria-label={t('outcome.label')} className="compose-notice">
          {notice && t(notice.text)}
        </p>
        {notice && notice.problems.length > 0 && (
          <div role="alert" className="error-bar">
            {notice.problems.map((problem) => (
              <p key={problem}>{problem}</p>
            ))}
            <button type="button" onClick={() => setNotice(undefined)}>
              {t('common:dismiss')}
            </button>
          </div>
        )}
      </div>
    </ComposeContext.Provider>
  );
}
