/**
 * Passwords, encrypted at rest with the operating system's keychain (through
 * Electron's safeStorage) and kept apart from the settings. Where no keychain
 * is available (a Linux session without one, or the browser host), passwords
 * are kept in memory for this session only and never written in clear;
 * `persistent` says which, so the UI can tell the user.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What safeStorage offers; a parameter so the vault can be tested without Electron. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** A server's password, or (`oauth`) the refresh token of the provider the account signs in with. */
export type SecretKind = 'incoming' | 'outgoing' | 'oauth';

const SECRET_KINDS: readonly SecretKind[] = ['incoming', 'outgoing', 'oauth'];

export class CredentialVault {
  private readonly memory = new Map<string, string>();
  private encrypted: Record<string, string>;
  readonly persistent: boolean;

  constructor(
    private readonly file: string | undefined,
    private readonly cipher: SecretCipher | undefined,
  ) {
    this.persistent = file !== undefined && cipher !== undefined && cipher.isEncryptionAvailable();
    this.encrypted = this.persistent && file ? readVault(file) : {};
  }

  get(accountId: string, kind: SecretKind): string | undefined {
    const key = keyOf(accountId, kind);
    const inMemory = this.memory.get(key);
    if (inMemory !== undefined || !this.persistent || !this.cipher) return inMemory;
    const stored = this.encrypted[key];
    if (stored === undefined) return undefined;
    const plain = this.cipher.decryptString(Buffer.from(stored, 'base64'));
    this.memory.set(key, plain);
    return plain;
  }

  set(accountId: string, kind: SecretKind, password: string): void {
    const key = keyOf(accountId, kind);
    this.memory.set(key, password);
    if (this.persistent && this.cipher) {
      this.write({ ...this.encrypted, [key]: this.cipher.encryptString(password).toString('base64') });
    }
  }

  delete(accountId: string): void {
    for (const kind of SECRET_KINDS) this.memory.delete(keyOf(accountId, kind));
    if (this.persistent) {
      const gone = new Set(SECRET_KINDS.map((kind) => keyOf(accountId, kind)));
      this.write(Object.fromEntries(Object.entries(this.encrypted).filter(([key]) => !gone.has(key))));
    }
  }

  private write(next: Record<string, string>): void {
    if (this.file) {
      mkdirSync(dirname(this.file), { recursive: true });
      const temporary = `${this.file}.tmp`;
      writeFileSync(temporary, JSON.stringify(next), { mode: 0o600 });
      renameSync(temporary, this.file);
    }
    this.encrypted = next;
  }
}

function keyOf(accountId: string, kind: SecretKind): string {
  return `${accountId}/${kind}`;
}

function readVault(file: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}
