import { Circle, Flag } from 'lucide-react';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { t as translate } from '../../i18n';
import { Icon } from '../icon';

/** One row of a Lab column; `id` is the message's identity, which is what matches rows across the columns. */
export interface LabItem {
  id: string;
  /** What a screen reader says: state first, then the subject and where it is. */
  label: string;
  subject: string;
  unread: boolean;
  flagged: boolean;
  /** A short remark shown under the subject ("only on this computer"). */
  remark?: string;
}

/**
 * A Lab column's messages. Choosing a row chooses that message in every
 * column (they are matched by identity). A few hundred rows at most (the
 * server view stops at 500), so no virtualisation.
 */
export function LabList({
  label,
  items,
  selected,
  onSelect,
  emptyText,
}: {
  label: string;
  items: readonly LabItem[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  emptyText: string;
}): React.JSX.Element {
  const { t } = useTranslation('common');
  const list = useRef<HTMLUListElement>(null);
  const at = items.findIndex((item) => item.id === selected);

  function onKeyDown(event: React.KeyboardEvent): void {
    const next = event.key === 'ArrowDown' ? at + 1 : event.key === 'ArrowUp' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? items.length - 1 : undefined;
    if (next === undefined || items.length === 0) return;
    event.preventDefault();
    const item = items[Math.max(0, Math.min(items.length - 1, next))];
    if (!item) return;
    onSelect(item.id);
    list.current?.querySelector(`[data-index="${items.indexOf(item)}"]`)?.scrollIntoView({ block: 'nearest' });
  }

  return (
    <ul
      ref={list}
      className="lab-list"
      role="listbox"
      aria-label={label}
      tabIndex={0}
      aria-activedescendant={at >= 0 ? optionId(label, at) : undefined}
      onKeyDown={onKeyDown}
    >
      {items.length === 0 && (
        <li role="presentation" className="empty">
          {emptyText}
        </li>
      )}
      {items.map((item, index) => (
        <li
          key={`${item.id}\u0000${index}`}
          id={optionId(label, index)}
          data-index={index}
          role="option"
          aria-selected={item.id === selected}
          aria-label={item.label}
          className={`lab-row${item.unread ? ' unread' : ''}${item.id === selected ? ' selected' : ''}`}
          onClick={() => onSelect(item.id)}
        >
          <span className="marks" aria-hidden="true">
            {item.unread && <Icon icon={Circle} size={8} filled className="mark-unread" />}
            {item.flagged && <Icon icon={Flag} size={12} filled className="mark-flagged" />}
          </span>
          <span className="lab-subject" dir="auto">
            {item.subject || t('noSubject')}
          </span>
          {item.remark && <span className="lab-remark">{item.remark}</span>}
        </li>
      ))}
    </ul>
  );
}

function optionId(label: string, index: number): string {
  return `lab-${label.replace(/\W+/g, '-').toLowerCase()}-${index}`;
}

/** "Unread, flagged. Subject": how every Lab column names a message. */
export function describeItem(unread: boolean, flagged: boolean, subject: string, where?: string): string {
  const state = translate(unread ? (flagged ? 'lab:item.unreadFlagged' : 'lab:item.unread') : flagged ? 'lab:item.readFlagged' : 'lab:item.read');
  const shown = subject || translate('common:noSubject');
  return where ? translate('lab:item.labelWhere', { state, subject: shown, where }) : translate('lab:item.label', { state, subject: shown });
}
