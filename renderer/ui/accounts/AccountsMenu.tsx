import { Settings } from 'lucide-react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Account } from '../../../shared/model';
import { Icon } from '../icon';
import { AccountDialog } from './AccountDialog';

/** The header's "Add account…" button and the setup dialog it opens. */
export function AccountsMenu(): React.JSX.Element {
  const { t } = useTranslation('accounts');
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <div className="accounts-menu">
      <button ref={button} type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {t('menu.addAccount')}
      </button>
      {open && (
        <AccountDialog
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </div>
  );
}

/** The settings button next to an account's name in the sidebar, and the dialog to edit or remove it. */
export function AccountSettingsButton({ account }: { account: Account }): React.JSX.Element {
  const { t } = useTranslation('accounts');
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const label = t('menu.settingsFor', { name: account.name });
  return (
    <>
      <button ref={button} type="button" className="accounts-settings" aria-haspopup="dialog" aria-label={label} title={label} onClick={() => setOpen(true)}>
        <Icon icon={Settings} />
      </button>
      {open && (
        <AccountDialog
          account={account}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </>
  );
}
