/**
 * mailto: links the system hands to Twinbox (at start, from a second
 * launch, or macOS's open-url), kept until a page takes them: a link may
 * come before any window is ready, and each must open one composer, not one
 * per window or none.
 */
import { parseMailto } from '../shared/mailto';
import type { EventBus } from './events';

/** More than anyone would open at once; beyond, the oldest are dropped. */
const MAX_PENDING = 20;

export class MailtoLinks {
  private pending: string[] = [];

  constructor(private readonly events: EventBus) {}

  /** Keeps a link that reads as one (anything else in a command line is not for us) and tells the pages. */
  deliver(link: string): boolean {
    if (parseMailto(link) === undefined) return false;
    this.pending = [...this.pending, link.trim()].slice(-MAX_PENDING);
    this.events.emit('app.mailto', {});
    return true;
  }

  /** The links not taken yet, handed out once. */
  take(): string[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}

/** The mailto: links among a command line's arguments (Windows and Linux pass the link as one). */
export function mailtoArguments(argv: readonly string[]): string[] {
  return argv.filter((argument) => /^mailto:/i.test(argument));
}
