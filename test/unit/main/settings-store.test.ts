import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleError, contract } from '../../../preload/contract';
import { silentLogger } from '../../../main/logging/logger';
import type { SecretStore } from '../../../main/settings/secrets';
import { openSettingsStore } from '../../../main/settings/store';
import { testSecretStore } from '../../support/test-cipher';

/** Real encryption (AES-256-GCM with a test key); counts calls so tests can prove sealing happened. */
function fakeSecrets(available = true) {
  const calls = { seal: 0, open: 0 };
  const cipher = testSecretStore({ available });
  const store: SecretStore = {
    isAvailable: cipher.isAvailable,
    seal: (plain) => {
      calls.seal++;
      return cipher.seal(plain);
    },
    open: (sealed) => {
      calls.open++;
      return cipher.open(sealed);
    },
  };
  return { store, calls };
}

let dir: string;
const file = () => join(dir, 'settings.json');
const keptAside = () => readdirSync(dir).filter((n) => n.startsWith('settings.json.'));
const account = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', authorizationUser: '1001', password: 'hunter2-Secret!' };
const save = (store: ReturnType<typeof openSettingsStore>, input: unknown) => store.saveAccount(contract.settings.saveAccount.request.parse(input));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'settings-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings file that cannot be used is kept aside, never lost', () => {
  const cases: Array<[string, string, RegExp, 'corrupt' | 'invalid' | 'newer-version' | 'too-large']> = [
    ['corrupt JSON', '{"schemaVersion": 1, "account": {"wsUrl": "wss://x', /not valid JSON/, 'corrupt'],
    ['binary garbage', '\u0000\u00ff\u00fe garbage \ud83d\ude00', /not valid JSON/, 'corrupt'],
    // A file of the right kind with some wrong values is recovered field by field instead (settings-recovery.test.ts).
    ['a list, not an object', JSON.stringify([{ schemaVersion: 1 }]), /unexpected content/, 'invalid'],
    ['a bare number', '42', /unexpected content/, 'invalid'],
    ['JSON null', 'null', /unexpected content/, 'invalid'],
    ['a file larger than any settings file', JSON.stringify({ schemaVersion: 1, pad: 'x'.repeat(5 * 1024 * 1024) }), /5\.0 MB; a settings file is at most 4 MB/, 'too-large'],
    ['a newer console', JSON.stringify({ schemaVersion: 7, account: null, preferences: {}, futureThing: true }), /newer console \(schema 7/, 'newer-version'],
  ];

  it.each(cases)('%s: renamed aside byte-for-byte, reported, defaults used', (_what, content, message, reason) => {
    writeFileSync(file(), content);
    const before = readFileSync(file());
    const store = openSettingsStore(dir, fakeSecrets().store, silentLogger);

    expect(store.problem).toMatchObject({ reason, message: expect.stringMatching(message) });
    const aside = keptAside();
    expect(aside).toHaveLength(1);
    expect(join(dir, aside[0]!)).toBe(store.problem?.keptAs);
    expect(aside[0]).toMatch(new RegExp(`^settings\\.json\\.${reason}-`));
    expect(readFileSync(join(dir, aside[0]!)).equals(before)).toBe(true);

    expect(store.view().account).toBeNull();
    expect(store.view().preferences.holdMusic.volume).toBe(0.5);
    // A fresh, valid file replaces it.
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toMatchObject({ schemaVersion: 1, account: null });
  });

  it('a readable file is used as is and nothing is renamed', () => {
    writeFileSync(file(), JSON.stringify({ schemaVersion: 1, account: { wsUrl: 'ws://lab:5066', sipUri: 'sip:1@lab' } }));
    const store = openSettingsStore(dir, fakeSecrets().store, silentLogger);
    expect(store.problem).toBeNull();
    expect(keptAside()).toEqual([]);
    expect(store.view().account).toEqual({ wsUrl: 'ws://lab:5066', sipUri: 'sip:1@lab', acceptSelfSigned: false, hasPassword: false });
  });

  it('an older file missing newer preference keys gets their defaults and keeps its own values', () => {
    writeFileSync(file(), JSON.stringify({ schemaVersion: 1, account: null, preferences: { holdMusic: { volume: 0.2 }, calls: {} } }));
    const store = openSettingsStore(dir, fakeSecrets().store, silentLogger);
    expect(store.problem).toBeNull();
    const prefs = store.view().preferences;
    expect(prefs.holdMusic).toEqual({ track: 'builtin:lounge', volume: 0.2 });
    expect(prefs.transfer.safeBlindTimeoutSec).toBe(30);
    expect(prefs.audio.echoCancellation).toBe(true);
    expect(prefs.history.retentionDays).toBeNull();
  });
});

