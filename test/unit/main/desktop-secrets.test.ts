/**
 * SIP passwords are sealed with Electron safeStorage, and never with its
 * Linux "basic_text" fallback, which encrypts with a key hard-coded in Chromium.
 */
import { safeStorage } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { electronSecretStore } from '../../../main/desktop/secrets';

afterEach(() => vi.restoreAllMocks());

describe('electronSecretStore', () => {
  it('round-trips a password through safeStorage, storing only base64 ciphertext', () => {
    const sealed = electronSecretStore.seal('s3cret!');
    expect(safeStorage.encryptString).toHaveBeenCalledWith('s3cret!');
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(electronSecretStore.open(sealed)).toBe('s3cret!');
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
