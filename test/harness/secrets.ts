/**
 * NOT SECURE — harness and tests only. Stands in for Electron's safeStorage so
 * the real settings store runs in plain Node. It encrypts for real (AES-256-GCM,
 * test/support/test-cipher.ts) but with a key written in the test code, so it
 * protects nothing; what it proves is that the store writes only what the
 * secret store gave it, never the password.
 */
import type { SecretStore } from '../../main/settings/secrets';
import { testSecretStore } from '../support/test-cipher';

export function harnessSecretStore(options: { available?: boolean } = {}): SecretStore {
  return testSecretStore(options);
}
