import { safeStorage } from 'electron';
import type { SecretStore } from '../settings/secrets';

/** SIP passwords sealed by the OS keyring (Keychain, DPAPI, libsecret/kwallet). */
export const electronSecretStore: SecretStore = {
  // On Linux without a keyring, safeStorage falls back to a hard-coded key ("basic_text"):
  // that is not secure storage, so we refuse to pretend it is.
  isAvailable: () =>
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
  open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
};
