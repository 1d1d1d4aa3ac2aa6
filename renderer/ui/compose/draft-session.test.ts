import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TwinboxError } from '../../../shared/errors';
import type { OutgoingMessage } from '../../../shared/model';
import type { DraftRef, Outbox, SendOptions, SendOutcome } from '../../sync/outbox';
import { DraftSession } from './draft-session';
import type { DraftStatus } from './draft-session';

/** An outbox that keeps drafts in memory and can be told to be slow or to fail. */
class MemoryOutbox implements Pick<Outbox, 'saveDraft' | 'send' | 'discardDraft'> {
  readonly saved: { subject: string; replaced: string | null }[] = [];
  readonly sent: { subject: string; options: SendOptions }[] = [];
  readonly discarded: DraftRef[] = [];
  saveDelayMs = 0;
  failSaves = false;
  private next = 1;

  async saveDraft(accountId: string, message: OutgoingMessage, previous: DraftRef | undefined): Promise<DraftRef> {
    if (this.saveDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.saveDelayMs));
    if (this.failSaves) throw new TwinboxError('QUOTA_EXCEEDED', 'full');
    this.saved.push({ subject: message.subject, replaced: previous?.serverId ?? null });
    return { accountId, folder: 'Drafts', where: 'server', serverId: String(this.next++), stale: [] };
  }

  send(_accountId: string, message: OutgoingMessage, options: SendOptions = {}): Promise<SendOutcome> {
    this.sent.push({ subject: message.subject, options });
    return Promise.resolve({ sent: { messageId: 'x@example.org', accepted: [], rejected: [] }, copy: undefined, problems: [] } as unknown as SendOutcome);
  }

  discardDraft(draft: DraftRef): Promise<void> {
    this.discarded.push(draft);
    return Promise.resolve();
  }
}

function message(subject: string): OutgoingMessage {
  return { from: { name: '', address: 'me@example.org' }, to: [], cc: [], bcc: [], replyTo: [], subject, text: '', references: [], attachments: [] };
}

let subject = 'one';
let statuses: DraftStatus[] = [];
let outbox: MemoryOutbox;

function session(options: ConstructorParameters<typeof DraftSession>[3] = {}): DraftSession {
  return new DraftSession(outbox, () => ({ accountId: 'acct', message: message(subject) }), (status) => statuses.push(status), { autosaveMs: 1000, now: () => 42, ...options });
}

beforeEach(() => {
  vi.useFakeTimers();
  subject = 'one';
  statuses = [];
  outbox = new MemoryOutbox();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a message being written', () => {
  it('saves by itself once changes pause, each save replacing the last', async () => {
    const draft = session();
    draft.changed();
    await vi.advanceTimersByTimeAsync(900);
    subject = 'two';
    draft.changed();
    await vi.advanceTimersByTimeAsync(900);
    expect(outbox.saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(outbox.saved).toEqual([{ subject: 'two', replaced: null }]);
    subject = 'three';
    draft.changed();
    await vi.advanceTimersByTimeAsync(1000);
    expect(outbox.saved).toEqual([
      { subject: 'two', replaced: null },
      { subject: 'three', replaced: '1' },
    ]);
    expect(statuses.at(-1)).toEqual({ kind: 'saved', at: 42 });
    expect(draft.unsaved).toBe(false);
  });

  it('saves nothing by itself while held (sending, or asking whether to discard)', async () => {
    const draft = session();
    draft.hold(true);
    draft.changed();
    await vi.advanceTimersByTimeAsync(5000);
    expect(outbox.saved).toEqual([]);
    draft.hold(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(outbox.saved).toHaveLength(1);
  });

  it('runs one save at a time, and sends only after the save under way, naming the draft and the answered message', async () => {
    outbox.saveDelayMs = 500;
    const draft = session({ answering: ['acct', 'INBOX', '7'] });
    draft.changed();
    const first = draft.save();
    subject = 'two';
    draft.changed();
    const second = draft.save();
    const sending = draft.send('acct', message('final'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    await sending;
    expect(outbox.saved).toEqual([
      { subject: 'one', replaced: null },
      { subject: 'two', replaced: '1' },
    ]);
    expect(outbox.sent).toEqual([{ subject: 'final', options: { draft: expect.objectContaining({ serverId: '2' }) as unknown, answering: ['acct', 'INBOX', '7'] } }]);
  });

  it('says why a save failed, keeps the changes unsaved, and asks before closing', async () => {
    outbox.failSaves = true;
    const draft = session();
    draft.changed();
    expect(await draft.save()).toBe(false);
    expect(statuses.at(-1)).toEqual({ kind: 'failed', text: 'The mailbox is full. Delete some messages, or empty the Trash, and try again.' });
    expect(draft.unsaved).toBe(true);
    expect(await draft.closeDecision()).toBe('ask');
  });

  it('closes without asking when nothing was written, or when the last save holds everything', async () => {
    expect(await session().closeDecision()).toBe('closed');
    const draft = session();
    draft.changed();
    await draft.save();
    expect(await draft.closeDecision()).toBe('saved');
    // Asked while the save of the last change is under way: no question once it is done.
    outbox.saveDelayMs = 300;
    draft.changed();
    const saving = draft.save();
    const decision = draft.closeDecision();
    await vi.advanceTimersByTimeAsync(300);
    await saving;
    expect(await decision).toBe('saved');
  });

  it('discards its saved draft once the save under way is done, and says what could not be removed', async () => {
    const draft = session();
    draft.changed();
    await draft.save();
    expect(await draft.discard()).toEqual([]);
    expect(outbox.discarded.map((d) => d.serverId)).toEqual(['1']);
    outbox.discardDraft = () => Promise.reject(new TwinboxError('CONNECTION_LOST', 'gone'));
    expect((await draft.discard())[0]).toMatch(/^The draft could not be removed from Drafts\. /);
  });

  it('without an account to save in, says so and saves nothing', async () => {
    const draft = new DraftSession(outbox, () => undefined, (status) => statuses.push(status), { autosaveMs: 1000 });
    draft.changed();
    expect(await draft.save()).toBe(false);
    expect(statuses).toEqual([{ kind: 'failed', text: 'Choose the account to save the draft in.' }]);
    expect(outbox.saved).toEqual([]);
  });
});
