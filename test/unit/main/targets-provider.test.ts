/**
 * Choosing where transfer targets come from (main/core/targets.ts): the
 * provider the settings name is started (the old one stopped first), its view
 * is what targets:list shows, a provider that cannot start leaves the
 * configured list with the reason, and transfers go through the provider's
 * own backend when it has one — through one backend object the transfer
 * service keeps. Provider settings are saved with their secret sealed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetsView } from '../../../preload/contract';
import { allCapabilities, type TransferBackend } from '../../../main/calls/transfer/backend';
import { startTargets, type ProviderFactory } from '../../../main/core/targets';
import { silentLogger } from '../../../main/logging/logger';
import { openSettingsStore } from '../../../main/settings/store';
import type { TargetProvider } from '../../../main/targets/provider';
import { harnessSecretStore } from '../../harness/secrets';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'targets-provider-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const backendNamed = (name: string, can = allCapabilities): TransferBackend & { calls: string[] } => {
  const calls: string[] = [];
  return {
    calls,
    capabilities: can,
    handOver: (callId, referTo) => void calls.push(`${name} handOver ${callId} ${referTo}`),
    dialog: () => null,
    onIncomingRequest: () => () => {},
    reportIncoming: () => {},
    refuseIncoming: () => {},
    dispose: () => void calls.push(`${name} dispose`),
  };
};

function fakeProvider(kind: 'sip' | 'voipbin', log: string[], backend?: TransferBackend): TargetProvider & { emit(v: Partial<TargetsView>): void } {
  const listeners = new Set<(v: TargetsView) => void>();
  let view: TargetsView = { provider: kind, state: 'connecting', reason: null, queues: [], colleagues: [], agentStatus: null, updatedAt: 1 };
  return {
    kind,
    view: () => view,
    onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
    ...(backend && { transferBackend: backend }),
    start: () => void log.push(`start ${kind}`),
    stop: async () => void log.push(`stop ${kind}`),
    emit(v) {
      view = { ...view, ...v };
      for (const l of [...listeners]) l(view);
    },
  };
}

function rig(factory: ProviderFactory) {
  const settings = openSettingsStore(dir, harnessSecretStore(), silentLogger);
  const sip = backendNamed('sip');
  const views: TargetsView[] = [];
  const targets = startTargets({ settings, sipBackend: sip, factory, now: () => 7, log: silentLogger });
  targets.onChange((v) => views.push(v));
  return { settings, sip, targets, views };
}

describe('the target provider the settings choose', () => {
  it('starts on the configured list; a chosen provider replaces it, its updates are pushed, and switching back stops it', async () => {
    const log: string[] = [];
    const platform = backendNamed('voipbin', { safeBlind: false, attended: false, swap: false, incomingRefer: false });
    let made: ReturnType<typeof fakeProvider> | null = null;
    const r = rig((kind) => (made = fakeProvider(kind, log, platform)));
    expect(r.targets.view()).toMatchObject({ provider: 'configured', state: 'configured' });
    expect(r.targets.backend.capabilities).toEqual(allCapabilities);

    r.settings.saveProvider({ kind: 'voipbin', apiUrl: 'https://api.voipbin.example/v1.0', login: { method: 'accesskey', accessKey: 'k-123' } });
    await r.targets.refresh(true);
    expect(log).toEqual(['start voipbin']);
    expect(r.targets.view()).toMatchObject({ provider: 'voipbin', state: 'connecting' });
    made!.emit({ state: 'live', queues: [{ id: 'q1', name: 'Support', address: '2000', waiting: 3, longestWaitSec: 95, availableAgents: 1 }] });
    expect(r.views.at(-1)).toMatchObject({ provider: 'voipbin', state: 'live', queues: [{ waiting: 3 }] });

    // Transfers go through the platform now, through the same backend object.
    expect(r.targets.backend.capabilities.safeBlind).toBe(false);
    r.targets.backend.handOver('c1', 'sip:2001@pbx.test', { accepted() {}, rejected() {}, progress() {} });
    expect(platform.calls).toEqual(['voipbin handOver c1 sip:2001@pbx.test']);
    expect(r.sip.calls).toEqual([]);

    r.settings.saveProvider({ kind: 'configured' });
    await r.targets.refresh(true);
    expect(log).toEqual(['start voipbin', 'stop voipbin']);
    expect(r.targets.view()).toMatchObject({ provider: 'configured' });
    r.targets.backend.handOver('c2', 'sip:2002@pbx.test', { accepted() {}, rejected() {}, progress() {} });
    expect(r.sip.calls).toEqual(['sip handOver c2 sip:2002@pbx.test']);
    await r.targets.stop();
  });

  it('a provider that cannot start leaves the configured list, marked failed with the reason', async () => {
    const r = rig(() => ({ unavailable: 'No SIP account is set up.' }));
    r.settings.updatePreferences({ targets: { queues: [{ name: 'Support', address: '2000' }] } });
    r.settings.saveProvider({ kind: 'sip' });
    await r.targets.refresh(true);
    expect(r.targets.view()).toMatchObject({ provider: 'sip', state: 'failed', reason: 'No SIP account is set up.', queues: [{ name: 'Support' }] });
    await r.targets.stop();
  });

  it('a preference change that leaves the provider alone restarts nothing; a changed target list restarts a SIP provider', async () => {
    const log: string[] = [];
    const r = rig((kind) => fakeProvider(kind, log));
    r.settings.saveProvider({ kind: 'sip' });
    await r.targets.refresh(true);
    r.settings.updatePreferences({ calls: { dtmf: 'rfc2833' } });
    await r.targets.refresh(false);
    expect(log).toEqual(['start sip']);
    r.settings.updatePreferences({ targets: { colleagues: [{ name: 'Bob', address: '2001' }] } });
    await r.targets.refresh(false);
    expect(log).toEqual(['start sip', 'stop sip', 'start sip']);
    await r.targets.stop();
    expect(log.at(-1)).toBe('stop sip');
  });
});

it('a refresh that arrives after stop (a line restart finishing late) starts nothing', async () => {
  const log: string[] = [];
  const r = rig((kind) => fakeProvider(kind, log));
  r.settings.saveProvider({ kind: 'sip' });
  await r.targets.stop();
  await r.targets.refresh(true);
  expect(log).toEqual([]);
});

describe('provider settings', () => {
  it('keeps the VoIPBIN secret sealed, write-only, and tied to its login', () => {
    const settings = openSettingsStore(dir, harnessSecretStore(), silentLogger);
    const view = settings.saveProvider({ kind: 'voipbin', apiUrl: 'https://api.voipbin.example/v1.0', login: { method: 'password', username: 'agent7', password: 'pw-secret' } });
    expect(view.provider).toEqual({ kind: 'voipbin', apiUrl: 'https://api.voipbin.example/v1.0', method: 'password', username: 'agent7', hasSecret: true });
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('pw-secret');
    expect(settings.providerSecret()).toBe('pw-secret');
    // Omitted: kept for the same login…
    settings.saveProvider({ kind: 'voipbin', apiUrl: 'https://api2.voipbin.example/v1.0', login: { method: 'password', username: 'agent7' } });
    expect(settings.providerSecret()).toBe('pw-secret');
    // …never inherited by another one.
    settings.saveProvider({ kind: 'voipbin', apiUrl: 'https://api2.voipbin.example/v1.0', login: { method: 'password', username: 'agent8' } });
    expect(settings.providerSecret()).toBeNull();
  });

  it.each([
    ['plain http to a remote host', { kind: 'voipbin', apiUrl: 'http://api.voipbin.net/v1.0', login: { method: 'accesskey' } }],
    ['an unknown provider', { kind: 'teams' }],
    ['a user name that is empty', { kind: 'voipbin', apiUrl: 'https://api.voipbin.net/v1.0', login: { method: 'password', username: ' ' } }],
  ])('refuses %s', (_what, input) => {
    const settings = openSettingsStore(dir, harnessSecretStore(), silentLogger);
    expect(() => settings.saveProvider(input as never)).toThrow();
    expect(settings.view().provider).toEqual({ kind: 'configured' });
  });
});
