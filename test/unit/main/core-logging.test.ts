/**
 * The electron-log file transport as configured by createLogger: what lands in
 * console.log (the file an agent attaches to a support ticket) carries no
 * password and no Authorization / Proxy-Authorization credentials.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/logging/logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'log-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const readLog = async (path: string) => {
  // The file transport may flush asynchronously; wait until our marker line is there.
  for (let i = 0; i < 50; i++) {
    if (existsSync(path) && readFileSync(path, 'utf8').includes('marker-end')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return readFileSync(path, 'utf8');
};

describe('log file', () => {
  it('contains the messages but none of the secrets', async () => {
    const log = createLogger({ dir, id: `test-${Date.now()}`, fileLevel: 'debug', consoleLevel: false });
    const sip = log.scope('sip');
    sip.info('account saved', { account: { sipUri: 'sip:1001@pbx.example.com', password: 'hunter2-PLAIN', passwordSealed: 'U0VBTEVE' } });
    sip.debug(
      'sent REGISTER\r\nAuthorization: Digest username="1001", realm="pbx", nonce="n0nce-XYZ", response="6629fae49393a05397450978507c4ef1"\r\nProxy-Authorization: Digest username="1001", response="feedface1234"\r\n',
    );
    sip.warn('socket url', 'wss://1001:url-secret-99@pbx.example.com/ws');
    log.error('request failed', new Error('password=err-secret-77 rejected'));
    log.info('headers', { headers: { Authorization: 'Bearer eyJ.token.sig', 'Proxy-Authorization': 'Basic dXNlcjpwYXNz' } });
    log.info('marker-end');

    const text = await readLog(join(dir, 'console.log'));
    for (const secret of ['hunter2-PLAIN', 'U0VBTEVE', '6629fae49393a05397450978507c4ef1', 'n0nce-XYZ', 'feedface1234', 'url-secret-99', 'err-secret-77', 'eyJ.token.sig', 'dXNlcjpwYXNz']) {
      expect(text, `log file leaks ${secret}`).not.toContain(secret);
    }
    // …while still saying what happened, so the log stays useful.
    expect(text).toContain('account saved');
    expect(text).toContain('sip:1001@pbx.example.com');
    expect(text).toContain('Authorization: Digest [redacted]');
    expect(text).toContain('(sip)');
    expect(text).toMatch(/\[error\].*request failed/);
  });

  it('respects the file level', async () => {
    const log = createLogger({ dir, id: `test-level-${Date.now()}`, fileLevel: 'warn', consoleLevel: false });
    log.info('too chatty');
    log.warn('marker-end');
    const text = await readLog(join(dir, 'console.log'));
    expect(text).not.toContain('too chatty');
  });
});
