/**
 * The agent's status as the core assembles it (main/core/agent.ts) over the
 * real call service and router: the last answered call ending starts a
 * wrap-up, the channels answer with the view and typed refusals, the platform
 * gets the status (or keeps none), do-not-disturb is a saved preference, and
 * while quiet an incoming call is refused when the agent chose so — never an
 * INVITE with Replaces. The whole core serves agent:* and answers desktop:*
 * with `unavailable` when no desktop shell is attached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallService } from '../../../main/calls/call/service';
import { startAgent } from '../../../main/core/agent';
import { registerAgentHandlers } from '../../../main/ipc/agent';
import { createRouter } from '../../../main/ipc/router';
import { silentLogger } from '../../../main/logging/logger';
import { openSettingsStore } from '../../../main/settings/store';
import { ConsoleError, type AgentView, type PreferencesPatch } from '../../../preload/contract';
import { harnessSecretStore } from '../../harness/secrets';
import { fakeTelephony } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';
import { startTestCore } from '../../support/core';
import { fakeUiTransport } from '../../support/ui-transport';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent-core-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(prefs: PreferencesPatch = {}, setAgentStatus = vi.fn(async (): Promise<void> => {
  throw new ConsoleError('not-allowed', 'keeps none');
})) {
  const clock = new FakeClock(50_000);
  const ui = fakeUiTransport();
  const router = createRouter(ui.transport, { uiUrl: () => 'http://127.0.0.1:4000/ui/index.html', log: silentLogger });
  const settings = openSettingsStore(dir, harnessSecretStore(), silentLogger);
  settings.updatePreferences(prefs);
  const tel = fakeTelephony();
  const calls = createCallService({
    recorder: { callStarted() {}, callAnswered() {}, callEnded() {}, holdStarted() {}, holdEnded() {} },
    alerts: { ringer() {}, incoming() {}, dismiss() {}, missed() {}, problem() {} },
    music: { set: async () => null },
    clock,
    preferences: () => settings.file().preferences.calls,
    publish: () => {},
    log: silentLogger,
  });
  calls.attach(tel.telephony);
  const recorded: string[] = [];
  const agent = startAgent({
    router,
    settings,
    calls,
    targets: { setAgentStatus },
    recorder: {
      agentStatusStarted: (e) => recorded.push(`${e.status} ${e.cause}`),
      agentWrapUpExtended: () => recorded.push('extended'),
      agentStatusEnded: () => recorded.push('end'),
    },
    now: clock.now,
    log: silentLogger,
  });
  registerAgentHandlers(router, agent);
  const pushed = () => ui.pushed<AgentView>('agent:changed');
  /** A call rings, is answered and the far end accepts. */
  const talk = (id: string) => {
    const leg = tel.ring(id);
    calls.answer(id);
    leg.emit({ type: 'sip.accepted' });
    return leg;
  };
  return { ui, agent, calls, tel, settings, pushed, talk, recorded, setAgentStatus };
}

