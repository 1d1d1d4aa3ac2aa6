import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findInTree, findVisibleStrings, PAGE_SOURCES, pageSources } from './visible-strings';

const ROOT = resolve(import.meta.dirname, '../..');

describe('visible strings', () => {
  it('finds the views to check', () => {
    expect(pageSources(resolve(ROOT, 'renderer/ui')).length).toBeGreaterThan(40);
  });

  it('every word the page shows comes from the message catalog', () => {
    const found = PAGE_SOURCES.flatMap((path) => findInTree(resolve(ROOT, path)));
    expect(found.map((item) => `${item.file}:${item.line} [${item.rule}] ${item.text}`)).toEqual([]);
  });

  it('would catch text between tags, in shown attributes, in child expressions and in shown properties', () => {
    const source = `
      const a = <p>Hello there</p>;
      const b = <input placeholder="Search mail" className="search box" />;
      const c = <span>{busy ? 'Sending' : t('compose:send')}</span>;
      const d = { label: 'Archive', id: 'archive' };
      const f = <Field hint="Usually your address" id="user" />;
      const e = \`Could not move to \${folder}; it is back.\`;
    `;
    expect(findVisibleStrings('sample.tsx', source).map((item) => [item.rule, item.text])).toEqual([
      ['jsx-text', 'Hello there'],
      ['attribute', 'Search mail'],
      ['jsx-expression', 'Sending'],
      ['property', 'Archive'],
      ['attribute', 'Usually your address'],
      ['prose', 'Could not move to ; it is back.'],
    ]);
  });

  it('leaves keys, class names, module names, developer errors and exempted lines alone', () => {
    const source = `
      import { thing } from './Some Module';
      const a = <p className="row selected unread">{t('mail:list.empty')}</p>;
      const b = event.key === 'Enter';
      throw new Error('View used outside its provider');
      console.warn('Something odd happened here.');
      // i18n-exempt: a font family name
      const font = 'Segoe UI Symbol';
      type Kind = 'Sent Items';
    `;
    expect(findVisibleStrings('sample.tsx', source)).toEqual([]);
  });
});
