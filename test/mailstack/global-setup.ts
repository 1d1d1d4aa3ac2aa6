import type { TestProject } from 'vitest/node';
import { externalServerRequested, externalStackFromEnv } from './external-stack';
import { startLocalMailStack } from './local-stack';
import type { MailStackInfo } from './types';

declare module 'vitest' {
  export interface ProvidedContext {
    mailStack: MailStackInfo;
  }
}

/**
 * One mail stack per test run, shared by every project that lists this file:
 * vitest calls a project's global setup once per project, in one Node
 * process, so a reference count on globalThis keeps it to one stack.
 */
interface AcquiredStack {
  info: MailStackInfo;
  /** Present when this run started the servers and so must stop them. */
  stop?: () => Promise<void>;
}

interface SharedStack {
  users: number;
  ready: Promise<AcquiredStack>;
}

const KEY = Symbol.for('twinbox.mailStack');
type WithShared = typeof globalThis & { [KEY]?: SharedStack };

async function acquire(): Promise<AcquiredStack> {
  if (externalServerRequested(process.env)) return { info: externalStackFromEnv(process.env) };
  const startedAt = Date.now();
  const local = await startLocalMailStack();
  const { info } = local;
  console.info(
    `mail stack up in ${Date.now() - startedAt} ms: IMAP ${info.imap?.port}, IMAPS ${info.imaps?.port}, ` +
      `POP3 ${info.pop3?.port}, POP3S ${info.pop3s?.port}, SMTP ${info.smtp?.port ?? '-'}, SMTPS ${info.smtps?.port ?? '-'}`,
  );
  return { info, stop: () => local.stop() };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scope = globalThis as WithShared;
  const shared = (scope[KEY] ??= { users: 0, ready: acquire() });
  shared.users++;
  project.provide('mailStack', (await shared.ready).info);
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    scope[KEY] = undefined;
    await (await shared.ready).stop?.();
  };
}