describe('agent status in the core', () => {
  it('starts available and offers away and wrap-up', async () => {
    const h = setup();
    const r = await h.ui.invoke('agent:status');
    expect(r).toMatchObject({ ok: true, value: { status: 'available', wrapUp: null, doNotDisturb: false, quiet: false, quietCalls: 'ring', allowedActions: ['away', 'wrap-up'] } });
    h.agent.stop();
  });

  it('wrap-up starts when the last answered call ends, not while another is up', () => {
    const h = setup({ agent: { wrapUpSec: 20 } });
    const a = h.talk('a');
    const b = h.talk('b'); // a goes on hold
    a.emit({ type: 'sip.ended', by: 'remote', reason: 'Bye', code: null });
    expect(h.agent.view().status).toBe('available');
    b.emit({ type: 'sip.ended', by: 'remote', reason: 'Bye', code: null });
    const v = h.agent.view();
    expect(v).toMatchObject({ status: 'wrap-up', wrapUp: { cause: 'call-ended', endsAt: v.since + 20_000 }, allowedActions: ['available', 'away', 'extend-wrap-up', 'end-wrap-up'] });
    expect(h.pushed().at(-1)?.status).toBe('wrap-up');
    expect(h.recorded).toEqual(['available start', 'wrap-up call-ended']);
    h.agent.stop();
    expect(h.agent.service.counters().timers).toBe(0);
  });

  it('agent:extend-wrap-up and agent:end-wrap-up work in wrap-up and are refused outside it', async () => {
    const h = setup();
    expect(await h.ui.invoke('agent:extend-wrap-up')).toEqual({ ok: false, code: 'not-allowed', message: 'Only a wrap-up can be extended.' });
    await h.ui.invoke('agent:set', { status: 'wrap-up' });
    const extended = await h.ui.invoke('agent:extend-wrap-up');
    expect(extended).toMatchObject({ ok: true, value: { status: 'wrap-up', wrapUp: { extensions: 1, cause: 'agent' } } });
    expect(await h.ui.invoke('agent:end-wrap-up')).toMatchObject({ ok: true, value: { status: 'available' } });
    expect(await h.ui.invoke('agent:set', { status: 'busy' })).toMatchObject({ ok: false, code: 'invalid-request' });
    h.agent.stop();
  });

  it('hands each status to the targets provider: none where it keeps none, synced where it does', async () => {
    const none = setup();
    await none.ui.invoke('agent:set', { status: 'away' });
    await vi.waitFor(() => expect(none.agent.view().platform).toEqual({ state: 'none', message: null }));
    expect(none.setAgentStatus).toHaveBeenCalledWith('away');
    none.agent.stop();

    const kept = setup({}, vi.fn(async () => {}));
    await kept.ui.invoke('agent:set', { status: 'away' });
    await vi.waitFor(() => expect(kept.agent.view().platform.state).toBe('synced'));
    expect(kept.pushed().at(-1)?.platform.state).toBe('synced');
    kept.agent.stop();

    const failing = setup({}, vi.fn(async () => {
      throw new ConsoleError('unavailable', 'Your status could not be set: VoIPBIN is unreachable');
    }));
    await failing.ui.invoke('agent:set', { status: 'away' });
    await vi.waitFor(() => expect(failing.agent.view().platform).toEqual({ state: 'failed', message: 'Your status could not be set: VoIPBIN is unreachable' }));
    failing.agent.stop();
  });

  it('do-not-disturb is saved in the preferences, pushed with the settings, and makes the agent quiet', async () => {
    const h = setup();
    const r = await h.ui.invoke('agent:set-do-not-disturb', { on: true });
    expect(r).toMatchObject({ ok: true, value: { doNotDisturb: true, quiet: true, status: 'available' } });
    expect(h.settings.file().preferences.agent.doNotDisturb).toBe(true);
    expect(h.ui.pushed<{ preferences: { agent: { doNotDisturb: boolean } } }>('settings:changed').at(-1)?.preferences.agent.doNotDisturb).toBe(true);
    h.agent.stop();
  });

  it('while quiet with quietCalls=reject an incoming call is refused with the decline code; with ring it rings', async () => {
    const h = setup({ agent: { quietCalls: 'reject' }, calls: { declineWith: 'decline' } });
    const first = h.tel.ring('a');
    expect(first.commands).toEqual([]); // not quiet yet
    h.agent.set('away');
    const second = h.tel.ring('b');
    expect(second.commands).toEqual(['decline 603']);
    // An INVITE with Replaces takes over a call the agent has: never refused.
    const replacing = h.tel.ring('c', { replaces: 'a' });
    expect(replacing.commands).toEqual([]);
    h.agent.set('available');
    h.agent.setDoNotDisturb(true);
    expect(h.tel.ring('d').commands).toEqual(['decline 603']);
    h.agent.stop();

    const ringing = setup({ agent: { doNotDisturb: true, quietCalls: 'ring' } });
    expect(ringing.tel.ring('e').commands).toEqual([]);
    expect(ringing.calls.list()[0]?.state).toBe('ringing');
    ringing.agent.stop();
  });

  it('the whole core serves agent:* and answers desktop:* unavailable without a desktop shell', async () => {
    const { core, ui } = await startTestCore({ dataDir: dir });
    expect(await ui.invoke('agent:status')).toMatchObject({ ok: true, value: { status: 'available' } });
    expect(await ui.invoke('desktop:state')).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await ui.invoke('desktop:take-dial-request')).toEqual({ ok: true, value: null });
    expect(await ui.invoke('desktop:export-diagnostics')).toMatchObject({ ok: false, code: 'unavailable' });
    // The preferences carry the new sections with their defaults.
    const settings = await ui.invoke('settings:get');
    expect(settings).toMatchObject({ ok: true, value: { preferences: { agent: { wrapUpSec: 30 }, desktop: { openAtLogin: false, hotkeys: { answer: 'CommandOrControl+Alt+Shift+A' } } } } });
    await core.stop();
  });
});
