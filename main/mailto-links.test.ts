import { describe, expect, it } from 'vitest';
import { EventBus } from './events';
import { mailtoArguments, MailtoLinks } from './mailto-links';

describe('mailto: links handed to Twinbox', () => {
  it('keeps each link until a page takes it, hands it out once, and tells the pages', () => {
    const events = new EventBus();
    const told: string[] = [];
    events.subscribe((event) => told.push(event));
    const links = new MailtoLinks(events);
    expect(links.deliver('mailto:a@example.org?subject=One')).toBe(true);
    expect(links.deliver(' mailto:b@example.org ')).toBe(true);
    expect(told).toEqual(['app.mailto', 'app.mailto']);
    expect(links.take()).toEqual(['mailto:a@example.org?subject=One', 'mailto:b@example.org']);
    expect(links.take()).toEqual([]);
  });

  it('ignores what is not a mailto: link, and keeps only the newest when many pile up', () => {
    const links = new MailtoLinks(new EventBus());
    expect(links.deliver('--inspect=9229')).toBe(false);
    expect(links.deliver('mailto:a@example.org?subject=%E0%A4%A')).toBe(false);
    for (let i = 1; i <= 25; i++) links.deliver(`mailto:n${i}@example.org`);
    const taken = links.take();
    expect(taken).toHaveLength(20);
    expect(taken[0]).toBe('mailto:n6@example.org');
  });

  it('finds the links in a command line', () => {
    expect(mailtoArguments(['/opt/Twinbox/twinbox', '--no-sandbox', 'MAILTO:a@example.org', 'mailto:b@example.org'])).toEqual(['MAILTO:a@example.org', 'mailto:b@example.org']);
  });
});
