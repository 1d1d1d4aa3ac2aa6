import type { Account } from '../../../shared/model';

/** The header's "Add account" entry; being written. */
export function AccountsMenu(): React.JSX.Element | null {
  return null;
}

/** The settings entry next to an account in the sidebar; being written. */
export function AccountSettingsButton(_props: { account: Account }): React.JSX.Element | null {
  return null;
}
