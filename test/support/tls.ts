/**
 * Certificates for TLS tests, made with the system's openssl into a folder the
 * test owns: short-lived, for 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs openssl quietly; throws when it fails. */
export const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'ignore' });
};

/** A self-signed certificate for 127.0.0.1 (subject and subjectAltName): `key.pem` and `cert.pem` in `dir`; returns their paths. */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert);
  return { key, cert };
}
