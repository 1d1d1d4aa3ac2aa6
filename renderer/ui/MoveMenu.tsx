import { useLiveQuery } from 'dexie-react-hooks';
import { FolderInput } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CachedFolder } from '../db/rows';
import { useApp } from './app-context';
import { Icon } from './icon';
import { folderLabel } from '../i18n/folder-label';

/** "Move to…": the account's other folders as a menu, by mouse or keyboard. */
export function MoveMenu({ accountId, current, disabled, onMove }: { accountId: string | undefined; current: string | undefined; disabled: boolean; onMove: (target: string) => void }): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const { db } = useApp();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLUListElement>(null);
  const folders = useLiveQuery(
    async () => (accountId ? (await db.folders.where('accountId').equals(accountId).toArray()).filter((f) => f.selectable && f.path !== current) : []),
    [accountId, current],
    [] as CachedFolder[],
  );

  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);

  function onKeyDown(event: React.KeyboardEvent): void {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      setOpen(false);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % Math.max(items.length, 1)];
      next?.focus();
    }
  }

  return (
    <div className="menu-anchor">
      <button type="button" aria-haspopup="menu" aria-expanded={open} disabled={disabled} onClick={() => setOpen((o) => !o)}>
        <Icon icon={FolderInput} />
        {t('moveMenu.button')}
      </button>
      {open && (
        <ul ref={menu} role="menu" aria-label={t('moveMenu.label')} className="menu" onKeyDown={onKeyDown}>
          {folders.map((folder) => (
            <li key={folder.path} role="none">
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setOpen(false);
                  onMove(folder.path);
                }}
              >
                <span dir="auto">{folderLabel(folder)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
