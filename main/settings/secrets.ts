/**
 * Where SIP passwords are sealed before they touch the settings file. In the
 * app this is Electron's safeStorage (main/desktop/secrets.ts: Keychain,
 * DPAPI, libsecret/kwallet); the harness and tests substitute their own.
 */
export interface SecretStore {
  /** True when sealing is backed by the OS keyring (false: refuse to store a password). */
  isAvailable(): boolean;
  seal(plain: string): string;
  open(sealed: string): string;
}
