import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialVault } from './credential-vault';
import type { SecretCipher } from './credential-vault';

/** A real cipher standing in for the OS keychain, which this machine does not have. */
function aesCipher(available = true): SecretCipher {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('credential vault', () => {
  it('stores passwords encrypted, never in clear, and reads them back after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'twinbox-vault-'));
    const file = join(dir, 'secrets.json');
    const cipher = aesCipher();
    const vault = new CredentialVault(file, cipher);
    vault.set('acc1', 'incoming', 'correct horse battery staple');
    expect(vault.persistent).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('correct horse');
    const reopened = new CredentialVault(file, cipher);
    expect(reopened.get('acc1', 'incoming')).toBe('correct horse battery staple');
    expect(reopened.get('acc1', 'outgoing')).toBeUndefined();
    reopened.delete('acc1');
    expect(new CredentialVault(file, cipher).get('acc1', 'incoming')).toBeUndefined();
  });

  it('keeps passwords in memory only when the system offers no encryption', () => {
    dir = mkdtempSync(join(tmpdir(), 'twinbox-vault-'));
    const file = join(dir, 'secrets.json');
    const vault = new CredentialVault(file, aesCipher(false));
    vault.set('acc1', 'incoming', 'secret');
    expect(vault.persistent).toBe(false);
    expect(vault.get('acc1', 'incoming')).toBe('secret');
    expect(() => readFileSync(file)).toThrow();
  });
});
