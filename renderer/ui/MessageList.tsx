import { useVirtualizer } from '@tanstack/react-virtual';
import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useRef } from 'react';
import type { CachedMessage } from '../db/schema';
import { keyOf } from '../db/writer';
import type { MessageKey } from '../db/writer';
import { useApp } from './app-context';
import { listDate, senderName } from './format';
import type { FolderRef } from './selection';
import { keyId } from './selection';

const ROW_HEIGHT = 56;
/** Rows are read from the cache in blocks, so scrolling re-queries only when it crosses a block. */
const BLOCK = 100;

export interface ListSelection {
  /** Index of the row with keyboard focus (and the one the reader shows). */
  focus: number;
  /** Index where a shift-selection started. */
  anchor: number;
  keys: MessageKey[];
}

export const EMPTY_SELECTION: ListSelection = { focus: -1, anchor: -1, keys: [] };

/**
 * The message list of one folder, newest first, virtualised: only the rows
 * on screen are in the page, read from the cache a block at a time, so a
 * folder of 100,000 messages scrolls like one of 100.
 */
export function MessageList({
  folder,
  selection,
  onSelection,
  onOpen,
  onDelete,
}: {
  folder: FolderRef;
  selection: ListSelection;
  onSelection: (selection: ListSelection) => void;
  onOpen: (key: MessageKey) => void;
  onDelete: () => void;
}): React.JSX.Element {
  const { db } = useApp();
  const scroller = useRef<HTMLDivElement>(null);
  const range = useCallback(
    () => db.messages.where('[accountId+folder+sortDate]').between([folder.accountId, folder.path, -Infinity], [folder.accountId, folder.path, Infinity]),
    [db, folder.accountId, folder.path],
  );
  const count = useLiveQuery(() => range().count(), [range], 0);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 15 });
  const items = virtualizer.getVirtualItems();
  const firstVisible = items[0]?.index ?? 0;
  const lastVisible = items[items.length - 1]?.index ?? 0;
  const blockStart = Math.floor(firstVisible / BLOCK) * BLOCK;
  const blockEnd = (Math.floor(lastVisible / BLOCK) + 1) * BLOCK;
  const rows = useLiveQuery(() => range().reverse().offset(blockStart).limit(blockEnd - blockStart).toArray(), [range, blockStart, blockEnd]);
  const rowAt = (index: number): CachedMessage | undefined => rows?.[index - blockStart];

  // Keep the focused row in view when the keyboard moves it.
  useEffect(() => {
    if (selection.focus >= 0) virtualizer.scrollToIndex(selection.focus, { align: 'auto' });
  }, [selection.focus, virtualizer]);

  const selected = new Set(selection.keys.map(keyId));

  async function keysBetween(from: number, to: number): Promise<MessageKey[]> {
    const low = Math.min(from, to);
    const high = Math.max(from, to);
    const between = await range().reverse().offset(low).limit(high - low + 1).toArray();
    return between.map(keyOf);
  }

  async function moveFocus(index: number, extend: boolean): Promise<void> {
    const target = Math.max(0, Math.min(count - 1, index));
    if (count === 0) return;
    const [row] = await range().reverse().offset(target).limit(1).toArray();
    if (!row) return;
    if (extend) {
      const anchor = selection.anchor >= 0 ? selection.anchor : target;
      onSelection({ focus: target, anchor, keys: await keysBetween(anchor, target) });
    } else {
      onSelection({ focus: target, anchor: target, keys: [keyOf(row)] });
      onOpen(keyOf(row));
    }
  }

  function onKeyDown(event: React.KeyboardEvent): void {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: selection.focus + 1,
      ArrowUp: selection.focus - 1,
      PageDown: selection.focus + page,
      PageUp: selection.focus - page,
      Home: 0,
      End: count - 1,
    };
    const next = moves[event.key];
    if (next !== undefined) {
      event.preventDefault();
      void moveFocus(selection.focus < 0 && event.key === 'ArrowDown' ? 0 : next, event.shiftKey);
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      onDelete();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const row = rowAt(selection.focus);
      if (row) onOpen(keyOf(row));
    }
  }

  async function onRowClick(event: React.MouseEvent, index: number, row: CachedMessage): Promise<void> {
    const key = keyOf(row);
    if (event.shiftKey && selection.anchor >= 0) {
      onSelection({ focus: index, anchor: selection.anchor, keys: await keysBetween(selection.anchor, index) });
    } else if (event.ctrlKey || event.metaKey) {
      const id = keyId(key);
      const keys = selected.has(id) ? selection.keys.filter((k) => keyId(k) !== id) : [...selection.keys, key];
      onSelection({ focus: index, anchor: index, keys });
    } else {
      onSelection({ focus: index, anchor: index, keys: [key] });
      onOpen(key);
    }
  }

  const focusedRow = rowAt(selection.focus);
  return (
    <div
      ref={scroller}
      className="message-list"
      role="listbox"
      aria-label="Messages"
      aria-multiselectable="true"
      aria-activedescendant={focusedRow ? optionId(focusedRow) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      {count === 0 && <p className="empty">No messages in this folder.</p>}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const row = rowAt(item.index);
          const isSelected = row !== undefined && selected.has(keyId(keyOf(row)));
          return (
            <div
              key={item.key}
              id={row ? optionId(row) : undefined}
              role="option"
              aria-selected={isSelected}
              aria-setsize={count}
              aria-posinset={item.index + 1}
              aria-label={row ? describe(row) : 'Loading…'}
              className={`message-row${row?.seen === 0 ? ' unread' : ''}${isSelected ? ' selected' : ''}${item.index === selection.focus ? ' focused' : ''}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}
              onClick={(event) => row && void onRowClick(event, item.index, row)}
            >
              {row && <MessageRow row={row} />}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function optionId(row: CachedMessage): string {
  return `message-${encodeURIComponent(keyId(keyOf(row)))}`;
}

/** What a screen reader says for a row: state first, then who, what, when. */
function describe(row: CachedMessage): string {
  const state = [row.seen === 0 ? 'Unread' : '', row.flagged === 1 ? 'Flagged' : '', row.hasAttachments ? 'Has attachments' : ''].filter(Boolean).join(', ');
  return `${state ? `${state}. ` : ''}${senderName(row.from)}, ${row.subject || '(no subject)'}, ${listDate(row.sortDate)}`;
}

function MessageRow({ row }: { row: CachedMessage }): React.JSX.Element {
  return (
    <>
      <div className="row-line">
        <span className="marks" aria-hidden="true">
          {row.seen === 0 ? '●' : ''}
          {row.flagged === 1 ? '⚑' : ''}
          {row.hasAttachments ? '📎' : ''}
        </span>
        <span className="sender">{senderName(row.from)}</span>
        <span className="date">{listDate(row.sortDate)}</span>
      </div>
      <div className="row-line">
        <span className="subject">{row.subject || '(no subject)'}</span>
        {row.snippet && <span className="snippet"> — {row.snippet}</span>}
      </div>
    </>
  );
}
