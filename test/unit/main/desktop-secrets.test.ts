/**
 * SIP passwords are sealed with Electron safeStorage, and never with its
 * Linux "basic_text" fallback, which encrypts with a key hard-coded in Chromium.
 */
import { safeStorage } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { electronSecretStore } from '../../../main/desktop/secrets';
import { TestCipherError } from '../../support/test-cipher';

afterEach(() => vi.restoreAllMocks());

describe('electronSecretStore', () => {
  it('round-trips a password through safeStorage, storing only base64 ciphertext', () => {
    // The electron mock's safeStorage encrypts for real (AES-256-GCM, test key): see test/support/test-cipher.ts.
    const plain = 's3cret!-Pa55word';
    const sealed = electronSecretStore.seal(plain);
    expect(safeStorage.encryptString).toHaveBeenCalledWith(plain);
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // Base64 of ciphertext: neither the password nor any encoding of it is in what is stored.
    const bytes = Buffer.from(sealed, 'base64');
    expect(bytes.toString('base64')).toBe(sealed);
    expect(sealed).not.toContain(plain);
    expect(bytes.includes(Buffer.from(plain))).toBe(false);
    expect(sealed).not.toContain(Buffer.from(plain).toString('base64').slice(0, 12));
    expect(bytes.length).toBeGreaterThanOrEqual(plain.length + 28); // iv + tag + ciphertext
    // A fresh IV each time: the same password never seals to the same text.
    expect(electronSecretStore.seal(plain)).not.toBe(sealed);
    expect(electronSecretStore.open(sealed)).toBe(plain);
  });

  it('refuses to open a sealed value that was altered', () => {
    const bytes = Buffer.from(electronSecretStore.seal('s3cret!'), 'base64');
    bytes[bytes.length - 1]! ^= 1;
    expect(() => electronSecretStore.open(bytes.toString('base64'))).toThrow(TestCipherError);
  });

  it('is unavailable when the OS offers no encryption', () => {
    vi.mocked(safeStorage.isEncryptionAvailable).mockReturnValueOnce(false);
    expect(electronSecretStore.isAvailable()).toBe(false);
  });

  it.runIf(process.platform === 'linux')('on Linux, the hard-coded-key fallback (basic_text) does not count as available', () => {
    vi.mocked(safeStorage.getSelectedStorageBackend).mockReturnValue('basic_text');
    expect(electronSecretStore.isAvailable()).toBe(false);
    vi.mocked(safeStorage.getSelectedStorageBackend).mockReturnValue('kwallet5');
    expect(electronSecretStore.isAvailable()).toBe(true);
  });
});
