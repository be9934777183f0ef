/**
 * The built-in demo end to end (docs/demo.md): the console's real line,
 * calls, transfers and history against the demo's switchboard and its
 * people, in the harness — the UI's requests go through the real router, the
 * audio through WebRTC between the media host and the demo's parties page.
 * What each side hears is checked on the parties' side (their ears) and on
 * the agent's (the media host's playback), by voice: every demo party has a
 * pitch of its own (main/demo/roster.ts), the agent's microphone is 660 Hz.
 *
 * One console for the whole file, scenario after scenario, as an agent
 * would try the demo: start, take a queue call, hold, transfer it blind and
 * attended, a busy and an absent colleague give the caller back, colleagues
 * hand calls to the agent, the history keeps demo calls apart, and leaving
 * gives the agent's own account back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLEAGUES, DEMO_DOMAIN } from '../../main/demo/roster';
import type { CallSnapshot, DemoView, HistoryPage, TargetsView, TransferSnapshot } from '../../preload/contract';
import { AGENT_TONE, builtPagesMissing, startDemoConsole, type DemoConsole } from './fixture';

const colleague = (id: string) => COLLEAGUES.find((c) => c.id === id)!;
const target = (id: string) => ({ kind: 'colleague' as const, name: colleague(id).name, address: colleague(id).user });
const REAL = { wsUrl: 'ws://127.0.0.1:9/real-pbx', sipUri: 'sip:1001@pbx.example.com' };

describe.skipIf(builtPagesMissing())('the built-in demo, end to end', () => {
  let dc: DemoConsole;

  beforeAll(async () => {
    dc = await startDemoConsole({ name: 'demo-console', account: REAL });
    await dc.core.telephony.accountChanged();
  });
  afterAll(async () => {
    await dc?.stop();
  });

  /** A caller rings the Support queue; returns their party id, voice and the console's call once it rings. */
  const queueCaller = async () => {
    const d = dc.director();
    const party = d.sendCaller();
    expect(party).not.toBeNull();
    const voice = d.callers().find((c) => c.id === party)!.persona.voice.f0;
    const call = await dc.until(() => dc.live().find((c) => c.direction === 'incoming' && c.state === 'ringing'), 15_000, 'the queue call ringing');
    return { party: party!, voice, call };
  };

  const answered = async (call: CallSnapshot) => {
    await dc.api('calls.answer', { callId: call.id });
    return dc.until(() => dc.live().find((c) => c.id === call.id && c.state === 'established'), 15_000, 'answered');
  };

  const consoleIdle = () => dc.until(() => dc.live().length === 0, 20_000, 'no call left at the console');

  it('starts on its own account: switchboard, colleagues, the line registered — the real account untouched', async () => {
    const before = dc.core.settings.view().account;
    expect(before?.sipUri).toBe(REAL.sipUri);
    const view = await dc.api<DemoView>('demo.start', { pace: 'manual' });
    expect(view).toMatchObject({ state: 'on', available: true, address: `sip:agent@${DEMO_DOMAIN}` });
    expect(dc.core.telephony.lineStatus()).toMatchObject({ state: 'registered', aor: `sip:agent@${DEMO_DOMAIN}` });
    expect(dc.core.settings.view().account).toEqual(before);
    expect(dc.core.settings.file().account?.wsUrl).toBe(REAL.wsUrl);

    // The demo's queue and colleagues are the targets, live.
    const targets = await dc.until(async () => {
      const t = await dc.api<TargetsView>('targets.list');
      return t.state === 'live' && t.colleagues.every((c) => c.presence === 'available') ? t : null;
    }, 10_000, 'the demo targets live');
    expect(targets.queues).toEqual([expect.objectContaining({ name: 'Support', address: '500', waiting: 0, availableAgents: 1 })]);
    expect(targets.colleagues.map((c) => c.name)).toEqual(COLLEAGUES.map((c) => c.name));
  });

  it('a queue caller rings the agent; once answered each hears the other', async () => {
    const { party, voice, call } = await queueCaller();
    expect(call.remote.displayName).toBeTruthy();
    const waiting = await dc.api<TargetsView>('targets.list');
    expect(waiting.queues[0]).toMatchObject({ waiting: 1, availableAgents: 0 });
    await answered(call);
    await dc.agentHearsEventually((h) => h.voices.includes(voice), 15_000, 'the agent hears the caller');
    await dc.partyHears(party, (h) => h.tones.includes(AGENT_TONE) && !h.music, 15_000, 'the caller hears the agent');

    // Hold: the caller hears the console's hold music, not the agent; resume: the agent again.
    await dc.api('calls.hold', { callId: call.id });
    await dc.until(() => dc.live().find((c) => c.id === call.id && c.hold.local && !c.holdPending), 10_000, 'held');
    await dc.partyHears(party, (h) => h.music && !h.tones.includes(AGENT_TONE), 15_000, 'the held caller hears music');
    await dc.api('calls.unhold', { callId: call.id });
    await dc.until(() => dc.live().find((c) => c.id === call.id && !c.hold.local && !c.holdPending), 10_000, 'resumed');
    await dc.partyHears(party, (h) => h.tones.includes(AGENT_TONE) && !h.music, 15_000, 'the resumed caller hears the agent');
  });

  it('blind transfer to a colleague who answers: the colleague hears the caller, the caller the colleague', async () => {
    const call = dc.live()[0]!;
    const party = dc.director().callers()[0]!;
    dc.director().setIncoming('anna', { kind: 'answer', afterMs: 800 });
    await dc.api<TransferSnapshot>('transfer.blind', { callId: call.id, target: target('anna'), safe: false });
    await consoleIdle();
    await dc.partyHears('anna', (h) => h.voices.includes(party.persona.voice.f0), 20_000, 'Anna hears the caller');
    await dc.partyHears(party.id, (h) => h.voices.includes(colleague('anna').voice.f0), 15_000, 'the caller hears Anna');
    dc.director().hangUp('anna');
    await dc.until(() => dc.director().callers().length === 0, 15_000, 'the caller gone');
  });

  it('attended transfer: the agent consults the colleague, completes, and the colleague hears the caller', async () => {
    const { party, voice, call } = await queueCaller();
    await answered(call);
    dc.director().setIncoming('carla', { kind: 'answer', afterMs: 800 });
    await dc.api<TransferSnapshot>('transfer.attended', { callId: call.id, target: target('carla') });
    await dc.until(() => dc.live().some((c) => c.id !== call.id && c.state === 'established'), 20_000, 'the consult answered');
    await dc.agentHearsEventually((h) => h.voices.includes(colleague('carla').voice.f0), 15_000, 'the agent hears Carla in the consult');
    await dc.partyHears(party, (h) => h.music && h.voices.length === 0, 15_000, 'the caller hears music during the consult');

    await dc.api<TransferSnapshot>('transfer.complete', { callId: call.id });
    await consoleIdle();
    await dc.partyHears('carla', (h) => h.voices.includes(voice), 20_000, 'Carla hears the caller');
    await dc.partyHears(party, (h) => h.voices.includes(colleague('carla').voice.f0), 15_000, 'the caller hears Carla');
    dc.director().hangUp('carla');
    await dc.until(() => dc.director().callers().length === 0, 15_000, 'the caller gone');
  });

  it('safe blind to a busy colleague, then to one who does not answer: the caller comes back each time', async () => {
    dc.core.settings.updatePreferences({ transfer: { safeBlindTimeoutSec: 5 } });
    const { party, call } = await queueCaller();
    await answered(call);

    // Undo inside the window: nothing reaches the colleague, the call is as it was.
    const pending = await dc.api<TransferSnapshot>('transfer.blind', { callId: call.id, target: target('anna'), safe: true });
    expect(pending.phase).toBe('pending');
    const undone = await dc.api<TransferSnapshot>('transfer.undo', { callId: call.id });
    expect(undone.phase).toBe('idle');
    await new Promise((r) => setTimeout(r, 3500));
    expect(dc.director().calls('anna')).toEqual([]);
    await dc.partyHears(party, (h) => h.tones.includes(AGENT_TONE) && !h.music, 15_000, 'the caller still hears the agent after the undo');

    dc.director().setIncoming('ben', { kind: 'reject', status: 486, afterMs: 500 });
    await dc.api<TransferSnapshot>('transfer.blind', { callId: call.id, target: target('ben'), safe: true });
    const busy = await dc.until(async () => {
      const list = await dc.api<TransferSnapshot[]>('transfer.list');
      return list.find((t) => t.callId === call.id && t.outcome !== null && t.phase === 'idle') ?? null;
    }, 20_000, 'the caller taken back from Ben');
    expect(busy.outcome?.result).not.toBe('completed');
    await dc.until(() => dc.live().find((c) => c.id === call.id && !c.hold.local && !c.holdPending), 10_000, 'the caller resumed');
    await dc.partyHears(party, (h) => h.tones.includes(AGENT_TONE) && !h.music, 15_000, 'the caller hears the agent again');

    dc.director().setIncoming('david', { kind: 'ignore' });
    const before = busy.outcome?.at ?? 0;
    await dc.api<TransferSnapshot>('transfer.blind', { callId: call.id, target: target('david'), safe: true });
    await dc.until(async () => {
      const list = await dc.api<TransferSnapshot[]>('transfer.list');
      return list.find((t) => t.callId === call.id && t.phase === 'idle' && (t.outcome?.at ?? 0) > before) ?? null;
    }, 25_000, 'the caller taken back after David did not answer');
    await dc.partyHears(party, (h) => h.tones.includes(AGENT_TONE) && !h.music, 15_000, 'the caller hears the agent again');
    expect(dc.live().filter((c) => c.id !== call.id)).toEqual([]);
    await dc.api('calls.hangup', { callId: call.id });
    await consoleIdle();
    await dc.until(() => dc.director().callers().length === 0, 15_000, 'the caller gone');
  });

  it('colleagues hand their own callers to the agent: blind (REFER) and after a consult (Replaces)', async () => {
    const d = dc.director();
    // Blind: Anna's outside caller is referred to the agent and rings as a transferred call.
    d.setIncoming('anna', null);
    const first = d.outsideCall('anna', 'hang-up');
    expect(first).not.toBeNull();
    await dc.until(() => d.calls('anna').some((c) => c.phase === 'established'), 15_000, 'Anna talking to her caller');
    d.handOn('anna', false);
    const referred = await dc.until(() => dc.live().find((c) => c.state === 'ringing'), 15_000, 'the referred caller ringing');
    expect(referred.transferredBy).toBeDefined();
    await answered(referred);
    const firstVoice = d.callers().find((c) => c.id === first)!.persona.voice.f0;
    await dc.agentHearsEventually((h) => h.voices.includes(firstVoice), 15_000, 'the agent hears Anna\u2019s caller');
    await dc.until(() => d.calls('anna').length === 0, 15_000, 'Anna off the call');
    await dc.api('calls.hangup', { callId: referred.id });
    await consoleIdle();

    // Attended: Carla consults the agent, then completes with Replaces; the caller takes the consult's place.
    d.setIncoming('carla', null);
    const second = d.outsideCall('carla', 'hang-up');
    await dc.until(() => d.calls('carla').some((c) => c.phase === 'established'), 15_000, 'Carla talking to her caller');
    // A consult long enough to hear Carla on a loaded machine (her habit is 3–6 s, less than audio takes to settle there).
    d.handOn('carla', true, 12_000);
    const consult = await dc.until(() => dc.live().find((c) => c.state === 'ringing'), 15_000, 'Carla\u2019s consult ringing');
    expect(consult.remote.number).toBe(colleague('carla').user);
    await answered(consult);
    await dc.agentHearsEventually((h) => h.voices.includes(colleague('carla').voice.f0), 15_000, 'the agent hears Carla');
    const secondVoice = d.callers().find((c) => c.id === second)!.persona.voice.f0;
    const replaced = await dc.until(() => dc.live().find((c) => c.id !== consult.id && c.state === 'established'), 20_000, 'the caller in place of the consult');
    expect(replaced.remote.number).not.toBe(colleague('carla').user);
    await dc.until(() => !dc.live().some((c) => c.id === consult.id), 10_000, 'the consult replaced');
    await dc.agentHearsEventually((h) => h.voices.includes(secondVoice) && !h.voices.includes(colleague('carla').voice.f0), 15_000, 'the agent hears Carla\u2019s caller');
    await dc.api('calls.hangup', { callId: replaced.id });
    await consoleIdle();
  });

  it('keeps demo calls in the demo\u2019s own history and leaves the agent\u2019s own account and line as they were', async () => {
    const demoHistory = await dc.api<HistoryPage>('history.page', {});
    expect(demoHistory.items.length).toBeGreaterThanOrEqual(5);
    expect(demoHistory.items.every((c) => c.localLine === `sip:agent@${DEMO_DOMAIN}`)).toBe(true);
    // The transfers are in it too: the blind one to Anna, the attended one to Carla.
    expect(demoHistory.items.filter((c) => c.transferred).map((c) => c.transferTarget)).toEqual(expect.arrayContaining([expect.stringMatching(/Carla|203/), expect.stringMatching(/Anna|201/)]));

    const session = dc.core.demo.session!;
    const view = await dc.api<DemoView>('demo.leave');
    expect(view.state).toBe('off');
    // Nothing of the demo is left: no connection, timer, transaction or person.
    expect(session.switchboard.resources()).toEqual({ connections: 0, timers: 0 });
    expect(session.switchboard.proxy.counters()).toEqual({ clientTransactions: 0, serverTransactions: 0, hosts: 0, dialogs: 0, queued: 0 });
    expect(session.director.resources()).toEqual({ timers: 0, parties: 0, pendingQuestions: 0 });
    expect(dc.core.settings.view().account?.sipUri).toBe(REAL.sipUri);
    await dc.until(() => dc.core.telephony.lineStatus().aor === REAL.sipUri, 10_000, 'the real line back');
    const own = await dc.api<HistoryPage>('history.page', {});
    expect(own.items.filter((c) => c.localLine.includes(DEMO_DOMAIN))).toEqual([]);
    const targets = await dc.api<TargetsView>('targets.list');
    expect(targets.provider).toBe('configured');
    expect(dc.core.demo.session).toBeNull();
    await dc.until(() => {
      const c = dc.core.telephony.media?.counters();
      return c && Object.values(c).every((v) => v === 0) ? c : null;
    }, 10_000, 'no peer connection, stream or timer left in the media host');
  });
});
