import { useVirtualizer } from '@tanstack/react-virtual';
import { useLiveQuery } from 'dexie-react-hooks';
import { Circle, Flag, Paperclip, Reply } from 'lucide-react';
import { forwardRef, useEffect, useImperativeHandle, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { CachedMessage, MessageKey } from '../db/rows';
import { keyOf } from '../db/rows';
import { t } from '../i18n';
import { ROW_HEIGHT, useDensity } from './density';
import { listDate, senderName } from './format';
import { Icon } from './icon';
import type { ListSource } from './list-source';
import { keyId } from './selection';
import { AccountTag, inAccount } from './unified/account-badge';
import type { AccountBadge } from './unified/account-badge';

/** Rows are read from the cache in blocks, so scrolling re-queries only when it crosses a block. */
const BLOCK = 100;

/** The drag format for messages dropped on a folder. */
export const MESSAGE_DRAG_TYPE = 'application/x-twinbox-messages';

export interface ListSelection {
  /** Index of the row with keyboard focus (and the one the reader shows). */
  focus: number;
  /** Index where a shift-selection started. */
  anchor: number;
  keys: MessageKey[];
}

export const EMPTY_SELECTION: ListSelection = { focus: -1, anchor: -1, keys: [] };

/** What the app may ask of the list from outside it (global shortcuts). */
export interface MessageListHandle {
  /** Moves the focus (and the reader) by this many rows. */
  moveBy(delta: number): Promise<void>;
  focus(): void;
}

/**
 * A message list, virtualised: only the rows on screen are in the page, read
 * from the cache a block at a time, so a folder of 100,000 messages scrolls
 * like one of 100. Rows can be dragged onto a folder.
 */
export const MessageList = forwardRef<
  MessageListHandle,
  {
    source: ListSource;
    label: string;
    selection: ListSelection;
    onSelection: (selection: ListSelection) => void;
    onOpen: (key: MessageKey) => void;
    onDelete: () => void;
    emptyText: string;
    /** Rows from several accounts (unified views, search everywhere) each say whose they are. */
    accounts?: ReadonlyMap<string, AccountBadge> | undefined;
  }
>(function MessageList({ source, label, selection, onSelection, onOpen, onDelete, emptyText, accounts }, ref) {
  // Re-rendered when the language changes: the rows' names are made with `t` outside React.
  useTranslation(['mail', 'common']);
  const scroller = useRef<HTMLDivElement>(null);
  const count = useLiveQuery(() => source.count(), [source.id], 0);
  const rowHeight = ROW_HEIGHT[useDensity()];
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's known, documented limitation: useVirtualizer returns a mutable object whose methods cannot be memoised, so the compiler skips this component; expected here, as nothing hands the virtualiser or its results to a memoised child
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 15 });
  // Sizes already handed out are cached by the virtualiser: a change of density has to place every row again.
  const placedAt = useRef(rowHeight);
  useLayoutEffect(() => {
    if (placedAt.current === rowHeight) return;
    placedAt.current = rowHeight;
    virtualizer.measure();
  }, [rowHeight, virtualizer]);
  const items = virtualizer.getVirtualItems();
  const firstVisible = items[0]?.index ?? 0;
  const lastVisible = items[items.length - 1]?.index ?? 0;
  const blockStart = Math.floor(firstVisible / BLOCK) * BLOCK;
  const blockEnd = (Math.floor(lastVisible / BLOCK) + 1) * BLOCK;
  // The block says where it starts and whose it is: while the next block loads, useLiveQuery still returns the last
  // one, and read at the new block's offsets it would put other messages' rows (and ids, which the screen reader
  // announces through aria-activedescendant) at these positions.
  const sourceId = source.id;
  const block = useLiveQuery(
    async () => ({ sourceId, start: blockStart, rows: await source.page(blockStart, blockEnd - blockStart) }),
    [sourceId, blockStart, blockEnd],
  );
  const rowAt = (index: number): CachedMessage | undefined =>
    block && block.sourceId === sourceId && index >= block.start ? block.rows[index - block.start] : undefined;

  // Keep the focused row in view when the keyboard moves it.
  useEffect(() => {
    if (selection.focus >= 0) virtualizer.scrollToIndex(selection.focus, { align: 'auto' });
  }, [selection.focus, virtualizer]);

  const selected = new Set(selection.keys.map(keyId));

  // Where the keyboard last moved the focus, ahead of the drawn selection: each move reads its row first, so keys
  // pressed faster than that (PageDown twice, a held arrow) go on from the last one asked for, not from the focus on
  // screen, and a move overtaken by a later one is dropped rather than landing after it.
  const cursor = useRef({ focus: selection.focus, anchor: selection.anchor });
  const latestMove = useRef(0);
  // The last move whose outcome reached the selection. While a later one is on its way, the selection drawn is
  // older than the cursor: taking the cursor back to it would make the next key start one row short.
  const settledMove = useRef(0);
  useLayoutEffect(() => {
    if (settledMove.current === latestMove.current) cursor.current = { focus: selection.focus, anchor: selection.anchor };
  }, [selection]);

  async function keysBetween(from: number, to: number): Promise<MessageKey[]> {
    const low = Math.min(from, to);
    const high = Math.max(from, to);
    return (await source.page(low, high - low + 1)).map(keyOf);
  }

  async function moveFocus(index: number, extend: boolean): Promise<void> {
    if (count === 0) return;
    const move = ++latestMove.current;
    const target = Math.max(0, Math.min(count - 1, index));
    const anchor = extend ? (cursor.current.anchor >= 0 ? cursor.current.anchor : target) : target;
    cursor.current = { focus: target, anchor };
    const [row] = await source.page(target, 1);
    if (move !== latestMove.current) return;
    if (!row) {
      // Nothing there any more (the folder shrank meanwhile): the next key goes on from what is drawn.
      settledMove.current = move;
      cursor.current = { focus: selection.focus, anchor: selection.anchor };
      return;
    }
    if (extend) {
      const keys = await keysBetween(anchor, target);
      if (move !== latestMove.current) return;
      settledMove.current = move;
      onSelection({ focus: target, anchor, keys });
    } else {
      settledMove.current = move;
      onSelection({ focus: target, anchor, keys: [keyOf(row)] });
      onOpen(keyOf(row));
    }
  }

  useImperativeHandle(ref, () => ({
    moveBy: (delta) => moveFocus(cursor.current.focus < 0 ? (delta > 0 ? 0 : count - 1) : cursor.current.focus + delta, false),
    focus: () => scroller.current?.focus(),
  }));

  function onKeyDown(event: React.KeyboardEvent): void {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    const { focus } = cursor.current;
    const moves: Record<string, number> = {
      ArrowDown: focus + 1,
      ArrowUp: focus - 1,
      PageDown: focus + page,
      PageUp: focus - page,
      Home: 0,
      End: count - 1,
    };
    const next = moves[event.key];
    if (next !== undefined) {
      event.preventDefault();
      event.stopPropagation();
      void moveFocus(focus < 0 && event.key === 'ArrowDown' ? 0 : next, event.shiftKey);
    } else if (event.key === 'Delete') {
      event.preventDefault();
      event.stopPropagation();
      onDelete();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const row = rowAt(selection.focus);
      if (row) onOpen(keyOf(row));
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      event.stopPropagation();
      void source.page(0, count).then((all) => onSelection({ focus: selection.focus, anchor: 0, keys: all.map(keyOf) }));
    }
  }

  async function onRowClick(event: React.MouseEvent, index: number, row: CachedMessage): Promise<void> {
    // A click overrides any key move still reading its row, and what it selects is where the next key starts.
    settledMove.current = ++latestMove.current;
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

  function onDragStart(event: React.DragEvent, row: CachedMessage): void {
    const key = keyOf(row);
    // Dragging an unselected row drags just that row, as file managers do.
    const keys = selected.has(keyId(key)) ? selection.keys : [key];
    event.dataTransfer.setData(MESSAGE_DRAG_TYPE, JSON.stringify(keys));
    event.dataTransfer.effectAllowed = 'move';
  }

  const focusedRow = rowAt(selection.focus);
  return (
    <div
      ref={scroller}
      className="message-list"
      role="listbox"
      aria-label={label}
      aria-multiselectable="true"
      aria-activedescendant={focusedRow ? optionId(focusedRow) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      {count === 0 && <p className="empty">{emptyText}</p>}
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
              aria-label={row ? describe(row, accounts?.get(row.accountId)) : t('common:loading')}
              draggable={row !== undefined}
              onDragStart={(event) => row && onDragStart(event, row)}
              className={`message-row${row?.seen === 0 ? ' unread' : ''}${isSelected ? ' selected' : ''}${item.index === selection.focus ? ' focused' : ''}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}
              onClick={(event) => row && void onRowClick(event, item.index, row)}
            >
              {row && <MessageRow row={row} badge={accounts?.get(row.accountId)} />}
            </div>
          );
        })}
      </div>
    </div>
  );
});

function optionId(row: CachedMessage): string {
  return `message-${encodeURIComponent(keyId(keyOf(row)))}`;
}

/** Messages in the row's conversation, said on its newest message (the one conversations show). */
function conversationSize(row: CachedMessage): number {
  return row.threadHead === 1 ? row.threadSize : 1;
}

/** What a screen reader says for a row: state first, then who, what, when. */
function describe(row: CachedMessage, badge: AccountBadge | undefined): string {
  const state = [
    row.seen === 0 ? t('mail:list.unread') : '',
    row.flagged === 1 ? t('mail:list.flagged') : '',
    row.hasAttachments ? t('mail:list.hasAttachments') : '',
    answered(row) ? t('mail:list.replied') : '',
  ]
    .filter(Boolean)
    .join(', ');
  const size = conversationSize(row);
  const what = { sender: senderName(row.from), subject: row.subject || t('common:noSubject'), date: listDate(row.sortDate) };
  const described = size > 1 ? t('mail:list.rowInConversation', { ...what, count: size }) : t('mail:list.row', what);
  const withState = state ? t('mail:list.withState', { state, row: described }) : described;
  return badge ? inAccount(badge, withState) : withState;
}

function answered(row: CachedMessage): boolean {
  return row.flags.some((flag) => flag.toLowerCase() === '\\answered');
}

/** The row's marks are drawn only: its accessible name (describe) already says each of them in words. */
function MessageRow({ row, badge }: { row: CachedMessage; badge: AccountBadge | undefined }): React.JSX.Element {
  return (
    <>
      <div className="row-line">
        {row.seen === 0 && <Icon icon={Circle} size={8} filled className="mark-unread" />}
        {badge && <AccountTag badge={badge} />}
        <span className="sender" dir="auto">
          {senderName(row.from)}
        </span>
        {conversationSize(row) > 1 && (
          <span className="thread-size" aria-hidden="true">
            {conversationSize(row)}
          </span>
        )}
        <span className="marks" aria-hidden="true">
          {answered(row) && <Icon icon={Reply} size={14} className="mark-replied" />}
          {row.hasAttachments && <Icon icon={Paperclip} size={14} className="mark-attachment" />}
          {row.flagged === 1 && <Icon icon={Flag} size={14} filled className="mark-flagged" />}
        </span>
        <span className="date">{listDate(row.sortDate)}</span>
      </div>
      <div className="row-line">
        <span className="subject" dir="auto">
          {row.subject || t('common:noSubject')}
        </span>
        {row.snippet && (
          <span className="snippet">
            {' — '}
            <span dir="auto">{row.snippet}</span>
          </span>
        )}
      </div>
    </>
  );
}
