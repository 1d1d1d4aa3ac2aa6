import type { Locator } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import { rawMessage } from '../mailstack/fixtures';
import { closeLab, column, escape, openLab, SCENARIO_TIMEOUT } from './lab-harness';

/**
 * The Protocol Lab's figures in Chromium against the real Dovecot: each found
 * by its role and name, and the numbers of the table it carries for screen
 * readers checked against what the Lab shows beside it (the protocol log, the
 * Measurements table, the list of what falls due).
 */
afterEach(closeLab);

/** "12,345 B" → 12345. */
function bytesOf(text: string): number {
  const digits = /\(?([\d.,\s\u202f]+) B\)?$/.exec(text.trim())?.[1];
  if (digits === undefined) throw new Error(`no byte count in "${text}"`);
  return Number(digits.replace(/\D/g, ''));
}

interface LoggedLine {
  out: boolean;
  bytes: number;
}

/** The card's protocol log as the user reads it: opened, each line's arrow and bytes. */
async function protocolLog(card: Locator, side: 'POP3' | 'IMAP'): Promise<LoggedLine[]> {
  const list = card.getByRole('list', { name: `${side} side protocol log` });
  // A card stays open from one action to the next, and so does its log once opened.
  if (!(await list.isVisible())) await card.getByText(/^Protocol log \(\d+ lines?\)$/).click();
  const items = await list.getByRole('listitem').allInnerTexts();
  return items.map((text) => ({ out: text.trim().startsWith('→'), bytes: bytesOf(text) }));
}

/**
 * The side's figure, found by its name, its table read row by row against the log in the same card: each row (a line,
 * or a folded run of them) stands for the next lines of the log, with their commands and bytes; the totals are the log's.
 */
async function expectDiagramMatchesLog(card: Locator, side: 'POP3' | 'IMAP'): Promise<{ rows: number; lines: number }> {
  const name = `${side} side: what went over the wire`;
  const figure = card.getByRole('figure', { name });
  await figure.waitFor().catch(async (error: unknown) => {
    throw new Error(`${String(error)}; the card said: ${await card.innerText({ timeout: 2000 }).catch(String)}`);
  });
  expect(await figure.locator('svg').getAttribute('aria-hidden')).toBe('true');
  expect(await figure.locator('svg line').count()).toBeGreaterThan(2);
  const table = figure.getByRole('table', { name: `${name}, as a table` });
  const log = await protocolLog(card, side);
  expect(log.length).toBeGreaterThan(0);

  const rows = await table.locator('tbody').getByRole('row').all();
  let next = 0;
  for (const [index, row] of rows.entries()) {
    // Direction, what, lines, commands, bytes sent, bytes received, time.
    const [, , lines, commands, sent, received] = await row.getByRole('cell').allInnerTexts();
    const covered = log.slice(next, next + Number(lines));
    next += Number(lines);
    const mismatch = `row ${index + 1} of ${rows.length}`;
    expect(covered.filter((l) => l.out).length, mismatch).toBe(Number(commands));
    expect(covered.filter((l) => l.out).reduce((sum, l) => sum + l.bytes, 0), mismatch).toBe(bytesOf(sent!));
    expect(covered.filter((l) => !l.out).reduce((sum, l) => sum + l.bytes, 0), mismatch).toBe(bytesOf(received!));
  }
  expect(next).toBe(log.length);

  const [, , lines, commands, sent, received] = await table.getByRole('row', { name: /^Total/ }).getByRole('cell').allInnerTexts();
  expect(Number(lines)).toBe(log.length);
  expect(Number(commands)).toBe(log.filter((l) => l.out).length);
  expect(bytesOf(sent!)).toBe(log.filter((l) => l.out).reduce((sum, l) => sum + l.bytes, 0));
  expect(bytesOf(received!)).toBe(log.filter((l) => !l.out).reduce((sum, l) => sum + l.bytes, 0));
  return { rows: rows.length, lines: log.length };
}

