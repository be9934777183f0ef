/**
 * NOT SECURE — harness and tests only. Stands in for Electron's safeStorage so
 * the real settings store runs in plain Node. It only encodes (base64 with a
 * marker), which keeps the plain password out of settings.json so tests can
 * prove the store never writes it, but protects nothing.
 */
import type { SecretStore } from '../../main/settings/secrets';

const MARK = 'harness-not-secure:';

export function harnessSecretStore(options: { available?: boolean } = {}): SecretStore {
  return {
    isAvailable: () => options.available ?? true,
    seal: (plain) => Buffer.from(MARK + plain, 'utf8').toString('base64'),
    open(sealed) {
      const text = Buffer.from(sealed, 'base64').toString('utf8');
      if (!text.startsWith(MARK)) throw new Error('not sealed by the harness secret store');
      return text.slice(MARK.length);
    },
  };
}