describe('writing settings', () => {
  it('creates the data folder and a default file readable only by the user', () => {
    const nested = join(dir, 'a', 'b');
    openSettingsStore(nested, fakeSecrets().store, silentLogger);
    const path = join(nested, 'settings.json');
    expect(JSON.parse(readFileSync(path, 'utf8')).schemaVersion).toBe(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('writes atomically: no temp file is left, and a failed write leaves the old file intact', () => {
    const store = openSettingsStore(dir, fakeSecrets().store, silentLogger);
    save(store, { wsUrl: 'ws://lab:5066', sipUri: 'sip:1@lab' });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    const before = readFileSync(file());

    // Make the temp path unwritable (a directory): the write must fail as a typed storage error.
    mkdirSync(`${file()}.tmp-${process.pid}`);
    let thrown: unknown;
    try {
      save(store, { wsUrl: 'wss://other/ws', sipUri: 'sip:2@other' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConsoleError);
    expect((thrown as ConsoleError).code).toBe('storage');
    expect(readFileSync(file()).equals(before)).toBe(true);
    // The in-memory state did not move ahead of the disk.
    expect(store.view().account?.sipUri).toBe('sip:1@lab');
  });

  it('patches one preference leaf without resetting its siblings', () => {
    const store = openSettingsStore(dir, fakeSecrets().store, silentLogger);
    store.updatePreferences(contract.settings.update.request.parse({ holdMusic: { track: 'file:my.ogg' } }));
    const view = store.updatePreferences(contract.settings.update.request.parse({ holdMusic: { volume: 0.1 } }));
    expect(view.preferences.holdMusic).toEqual({ track: 'file:my.ogg', volume: 0.1 });
    expect(JSON.parse(readFileSync(file(), 'utf8')).preferences.holdMusic).toEqual({ track: 'file:my.ogg', volume: 0.1 });
  });
});

describe('the SIP password', () => {
  it('is sealed through the SecretStore and never written in plain text', () => {
    const secrets = fakeSecrets();
    const store = openSettingsStore(dir, secrets.store, silentLogger);
    const view = save(store, account);
    expect(secrets.calls.seal).toBe(1);
    expect(view.account).toMatchObject({ hasPassword: true });
    expect(JSON.stringify(view)).not.toContain('hunter2');

    const onDisk = readFileSync(file(), 'utf8');
    expect(onDisk).not.toContain('hunter2');
    expect(onDisk).not.toContain('"password"');
    // What is on disk is the ciphertext: no plain text in it, in any encoding, and it opens to the password.
    const sealed = JSON.parse(onDisk).account.passwordSealed as string;
    expect(Buffer.from(sealed, 'base64').includes(Buffer.from('hunter2'))).toBe(false);
    expect(onDisk).not.toContain(Buffer.from(account.password).toString('base64').slice(0, 8));
    expect(testSecretStore().open(sealed)).toBe(account.password);
    expect(store.password()).toBe(account.password);

    // A second store reading the same file gets the same password back.
    expect(openSettingsStore(dir, secrets.store, silentLogger).password()).toBe(account.password);
  });

  it('is kept when omitted, and removed when empty', () => {
    const store = openSettingsStore(dir, fakeSecrets().store, silentLogger);
    save(store, account);
    const { password: _omit, ...withoutPassword } = account;
    expect(save(store, { ...withoutPassword, displayName: 'Agent' }).account).toMatchObject({ hasPassword: true, displayName: 'Agent' });
    expect(store.password()).toBe(account.password);
    expect(save(store, { ...withoutPassword, password: '' }).account?.hasPassword).toBe(false);
    expect(store.password()).toBeNull();
    expect(readFileSync(file(), 'utf8')).not.toContain('passwordSealed');
  });

  it('is refused (typed, field-level) when secure storage is unavailable, and nothing is written', () => {
    const secrets = fakeSecrets(false);
    const store = openSettingsStore(dir, secrets.store, silentLogger);
    const before = readFileSync(file());
    let thrown: unknown;
    try {
      save(store, account);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConsoleError);
    expect(thrown).toMatchObject({ code: 'storage', fields: { password: expect.stringMatching(/secure storage/) } });
    expect(secrets.calls.seal).toBe(0);
    expect(readFileSync(file()).equals(before)).toBe(true);
    expect(store.view().account).toBeNull();
    // Without a password the account can still be saved.
    const { password: _omit, ...withoutPassword } = account;
    expect(save(store, withoutPassword).account?.hasPassword).toBe(false);
  });

  it('that cannot be unsealed any more (keyring changed) reads as no password, not a crash', () => {
    const secrets = fakeSecrets();
    const store = openSettingsStore(dir, { ...secrets.store, open: () => { throw new Error('keyring locked'); } }, silentLogger);
    save(store, account);
    expect(store.password()).toBeNull();
  });

  it('is removed with the account', () => {
    const store = openSettingsStore(dir, fakeSecrets().store, silentLogger);
    save(store, account);
    expect(store.removeAccount().account).toBeNull();
    expect(JSON.parse(readFileSync(file(), 'utf8')).account).toBeNull();
    expect(store.password()).toBeNull();
  });
});