describe('the Protocol Lab’s figures', () => {
  it('draws each side’s exchange with the server, and its table adds up to the protocol log in the same card', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2].map((i) => rawMessage(tag, i)));
    const { lab } = await openLab(context, user!, 2);

    await lab.getByRole('button', { name: 'New mail arrives' }).click();
    const report = lab.getByRole('region', { name: 'What happened' });
    await report.getByRole('heading', { name: /^New mail arrives: / }).waitFor(SCENARIO_TIMEOUT);
    // Both sides went to the server for it: POP3 to download it, IMAP to fetch what it was told of.
    await expectDiagramMatchesLog(report.getByRole('article', { name: 'POP3 side' }), 'POP3');
    await expectDiagramMatchesLog(report.getByRole('article', { name: 'IMAP side' }), 'IMAP');

    // Flagging sends nothing from POP3: no diagram there, and IMAP's shows its STORE.
    await column(lab, 'Server').getByRole('option', { name: new RegExp(escape(`${tag} message 1`)) }).click();
    await lab.getByRole('toolbar', { name: 'Lab actions' }).getByRole('button', { name: 'Flag', exact: true }).click();
    await report.getByRole('heading', { name: `Flag: “${tag} message 1”` }).waitFor(SCENARIO_TIMEOUT);
    const pop3Card = report.getByRole('article', { name: 'POP3 side' });
    await pop3Card.getByText(/^Commands: none: nothing went over the wire\./).waitFor();
    expect(await pop3Card.getByRole('figure').count()).toBe(0);
    const imapCard = report.getByRole('article', { name: 'IMAP side' });
    await expectDiagramMatchesLog(imapCard, 'IMAP');
    const imapTable = imapCard.getByRole('table', { name: 'IMAP side: what went over the wire, as a table' });
    expect(await imapTable.getByRole('row').filter({ hasText: 'UID STORE' }).count()).toBeGreaterThan(0);

    // The table is for screen readers first; on screen it shows on request.
    const toggle = imapCard.getByRole('button', { name: 'As a table' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect((await imapTable.boundingBox())?.height ?? 0).toBeGreaterThan(20);
  });

  it('after a scenario, charts the two modes with the numbers of the Measurements table', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const { lab } = await openLab(context, user!, 3);
    await lab.getByRole('button', { name: 'This computer died' }).click();
    const result = lab.getByRole('region', { name: 'Scenario result' });
    await result.getByRole('status', { name: 'Verdict' }).getByText(/POP3 got back/).waitFor(SCENARIO_TIMEOUT);

    const figure = result.getByRole('figure', { name: 'POP3 and IMAP compared' });
    expect(await figure.locator('svg').getAttribute('aria-hidden')).toBe('true');
    const chart = figure.getByRole('table', { name: 'POP3 and IMAP compared, as a table' });
    const measurements = result.getByRole('table', { name: 'Measurements' });
    const cells = (table: Locator, what: string): Promise<string[]> =>
      table.getByRole('row', { name: new RegExp(`^${escape(what)}`) }).getByRole('cell').allInnerTexts();
    const metrics = await chart.locator('tbody th').allInnerTexts();
    expect(metrics).toEqual(['Bytes down', 'Bytes up', 'Round trips', 'Time', 'Mail folder size']);
    for (const metric of metrics) expect(await cells(chart, metric), metric).toEqual(await cells(measurements, metric));
    // POP3 downloaded every message again, so it has a bar for what came down; a bar per side and measure at most.
    expect((await cells(chart, 'Bytes down'))[0]).not.toBe('0 B');
    expect(await figure.locator('svg rect').count()).toBeLessThanOrEqual(2 * metrics.length);
  });

  it('after advancing the Lab clock, shows when each message leaves the server, the same dates as the list', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const { lab } = await openLab(context, user!, 3);
    await lab.getByRole('spinbutton', { name: 'Days on the server' }).fill('3');
    await lab.getByRole('spinbutton', { name: 'Days to advance' }).fill('2');
    await lab.getByRole('button', { name: 'Advance the clock by 2 days' }).click();
    const plan = lab.getByRole('region', { name: 'Due on the server' });
    await plan.getByText(/would now delete nothing on the server\./).waitFor(SCENARIO_TIMEOUT);

    const figure = plan.getByRole('figure', { name: 'When each message leaves the server' });
    const timeline = figure.getByRole('table', { name: 'When each message leaves the server, as a table' });
    const dates = async (): Promise<string[]> => {
      const rows = await timeline.locator('tbody').getByRole('row').all();
      return Promise.all(rows.map(async (r) => `${await r.getByRole('rowheader').innerText()} — ${await r.getByRole('cell').innerText()}`));
    };
    const later = await plan.getByRole('list', { name: 'Falling due later' }).getByRole('listitem').allInnerTexts();
    expect(later).toHaveLength(3);
    expect((await dates()).sort()).toEqual([...later].sort());
    expect((await dates()).map((d) => d.split(' — ')[0]).sort()).toEqual([1, 2, 3].map((i) => `${tag} message ${i}`));
    // A mark per message in the picture, none of them due yet.
    expect(await figure.locator('svg circle').count()).toBe(3);
    expect(await figure.locator('svg rect').count()).toBe(0);

    // Two days on, all three are due: at now, the Lab clock's.
    await lab.getByRole('button', { name: 'Advance the clock by 2 days' }).click();
    await plan.getByRole('list', { name: 'Would be deleted on the server now' }).waitFor(SCENARIO_TIMEOUT);
    const now = /^With the Lab clock at (.+), the POP3 side would now delete/.exec(await plan.getByText(/^With the Lab clock at /).innerText())?.[1];
    expect(now).toBeDefined();
    expect((await dates()).sort()).toEqual([1, 2, 3].map((i) => `${tag} message ${i} — ${now!} (due now)`));
    expect(await figure.locator('svg rect').count()).toBe(3);
    expect(await figure.locator('svg circle').count()).toBe(0);
  });
});
