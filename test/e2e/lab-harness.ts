/**
 * Driving the Protocol Lab in Chromium, for the Lab's end-to-end tests: one
 * mailbox opened as POP3 and as IMAP, the Lab on screen, and ways to read
 * its columns, reports and verdicts by role and name as a user would.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestContext } from 'vitest';
import type { SeedTarget } from '../../demo/seed';
import type { Account, RetentionPolicy } from '../../shared/model';
import { mailStack } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor, serverFolder } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

let session: TwinboxSession | undefined;

/** The test's Twinbox, once openLab() opened it. */
export function labSession(): TwinboxSession {
  if (!session) throw new Error('openLab() first');
  return session;
}

/** For afterEach: closes the test's Twinbox; a crash in the page would leave the Lab blank, so no test passes over one. */
export async function closeLab(): Promise<void> {
  const pageErrors = session?.pageErrors ?? [];
  await session?.dispose();
  session = undefined;
  expect(pageErrors).toEqual([]);
}

export const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const SCENARIO_TIMEOUT = { timeout: 40_000 };

export interface OpenedLab {
  session: TwinboxSession;
  page: Page;
  lab: Locator;
  user: TestUser;
  imap: Account;
  pop3: Account;
}

export function seedTarget(user: TestUser): SeedTarget {
  const stack = mailStack();
  const imaps = stack.imaps;
  if (!imaps) throw new Error('the stack has no IMAPS');
  return { host: imaps.host, port: imaps.port, user: user.user, password: user.password, ...(stack.caPem ? { ca: stack.caPem } : {}), servername: stack.tlsServername };
}

export interface LabOptions {
  retention?: RetentionPolicy;
  /** The POP3 side's check interval (60 minutes unless a test waits for its own check). */
  pollMinutes?: number;
  demo?: boolean;
  /** After the accounts are saved, before the page opens. */
  beforeOpen?: (call: TwinboxSession['call'], accounts: { pop3: Account; imap: Account }) => Promise<void>;
  /** As soon as the page is open, before the Lab is: to listen for what happens from the start. */
  afterOpen?: (session: TwinboxSession) => void;
  beforeLab?: () => Promise<unknown>;
}

/** One mailbox opened as POP3 and as IMAP, the Lab open, both sides holding `expected` messages. */
export async function openLab(context: TestContext, user: TestUser, expected: number | { pop3: number; imap: number }, options: LabOptions = {}): Promise<OpenedLab> {
  let pop3: Account | undefined;
  let imap: Account | undefined;
  const opened = await openTwinbox({
    demo: options.demo ?? true,
    beforeOpen: async (call) => {
      pop3 = await call('accounts.save', {
        account: accountFor(context, user, 'pop3', { pop3: { retention: options.retention ?? { kind: 'keep' }, pollMinutes: options.pollMinutes ?? 60, headersOnly: false, maxMessageBytes: 0 } }),
        incomingPassword: user.password,
      });
      imap = await call('accounts.save', { account: accountFor(context, user, 'imap'), incomingPassword: user.password });
      await options.beforeOpen?.(call, { pop3, imap });
    },
  });
  session = opened;
  options.afterOpen?.(opened);
  const page = opened.page;
  await options.beforeLab?.();
  await page.getByRole('button', { name: 'Protocol Lab' }).click();
  const lab = page.getByRole('region', { name: 'Protocol Lab' });
  const counts = typeof expected === 'number' ? { pop3: expected, imap: expected } : expected;
  await expect.poll(() => column(lab, 'POP3 side').getByRole('option').count(), { timeout: 30_000 }).toBe(counts.pop3);
  await expect.poll(() => column(lab, 'IMAP side').getByRole('option').count(), { timeout: 30_000 }).toBe(counts.imap);
  return { session: opened, page, lab, user, pop3: pop3!, imap: imap! };
}

export function column(lab: Locator, name: 'POP3 side' | 'Server' | 'IMAP side'): Locator {
  return lab.getByRole('listbox', { name });
}

export function row(lab: Locator, name: 'POP3 side' | 'Server' | 'IMAP side', subject: string): Locator {
  return column(lab, name).getByRole('option', { name: new RegExp(escape(subject)) });
}

/**
 * Waits until the IMAP column shows each message read or unread as the server has it, so that the push of an earlier
 * change (on some servers a POP3 download marks mail read) has landed and cannot fall into the next scenario's report.
 */
export async function imapCaughtUp(lab: Locator, user: TestUser, tag: string, uids: readonly number[]): Promise<void> {
  const mismatches = async (): Promise<string[]> => {
    const server = await serverFolder(user);
    const wrong: string[] = [];
    for (const [index, uid] of uids.entries()) {
      const readOnServer = (server.get(String(uid)) ?? []).includes('\\seen');
      const label = await labelOf(row(lab, 'IMAP side', `${tag} message ${index + 1}`));
      if (label.startsWith('Read') !== readOnServer) wrong.push(`message ${index + 1}: "${label}", server ${readOnServer ? 'read' : 'unread'}`);
    }
    return wrong;
  };
  await expect.poll(mismatches, { timeout: 15_000 }).toEqual([]);
}

/** The text of a report card, for a failure to say what it showed instead. */
export async function expectLine(card: Locator, line: RegExp): Promise<void> {
  await card
    .getByText(line)
    .waitFor()
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the card said: ${await card.innerText({ timeout: 2000 }).catch(String)}`);
    });
}

export async function labelOf(locator: Locator): Promise<string> {
  return (await locator.getAttribute('aria-label')) ?? '';
}

export async function verdict(lab: Locator, pattern: RegExp): Promise<string> {
  const status = lab.getByRole('region', { name: 'Scenario result' }).getByRole('status', { name: 'Verdict' });
  await status.getByText(pattern).waitFor(SCENARIO_TIMEOUT);
  return status.innerText();
}

/** The measurements table's cells for one row, POP3 then IMAP. */
export async function measured(lab: Locator, what: string): Promise<string[]> {
  return lab.getByRole('table', { name: 'Measurements' }).getByRole('row', { name: new RegExp(`^${escape(what)}`) }).getByRole('cell').allInnerTexts();
}
