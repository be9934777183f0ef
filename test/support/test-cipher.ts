/**
 * A real cipher for test doubles of the OS keyring (Electron safeStorage, the
 * SecretStore): AES-256-GCM with a fixed TEST key — random 12-byte IV, the
 * 16-byte tag checked on decryption. Not a secret (the key is in this file),
 * but real encryption: what a store writes is unreadable and unforgeable
 * without the key, so a test that finds no plain text in a file proves
 * something, and a tampered value fails to open instead of decoding to junk.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecretStore } from '../../main/settings/secrets';

const TEST_KEY = createHash('sha256').update('agent-console test key — never a real secret').digest();

export class TestCipherError extends Error {
  override readonly name = 'TestCipherError';
}

/** iv (12) | tag (16) | ciphertext */
export function testEncrypt(plain: string, key: Buffer = TEST_KEY): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function testDecrypt(sealed: Buffer, key: Buffer = TEST_KEY): string {
  if (sealed.length < 28) throw new TestCipherError('not sealed by the test cipher (too short)');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new TestCipherError('not sealed by the test cipher, or altered');
  }
}

/** A SecretStore sealing with the test cipher (base64 of iv | tag | ciphertext), as the Electron one encodes safeStorage's bytes. */
export function testSecretStore(options: { available?: boolean } = {}): SecretStore {
  return {
    isAvailable: () => options.available ?? true,
    seal: (plain) => testEncrypt(plain).toString('base64'),
    open: (sealed) => testDecrypt(Buffer.from(sealed, 'base64')),
  };
}
