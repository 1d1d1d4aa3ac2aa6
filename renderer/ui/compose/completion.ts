/**
 * Completing the recipient being typed: the text after the last separator
 * (outside quotes and angle brackets) is what is completed; what comes
 * before stays exactly as typed.
 */
import type { Address } from '../../../shared/model';
import { formatAddress, parseAddressList } from './addresses';

export interface TypedRecipient {
  /** Everything up to and including the last separator. */
  before: string;
  /** What is being typed after it, trimmed, without an opening quote. */
  query: string;
  /** The addresses already written before it, so that they are not offered again. */
  earlier: string[];
}

export function typedRecipient(value: string): TypedRecipient {
  let quoted = false;
  let angled = false;
  let cut = -1;
  for (let i = 0; i < value.length; i++) {
    const char = value.charAt(i);
    if (char === '\\' && quoted) {
      i++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angled = true;
    else if (char === '>' && !quoted) angled = false;
    else if ((char === ',' || char === ';') && !quoted && !angled) cut = i;
  }
  const before = value.slice(0, cut + 1);
  const query = value
    .slice(cut + 1)
    .trim()
    .replace(/^"/, '')
    .trim();
  return { before, query, earlier: parseAddressList(before).addresses.map((address) => address.address.toLowerCase()) };
}

/** The field with the typed recipient replaced by this address, ready for the next one. */
export function completeRecipient(value: string, address: Address): string {
  const { before } = typedRecipient(value);
  const head = before.trimEnd();
  return `${head === '' ? '' : `${head} `}${formatAddress(address)}, `;
}
