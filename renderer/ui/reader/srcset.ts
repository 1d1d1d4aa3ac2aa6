/** One candidate of a srcset attribute: an address and its descriptor ("2x", "640w" or none). */
export interface SrcsetCandidate {
  url: string;
  descriptor: string;
}

const WHITESPACE = /[\t\n\f\r ]/;

/**
 * The candidates of a srcset, read as HTML reads them: an address runs to the
 * next whitespace (so the commas inside a data: URI belong to it), and a
 * descriptor runs to the next comma outside parentheses.
 */
export function parseSrcset(value: string): SrcsetCandidate[] {
  const candidates: SrcsetCandidate[] = [];
  let i = 0;
  const at = (index: number): string => value.charAt(index);
  while (i < value.length) {
    while (i < value.length && (WHITESPACE.test(at(i)) || at(i) === ',')) i++;
    if (i >= value.length) break;
    const start = i;
    while (i < value.length && !WHITESPACE.test(at(i))) i++;
    let url = value.slice(start, i);
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const from = i;
      let depth = 0;
      while (i < value.length) {
        const char = at(i);
        if (char === '(') depth++;
        else if (char === ')') depth = Math.max(0, depth - 1);
        else if (char === ',' && depth === 0) break;
        i++;
      }
      descriptor = value.slice(from, i).trim();
      i++;
    }
    if (url !== '') candidates.push({ url, descriptor: /^\d+(\.\d+)?[wx]$/.test(descriptor) ? descriptor : '' });
  }
  return candidates;
}

export function serializeSrcset(candidates: readonly SrcsetCandidate[]): string {
  return candidates.map((c) => (c.descriptor === '' ? c.url : `${c.url} ${c.descriptor}`)).join(', ');
}
