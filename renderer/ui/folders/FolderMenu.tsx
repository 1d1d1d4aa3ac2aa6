import { Ellipsis } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { CachedFolder } from '../../db/rows';
import { Icon } from '../icon';
import { folderLabel } from '../../i18n/folder-label';
import type { FolderTask } from './FolderDialog';

/**
 * A folder's actions, as Thunderbird's context menu has them: from the "…"
 * (Ellipsis) button beside the folder, or a right click on it, and by keyboard (arrows,
 * Escape). The special folders take subfolders but keep their name and place.
 */
export function FolderMenu({
  folder,
  open,
  protectedFolder,
  onOpenChange,
  onTask,
}: {
  folder: CachedFolder;
  open: boolean;
  protectedFolder: boolean;
  onOpenChange: (open: boolean) => void;
  onTask: (task: FolderTask) => void;
}): React.JSX.Element {
  const { t } = useTranslation('folders');
  const menu = useRef<HTMLUListElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const name = folderLabel(folder);

  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLElement>('[role="menuitem"]:not([disabled])')?.focus();
  }, [open]);

  function close(refocus: boolean): void {
    onOpenChange(false);
    if (refocus) button.current?.focus();
  }

  function onKeyDown(event: React.KeyboardEvent): void {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.stopPropagation();
      close(true);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % Math.max(items.length, 1)]?.focus();
    }
  }

  const item = (label: string, task: FolderTask, disabled = false): React.JSX.Element => (
    <li role="none">
      <button
        type="button"
        role="menuitem"
        disabled={disabled}
        title={disabled ? t('menu.protected') : undefined}
        onClick={() => {
          close(false);
          onTask(task);
        }}
      >
        {label}
      </button>
    </li>
  );

  return (
    <div
      className="menu-anchor folder-menu"
      onBlur={(event) => {
        if (open && !event.currentTarget.contains(event.relatedTarget)) onOpenChange(false);
      }}
    >
      <button
        ref={button}
        type="button"
        className="folder-actions"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t('menu.label', { name })}
        title={t('menu.label', { name })}
        onClick={() => onOpenChange(!open)}
      >
        <Icon icon={Ellipsis} />
      </button>
      {open && (
        <ul ref={menu} role="menu" aria-label={t('menu.label', { name })} className="menu" onKeyDown={onKeyDown}>
          {item(t('menu.newSubfolder'), { kind: 'create', accountId: folder.accountId, parent: folder.path })}
          {item(t('menu.rename'), { kind: 'rename', accountId: folder.accountId, folder }, protectedFolder)}
          {item(t('menu.move'), { kind: 'move', accountId: folder.accountId, folder }, protectedFolder)}
          {item(t('menu.delete'), { kind: 'delete', accountId: folder.accountId, folder }, protectedFolder)}
        </ul>
      )}
    </div>
  );
}
