/**
 * A settings file with some unusable values is recovered field by field: what
 * reads is kept (the account above all), what does not is reset, the original
 * is copied aside, and the agent gets one notice naming what was reset.
 * Oversize values count as unusable; a failed write leaves no temp file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/logging/logger';
import type { SecretStore } from '../../../main/settings/secrets';
import { openSettingsStore } from '../../../main/settings/store';
import { ConsoleError, contract } from '../../../preload/contract';
import { startTestCore } from '../../support/core';

const secrets: SecretStore = {
  isAvailable: () => true,
  seal: (p) => Buffer.from(`x${p}`).toString('base64'),
  open: (s) => Buffer.from(s, 'base64').toString().slice(1),
};
const account = {
  wsUrl: 'wss://pbx.example.com/ws',
  sipUri: 'sip:1001@pbx.example.com',
  authorizationUser: 'agent1001',
  displayName: 'Anna',
  acceptSelfSigned: false,
  passwordSealed: secrets.seal('pw-1234'),
};
const goodFile = {
  schemaVersion: 1,
  account,
  preferences: { holdMusic: { volume: 0.2, track: 'builtin:lounge' }, transfer: { safeBlindTimeoutSec: 45 }, audio: { inputDeviceId: 'mic-7' } },
  provider: { kind: 'sip' },
};

let dir: string;
const file = () => join(dir, 'settings.json');
const aside = () => readdirSync(dir).filter((n) => n.startsWith('settings.json.'));
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'settings-recovery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('one bad field', () => {
  it('keeps every other field, the account and its password included, and resets only that one', () => {
    const content = JSON.stringify({ ...goodFile, preferences: { ...goodFile.preferences, audio: { inputDeviceId: 5 } } });
    writeFileSync(file(), content);
    const store = openSettingsStore(dir, secrets, silentLogger);

    expect(store.problem).toMatchObject({ reason: 'recovered', reset: ['preferences.audio.inputDeviceId'] });
    expect(store.problem?.notice).toMatch(/reset to their defaults: preferences\.audio\.inputDeviceId\. Everything else was kept/);
    const view = store.view();
    expect(view.account).toMatchObject({ sipUri: account.sipUri, authorizationUser: 'agent1001', displayName: 'Anna', hasPassword: true });
    expect(store.password()).toBe('pw-1234');
    expect(view.preferences.audio.inputDeviceId).toBe('default');
    expect(view.preferences.holdMusic.volume).toBe(0.2);
    expect(view.preferences.transfer.safeBlindTimeoutSec).toBe(45);
    expect(view.provider).toEqual({ kind: 'sip' });

    // The original is copied aside byte for byte; the file on disk is the recovered one.
    expect(aside()).toHaveLength(1);
    expect(readFileSync(join(dir, aside()[0]!), 'utf8')).toBe(content);
    expect(store.problem?.keptAs).toBe(join(dir, aside()[0]!));
    expect(JSON.parse(readFileSync(file(), 'utf8')).preferences.audio.inputDeviceId).toBe('default');
    // Read again, it is a clean file: no second notice.
    expect(openSettingsStore(dir, secrets, silentLogger).problem).toBeNull();
  });

  it('an account field of the wrong type keeps the account (empty in that field) and its password', () => {
    writeFileSync(file(), JSON.stringify({ ...goodFile, account: { ...account, wsUrl: 5 } }));
    const store = openSettingsStore(dir, secrets, silentLogger);
    expect(store.problem?.reset).toEqual(['account.wsUrl']);
    expect(store.view().account).toMatchObject({ wsUrl: '', sipUri: account.sipUri, hasPassword: true });
    expect(store.password()).toBe('pw-1234');
  });

  it('names several resets in one notice: unknown keys, a missing version, a bad provider, a section that is no object', () => {
    writeFileSync(
      file(),
      JSON.stringify({ account, preferences: { ...goodFile.preferences, calls: 'loud', audio: { inputDeviceId: 'mic-7', volume11: true } }, provider: { kind: 'ftp' }, extra: 1 }),
    );
    const store = openSettingsStore(dir, secrets, silentLogger);
    expect(store.problem?.reset).toEqual(['schemaVersion', 'preferences.audio.volume11', 'preferences.calls', 'provider', 'extra']);
    expect(store.view().account?.hasPassword).toBe(true);
    expect(store.view().preferences.audio.inputDeviceId).toBe('mic-7');
    expect(store.view().provider).toEqual({ kind: 'configured' });
  });
});

describe('sizes are bounded', () => {
  it('resets an oversize value (a 1 MB display name) and keeps the rest', () => {
    writeFileSync(file(), JSON.stringify({ ...goodFile, account: { ...account, displayName: 'A'.repeat(1024 * 1024) } }));
    const store = openSettingsStore(dir, secrets, silentLogger);
    expect(store.problem?.reset).toEqual(['account.displayName']);
    expect(store.view().account).toMatchObject({ sipUri: account.sipUri, hasPassword: true });
    expect(store.view().account?.displayName).toBeUndefined();
    expect(readFileSync(file()).length).toBeLessThan(10_000);
  });

  it('sets a 50 MB file aside unread, with a notice', () => {
    writeFileSync(file(), JSON.stringify({ ...goodFile, account: { ...account, displayName: 'A'.repeat(50 * 1024 * 1024) } }));
    const store = openSettingsStore(dir, secrets, silentLogger);
    expect(store.problem).toMatchObject({ reason: 'too-large', notice: expect.stringMatching(/could not be read \(settings\.json is 50\.0 MB/) });
    expect(store.view().account).toBeNull();
    expect(aside()).toEqual([expect.stringMatching(/^settings\.json\.too-large-/)]);
  });

  it('refuses to store an oversize value through the contract', () => {
    const store = openSettingsStore(dir, secrets, silentLogger);
    const parsed = contract.settings.saveAccount.request.safeParse({ wsUrl: account.wsUrl, sipUri: account.sipUri, displayName: 'A'.repeat(129) });
    expect(parsed.success).toBe(false);
    expect(store.view().account).toBeNull();
  });
});

describe('the core at start-up', () => {
  it('shows exactly one notice naming what was reset, and starts with the account', async () => {
    writeFileSync(file(), JSON.stringify({ ...goodFile, preferences: { ...goodFile.preferences, holdMusic: { volume: 7 } }, account: { ...account, caFile: 42 } }));
    const { core, ui } = await startTestCore({ dataDir: dir, secrets });
    try {
      const notices = await ui.invoke('app:notices');
      expect(notices).toMatchObject({ ok: true, value: [{ level: 'warning', message: expect.stringMatching(/account\.caFile, preferences\.holdMusic\.volume/) }] });
      expect((notices as { value: unknown[] }).value).toHaveLength(1);
      expect(await ui.invoke('settings:get')).toMatchObject({ ok: true, value: { account: { sipUri: account.sipUri, hasPassword: true } } });
    } finally {
      await core.stop();
    }
  });
});

describe('a failed write', () => {
  it('leaves no temp file and the settings as they were', () => {
    const store = openSettingsStore(dir, secrets, silentLogger);
    // settings.json replaced by a folder that is not empty: the rename of the fresh temp file fails.
    rmSync(file());
    mkdirSync(join(file(), 'in-the-way'), { recursive: true });
    let thrown: unknown;
    try {
      store.updatePreferences({ holdMusic: { volume: 0.9 } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConsoleError);
    expect((thrown as ConsoleError).code).toBe('storage');
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(store.view().preferences.holdMusic.volume).toBe(0.5);
  });

  it('a temp file left by a crash is removed at the next start', () => {
    writeFileSync(`${file()}.tmp-99999`, '{"half":');
    openSettingsStore(dir, secrets, silentLogger);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });
});
