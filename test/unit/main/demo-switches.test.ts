/**
 * What keeps the demo apart from the agent's own data (main/demo/history.ts,
 * account.ts): the history switch sends every read, record and listener to
 * the database in force — the demo's own file while the demo runs — and
 * tells listeners when it switches; the account switch hands the line the
 * demo account without the settings store ever seeing it. Both over the real
 * history and settings code, in a temporary folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoAccount, demoAccountSwitch } from '../../../main/demo/account';
import { demoDataDir, switchableHistory } from '../../../main/demo/history';
import { startHistory } from '../../../main/history';
import { silentLogger } from '../../../main/logging/logger';
import { openSettingsStore } from '../../../main/settings/store';
import { harnessSecretStore } from '../../harness/secrets';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'demo-switch-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});


describe('demo history switch', () => {
  const options = (dataDir: string) => ({ dataDir, log: silentLogger, now: () => 1_700_000_000_000, retentionDays: () => null, notice: () => {} });

  it('records and reads in the demo\u2019s own file while the demo runs, and tells listeners when it switches', () => {
    const dataDir = temp();
    const history = switchableHistory(startHistory(options(dataDir)), () => startHistory(options(demoDataDir(dataDir))));
    const changes: unknown[] = [];
    const off = history.reader.onChange((c) => changes.push(c));
    const at = 1_700_000_000_000;
    history.recorder.callStarted({ callId: 'real-1', direction: 'incoming', localLine: 'sip:1001@pbx.example.com', remote: { number: '+4930111' }, at });
    history.recorder.callEnded({ callId: 'real-1', at: at + 1000, outcome: 'missed', endedBy: 'remote' });

    history.use('demo');
    expect(history.current).toBe('demo');
    expect(changes.at(-1)).toEqual({ kind: 'seen', id: 0 });
    expect(history.reader.page({}).items).toEqual([]);
    history.recorder.callStarted({ callId: 'demo-1', direction: 'incoming', localLine: 'sip:agent@demo.invalid', remote: { number: '+4930555010' }, at });
    history.recorder.callAnswered('demo-1', at + 500);
    history.recorder.callEnded({ callId: 'demo-1', at: at + 2000, outcome: 'answered', endedBy: 'agent' });
    expect(history.reader.page({}).items.map((c) => c.callId)).toEqual(['demo-1']);
    expect(history.reader.missedCalls().unseen).toBe(0);

    history.use('own');
    expect(history.reader.page({}).items.map((c) => c.callId)).toEqual(['real-1']);
    expect(history.reader.missedCalls().unseen).toBe(1);
    expect(existsSync(join(dataDir, 'demo', 'history.sqlite3'))).toBe(true);
    const before = changes.length;
    // Each switch tells the listeners once; staying where it is tells nothing.
    history.use('demo');
    history.use('demo');
    history.use('own');
    expect(changes.length).toBe(before + 2);
    off();
    history.stop();
  });
});

describe('demo account switch', () => {
  it('gives the line the demo account and password while on, the real ones otherwise, and never stores the demo\u2019s', () => {
    const dataDir = temp();
    const store = openSettingsStore(dataDir, harnessSecretStore(), silentLogger);
    store.saveAccount({ wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: 'secret' });
    const onDisk = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    const line = demoAccountSwitch(store);
    const demo = demoAccount('ws://127.0.0.1:4000/token');

    line.use(demo);
    expect(line.active).toBe(true);
    expect(line.settings.file().account).toMatchObject({ wsUrl: 'ws://127.0.0.1:4000/token', sipUri: 'sip:agent@demo.invalid' });
    expect(line.settings.password()).toBe(demo.password);
    // Everything else is the real store's, and what is on disk is untouched.
    expect(line.settings.view().account?.sipUri).toBe('sip:1001@pbx.example.com');
    line.settings.updatePreferences({ agent: { wrapUpSec: 10 } });
    expect(store.file().preferences.agent.wrapUpSec).toBe(10);
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).account).toEqual(JSON.parse(onDisk).account);

    line.use(null);
    expect(line.settings.file().account?.sipUri).toBe('sip:1001@pbx.example.com');
    expect(line.settings.password()).toBe('secret');
  });
});
