/**
 * The account's custom CA certificate (`caFile`): an optional absolute path in
 * the contract (wss:// only), stored and shown back by the settings store,
 * checked in main on account:save (exists, readable, ≤ 1 MB, holds a PEM
 * certificate) and refused under the `caFile` field with nothing saved.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleCore } from '../../../main/core/index';
import { silentLogger } from '../../../main/logging/logger';
import { checkCaFile, maxCaFileBytes } from '../../../main/settings/ca-file';
import type { SecretStore } from '../../../main/settings/secrets';
import { openSettingsStore } from '../../../main/settings/store';
import { contract } from '../../../preload/contract';
import { startTestCore } from '../../support/core';
import { fieldRefusal } from '../../support/refusal';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQk\n-----END CERTIFICATE-----\n';
const secrets: SecretStore = { isAvailable: () => true, seal: (p) => `s:${p}`, open: (s) => s.slice(2) };
const base = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ca-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('caFile in the account contract', () => {
  const parse = (input: unknown) => contract.settings.saveAccount.request.safeParse(input);
  const fieldMessages = (input: unknown) => {
    const r = parse(input);
    expect(r.success).toBe(false);
    return r.error!.issues.filter((i) => i.path.join('.') === 'caFile').map((i) => i.message);
  };

  it('is optional, trimmed, and empty means none', () => {
    expect(parse(base).data).not.toHaveProperty('caFile');
    expect(parse({ ...base, caFile: '' }).data?.caFile).toBeUndefined();
    expect(parse({ ...base, caFile: '   ' }).data?.caFile).toBeUndefined();
    expect(parse({ ...base, caFile: '  /etc/ssl/company-ca.pem ' }).data?.caFile).toBe('/etc/ssl/company-ca.pem');
  });

  it('refuses a relative path, a path over 1024 characters, a non-string, and any CA on ws://', () => {
    expect(fieldMessages({ ...base, caFile: 'certs/ca.pem' })).toEqual([expect.stringMatching(/full path/)]);
    expect(fieldMessages({ ...base, caFile: `/${'a'.repeat(1024)}` })).toEqual([expect.stringMatching(/limited to 1024/)]);
    expect(fieldMessages({ ...base, caFile: 42 })).toHaveLength(1);
    expect(fieldMessages({ ...base, wsUrl: 'ws://lab.example.com:5066', caFile: '/etc/ssl/ca.pem' })).toEqual([
      'A CA certificate is used only with wss:// addresses; clear this field or use wss://',
    ]);
    // Empty on ws:// is fine: nothing to refuse.
    expect(parse({ ...base, wsUrl: 'ws://lab.example.com:5066', caFile: '' }).success).toBe(true);
  });

  it('is part of the account view, and only there when set', () => {
    const view = contract.settings.get.response;
    const account = { ...base, acceptSelfSigned: false, hasPassword: false };
    expect(view.safeParse({ account: { ...account, caFile: '/etc/ssl/ca.pem' }, preferences: {} }).success).toBe(true);
    expect(view.safeParse({ account, preferences: {} }).success).toBe(true);
  });
});

describe('caFile in the settings store', () => {
  it('round-trips: saved to settings.json, shown in the view, kept across a reopen, removed when cleared', () => {
    const store = openSettingsStore(dir, secrets, silentLogger);
    store.saveAccount(contract.settings.saveAccount.request.parse({ ...base, caFile: '/etc/ssl/company-ca.pem' }));
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).account.caFile).toBe('/etc/ssl/company-ca.pem');
    const reopened = openSettingsStore(dir, secrets, silentLogger);
    expect(reopened.problem).toBeNull();
    expect(reopened.view().account).toEqual({ ...base, acceptSelfSigned: false, caFile: '/etc/ssl/company-ca.pem', hasPassword: false });
    expect(reopened.file().account?.caFile).toBe('/etc/ssl/company-ca.pem');

    reopened.saveAccount(contract.settings.saveAccount.request.parse({ ...base, caFile: '' }));
    expect(reopened.view().account).not.toHaveProperty('caFile');
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).account).not.toHaveProperty('caFile');
  });

  it('an older settings file written before caFile existed still loads, as no CA, and nothing is kept aside', () => {
    const older = { schemaVersion: 1, account: { wsUrl: base.wsUrl, sipUri: base.sipUri, acceptSelfSigned: true }, preferences: {} };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(older));
    const store = openSettingsStore(dir, secrets, silentLogger);
    expect(store.problem).toBeNull();
    expect(store.view().account).toEqual({ ...base, acceptSelfSigned: true, hasPassword: false });
    expect(store.file().account?.caFile).toBeUndefined();
  });
});

describe('checkCaFile (real files)', () => {
  const refusal = async (path: string) => {
    const e = await fieldRefusal(checkCaFile(path), 'caFile');
    expect(e.fields!.caFile).toBe(e.message);
    return e.message;
  };

  it('accepts a readable PEM file (a bundle with text around the blocks too) and returns its text', async () => {
    const file = join(dir, 'company-ca.pem');
    writeFileSync(file, `Subject: Example Corp CA\n${PEM}${PEM}`);
    await expect(checkCaFile(file)).resolves.toContain('-----BEGIN CERTIFICATE-----');
  });

  it('refuses a missing file, a folder, and a relative path', async () => {
    expect(await refusal(join(dir, 'missing.pem'))).toBe('No file at this path.');
    mkdirSync(join(dir, 'certs.pem'));
    expect(await refusal(join(dir, 'certs.pem'))).toMatch(/folder/);
    expect(await refusal('certs/ca.pem')).toMatch(/full path/);
  });

  it('refuses a file over 1 MB and says how big it is (sparse: the test writes nothing big)', async () => {
    const file = join(dir, 'huge.pem');
    writeFileSync(file, PEM);
    truncateSync(file, maxCaFileBytes + 1);
    expect(await refusal(file)).toMatch(/1\.0 MB.*limited to 1 MB/);
  });

  it('refuses a file without a PEM certificate block (DER bytes, a private key, an empty file)', async () => {
    writeFileSync(join(dir, 'ca.der'), Buffer.from([0x30, 0x82, 0x01, 0xb3, 0x30, 0x82]));
    expect(await refusal(join(dir, 'ca.der'))).toMatch(/no PEM certificate/);
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
    expect(await refusal(join(dir, 'key.pem'))).toMatch(/no PEM certificate/);
    writeFileSync(join(dir, 'empty.pem'), '');
    expect(await refusal(join(dir, 'empty.pem'))).toMatch(/no PEM certificate/);
  });
});

describe('account:save with a caFile, through the core', () => {
  let core: ConsoleCore | null = null;
  afterEach(async () => {
    await core?.stop();
    core = null;
  });

  async function start() {
    const started = await startTestCore({ secrets, dataDir: dir });
    core = started.core;
    const saveAccount = (input: unknown) => started.ui.invoke('account:save', input);
    const savedAccount = () => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).account;
    const pushed = () => started.ui.pushes.map((p) => p.channel);
    return { saveAccount, savedAccount, pushed };
  }

  it('refuses a CA file that is not PEM under the caFile field and saves nothing; a good one is saved', async () => {
    const { saveAccount, savedAccount, pushed } = await start();
    const notPem = join(dir, 'ca.txt');
    writeFileSync(notPem, 'hello');
    const r = await saveAccount({ ...base, caFile: notPem });
    expect(r).toMatchObject({ ok: false, code: 'invalid-request', fields: { caFile: expect.stringMatching(/no PEM certificate/) } });
    expect(savedAccount()).toBeNull();
    expect(pushed()).not.toContain('settings:changed');

    const missing = join(dir, 'gone.pem');
    expect(existsSync(missing)).toBe(false);
    expect(await saveAccount({ ...base, caFile: missing })).toMatchObject({ ok: false, fields: { caFile: 'No file at this path.' } });
    expect(savedAccount()).toBeNull();

    const good = join(dir, 'company-ca.pem');
    writeFileSync(good, PEM);
    expect(await saveAccount({ ...base, caFile: good })).toMatchObject({ ok: true, value: { account: { caFile: good } } });
    expect(savedAccount()).toMatchObject({ ...base, caFile: good });
  });
});
