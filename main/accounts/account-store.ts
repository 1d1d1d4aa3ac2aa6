/**
 * Account settings on disk: one JSON file, written atomically (temp file and
 * rename) so a crash mid-write leaves the old settings, never half of new ones.
 * Secrets are not here; they live in the credential vault.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Account } from '../../shared/model';

interface StoredAccounts {
  version: 1;
  accounts: Account[];
}

export class AccountStore {
  private accounts: Account[];

  constructor(private readonly file: string | undefined) {
    this.accounts = file ? readAccounts(file) : [];
  }

  list(): Account[] {
    return this.accounts.map((account) => structuredClone(account));
  }

  get(accountId: string): Account | undefined {
    const account = this.accounts.find((a) => a.id === accountId);
    return account && structuredClone(account);
  }

  save(account: Account): void {
    const index = this.accounts.findIndex((a) => a.id === account.id);
    const next = [...this.accounts];
    if (index >= 0) next[index] = structuredClone(account);
    else next.push(structuredClone(account));
    this.write(next);
  }

  remove(accountId: string): void {
    this.write(this.accounts.filter((a) => a.id !== accountId));
  }

  private write(next: Account[]): void {
    if (this.file) {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.tmp`;
      const stored: StoredAccounts = { version: 1, accounts: next };
      writeFileSync(temporary, JSON.stringify(stored, null, 2), { mode: 0o600 });
      renameSync(temporary, this.file);
    }
    this.accounts = next;
  }
}

function readAccounts(file: string): Account[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const stored = JSON.parse(text) as Partial<StoredAccounts>;
  return Array.isArray(stored.accounts) ? stored.accounts : [];
}
