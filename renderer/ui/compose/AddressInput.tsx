import { useLiveQuery } from 'dexie-react-hooks';
import { useId, useState } from 'react';
import type { Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { contactAddress, suggestContacts } from '../../db/contacts';
import type { Contact } from '../../db/rows';
import { useApp } from '../app-context';
import { formatAddress } from './addresses';
import { completeRecipient, typedRecipient } from './completion';

/**
 * A To, Cc or Bcc field that completes the recipient being typed from the
 * address book (ARIA 1.2 combobox with a listbox popup): ArrowDown and
 * ArrowUp move through the suggestions, Enter or Tab takes one, Escape
 * closes them. The field stays a plain text field otherwise: its value is
 * the parent's, and what it does on change and blur is the parent's too.
 */
export function AddressInput({
  ref,
  id,
  value,
  invalid,
  describedBy,
  onChange,
  onBlur,
}: {
  ref?: Ref<HTMLInputElement>;
  id: string;
  value: string;
  invalid: boolean;
  describedBy: string | undefined;
  onChange: (value: string) => void;
  onBlur: () => void;
}): React.JSX.Element {
  const { db } = useApp();
  const { t } = useTranslation('compose');
  const listId = useId();
  /** What to complete: set only by typing (or ArrowDown), so that a field filled in for a reply opens nothing. */
  const [query, setQuery] = useState<{ text: string; exclude: string[] } | undefined>();
  const [active, setActive] = useState(0);
  // Live: contacts learnt while the list is open (the Sent folder read in the background, say) show up in it.
  const found = useLiveQuery(async () => (query ? suggestContacts(db, query.text, { exclude: query.exclude }) : []), [db, query], [] as Contact[]);
  // The address typed out in full needs no suggestion of itself.
  const suggestions = query && found.length === 1 && found[0]?.address === query.text.toLowerCase() ? [] : found;

  // Closed in the same render as the query goes, not one later when the effect has emptied the list.
  const open = query !== undefined && suggestions.length > 0;

  /** Every new query (or none) starts at its first suggestion. */
  function ask(next: { text: string; exclude: string[] } | undefined): void {
    setQuery(next);
    setActive(0);
  }
  const close = (): void => ask(undefined);

  function lookUp(text: string, caretAtEnd: boolean): void {
    const typed = typedRecipient(text);
    ask(caretAtEnd && typed.query !== '' ? { text: typed.query, exclude: typed.earlier } : undefined);
  }

  function accept(contact: Contact): void {
    onChange(completeRecipient(value, contactAddress(contact)));
    close();
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>): void {
    if (event.nativeEvent.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    const chosen = suggestions[active];
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (open) setActive((active + 1) % suggestions.length);
        else lookUp(value, event.currentTarget.selectionStart === value.length);
        break;
      case 'ArrowUp':
        if (!open) return;
        event.preventDefault();
        setActive((active - 1 + suggestions.length) % suggestions.length);
        break;
      case 'Enter':
      case 'Tab':
        if (!open || !chosen || event.shiftKey) return;
        // Focus stays here, ready for the next recipient (and the field's check on blur never sees half a name).
        event.preventDefault();
        accept(chosen);
        break;
      case 'Escape':
        if (!open) return;
        // Closes the suggestions, not the message.
        event.preventDefault();
        close();
        break;
    }
  }

  const optionId = (index: number): string => `${listId}-option-${index}`;
  return (
    <div className="address-input">
      <input
        ref={ref}
        id={id}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? optionId(active) : undefined}
        // The browser's own suggestions would cover these.
        autoComplete="off"
        spellCheck={false}
        // Names in a right-to-left script are typed right to left.
        dir="auto"
        value={value}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(event) => {
          onChange(event.target.value);
          lookUp(event.target.value, event.target.selectionStart === event.target.value.length);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          close();
          onBlur();
        }}
      />
      <ul id={listId} role="listbox" aria-label={t('field.suggestions')} className="address-suggestions" hidden={!open}>
        {suggestions.map((contact, index) => (
          <li
            key={contact.address}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'active' : undefined}
            // Keeps the focus (and the keyboard) in the field.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => accept(contact)}
            dir="auto"
          >
            {formatAddress(contactAddress(contact))}
          </li>
        ))}
      </ul>
    </div>
  );
}
