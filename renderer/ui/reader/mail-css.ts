/**
 * The CSS of a mail, with every address it would fetch resolved or removed.
 * CSS is read by the browser's own parser (a constructed style sheet, which
 * fetches nothing and ignores @import) and written back from what it
 * understood: escapes such as `u\72l(` come back as plain `url("…")`, so what
 * is checked is exactly what the frame would load.
 */

/** What an address in CSS becomes: a data: URI to show, or undefined to drop the declaration. */
export type CssResolver = (url: string, kind: 'image' | 'font') => string | undefined;

// The rules a mail's style may keep; anything else (@property, @import, @font-feature-values…) is dropped.
const KEPT_RULES = new Set([
  'CSSStyleRule',
  'CSSMediaRule',
  'CSSSupportsRule',
  'CSSFontFaceRule',
  'CSSKeyframesRule',
  'CSSKeyframeRule',
  'CSSPageRule',
  'CSSMarginRule',
  'CSSContainerRule',
  'CSSLayerBlockRule',
  'CSSLayerStatementRule',
  'CSSNestedDeclarations',
  'CSSScopeRule',
  'CSSStartingStyleRule',
]);

const URL_FUNCTION = /url\(\s*(?:"((?:[^"\\]|\\[\s\S])*)"|'((?:[^'\\]|\\[\s\S])*)'|([^)"'\s]*))\s*\)/gi;
// Functions that take an address, or a string that becomes one (image-set("…"), src("…")).
const TAKES_ADDRESS = /url\(|image-set\(|image\(|src\(|cross-fade\(/i;
// Values substituted only when the style is applied: they could assemble an address the parser never saw.
const SUBSTITUTED = /var\(|attr\(|env\(/i;
// Without any of these, a declaration list cannot name an address (function names cannot be split by comments).
const MIGHT_FETCH = /url|image|src|\\|var\(|attr\(|env\(|@import/i;

/** A style sheet (the text of a <style>), rewritten; safe to put back between <style> tags. */
export function rewriteStyleSheet(css: string, resolve: CssResolver): string {
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(css);
  } catch {
    return '';
  }
  const kept: string[] = [];
  for (const rule of Array.from(sheet.cssRules)) {
    if (!rewriteRule(rule, resolve)) continue;
    const text = rule.cssText;
    if (!fetchesSomething(text)) kept.push(text);
  }
  // "</style>" inside a string would end the element when the frame parses it; \3c is the same "<" to CSS.
  return kept.join('\n').replace(/</g, '\\3c ');
}

/** A style attribute's declarations, rewritten; '' when nothing is left. */
export function rewriteDeclarations(text: string, resolve: CssResolver): string {
  if (!MIGHT_FETCH.test(text)) return text;
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(`*{${text}}`);
  } catch {
    return '';
  }
  const rule = sheet.cssRules[0];
  if (!(rule instanceof CSSStyleRule) || rule.selectorText !== '*') return '';
  rewriteStyle(rule.style, resolve, 'image');
  const result = rule.style.cssText;
  return fetchesSomething(result) ? '' : result;
}

/** False when the rule must go. Nested rules are rewritten in place. */
function rewriteRule(rule: CSSRule, resolve: CssResolver): boolean {
  const kind = Object.prototype.toString.call(rule).slice(8, -1);
  if (!KEPT_RULES.has(kind)) return false;
  const style = (rule as CSSRule & { style?: unknown }).style;
  if (style instanceof CSSStyleDeclaration) rewriteStyle(style, resolve, kind === 'CSSFontFaceRule' ? 'font' : 'image');
  const group = rule as CSSRule & { cssRules?: unknown; deleteRule?: unknown };
  if (group.cssRules instanceof CSSRuleList) {
    const children = Array.from(group.cssRules);
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child === undefined || rewriteRule(child, resolve)) continue;
      // A keyframe cannot be deleted by index; its remote addresses are already gone, which is what matters.
      if (typeof group.deleteRule === 'function' && kind !== 'CSSKeyframesRule') (group.deleteRule as (index: number) => void).call(rule, i);
      else return false;
    }
  }
  return true;
}

function rewriteStyle(style: CSSStyleDeclaration, resolve: CssResolver, kind: 'image' | 'font'): void {
  const names = Array.from({ length: style.length }, (_, i) => style.item(i));
  for (const name of names) {
    const value = style.getPropertyValue(name);
    const next = rewriteValue(name, value, resolve, kind);
    if (next === value) continue;
    const priority = style.getPropertyPriority(name);
    style.removeProperty(name);
    if (next !== undefined) style.setProperty(name, next, priority);
  }
}

function rewriteValue(name: string, value: string, resolve: CssResolver, kind: 'image' | 'font'): string | undefined {
  // Custom properties keep their text as written (escapes included) until var() puts it somewhere, and a
  // string in one becomes an address in image-set(var(…)): anything that could spell an address goes.
  if (name.startsWith('--')) return /\\|\/\//.test(value) || TAKES_ADDRESS.test(value) ? undefined : value;
  if (SUBSTITUTED.test(value) && TAKES_ADDRESS.test(value)) return undefined;
  if (!/url\(/i.test(value)) return value;
  const refused: string[] = [];
  const rewritten = value.replace(URL_FUNCTION, (match, quoted?: string, single?: string, bare?: string) => {
    const resolved = resolve(unescapeCss(quoted ?? single ?? bare ?? ''), kind);
    if (resolved !== undefined) return `url("${escapeCssString(resolved)}")`;
    refused.push(match);
    return 'none';
  });
  return refused.length > 0 ? undefined : rewritten;
}

/** Whether serialized CSS still names anything but a data: URI. */
export function fetchesSomething(css: string): boolean {
  if (/@import/i.test(css)) return true;
  for (const match of css.matchAll(/url\(\s*/gi)) {
    const start = match.index + match[0].length;
    const rest = css.slice(start, start + 6).toLowerCase();
    if (rest !== '"data:') return true;
  }
  return /image-set\(\s*["']|src\(/i.test(css);
}

function unescapeCss(text: string): string {
  return text.replace(/\\([0-9a-fA-F]{1,6})[\t\n\f\r ]?|\\([\s\S])/g, (_match, hex?: string, char?: string) => {
    if (hex === undefined) return char === '\n' ? '' : (char ?? '');
    const code = parseInt(hex, 16);
    return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\ufffd' : String.fromCodePoint(code);
  });
}

function escapeCssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&').replace(/[\n\r\f]/g, (char) => `\\${char.charCodeAt(0).toString(16)} `);
}
