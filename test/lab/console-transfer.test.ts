/**
 * Transfers end to end: every row of the scenario matrix in docs/transfers.md (B1–B6,
 * A1–A8, I1–I2) with the REAL console core (JsSIP + call service + transfer
 * service, media through the proxy into the real media-host page) against
 * SIP.js peers through Kamailio. At every step we check what each party
 * HEARS (caller 440 Hz, agent 660 Hz, transferee 880 Hz, hold music = anything
 * audible that is not a test tone), the agent's legs, and the timeline stored
 * in the history database.
 *
 *   npx electron-vite build   # out/renderer/media
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-transfer.test.ts'
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallSnapshot, TransferSnapshot } from '../../preload/contract';
import { until } from '../support/until';
import { startConsole, type ConsoleUnderTest } from './console-fixture';
import { labUnavailable, startLab, TONES, type Lab, type Peer } from './lab';

const { caller: CALLER, agent: AGENT, transferee: TRANSFEREE } = TONES;
/** The hold music the console plays by default, recognised by its own spectral signature (test/lab/detector.ts). */
const MUSIC = { tones: [] as number[], music: 'Lounge' };

describe.skipIf(labUnavailable())('transfers through Kamailio, with audio (docs/transfers.md matrix)', () => {
  let lab: Lab;
  let caller: Peer;
  let transferee: Peer;
  let agent: ConsoleUnderTest;

  beforeAll(async () => {
    lab = await startLab({
      name: 'console-transfer',
      peers: [
        { name: 'caller', signal: 'caller' },
        { name: 'transferee', signal: 'transferee' },
      ],
    });
    caller = lab.peer('caller');
    transferee = lab.peer('transferee');
    agent = await startConsole(lab);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await lab?.stop();
  });

  beforeEach(() => {
    // Short time-outs keep the matrix quick; the undo window is off unless a test wants it.
    agent.setPreferences({
      transfer: { undoWindowSec: 0, safeBlind: true, safeBlindTimeoutSec: 5, completeTimeoutSec: 4, incomingRefer: 'follow' },
    });
  });

  afterEach(async () => {
    await agent.clear().catch(() => undefined);
    await lab.reset();
    // Nothing of the last transfer may linger: no transfer timer, no leg waiting for a hold.
    expect(agent.core.transfers.service.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  // ── helpers ──

  const uriTarget = (p: Peer) => ({ kind: 'uri' as const, uri: p.uri });

  /** The caller dials the agent, the agent answers; both hear each other. */
  async function connectCaller(): Promise<{ call: CallSnapshot; callerCall: string }> {
    const callerCall = await caller.call(agent.uri);
    const call = await agent.answerIncoming();
    await caller.expectHears({ tones: [AGENT] }, 10_000, callerCall);
    await agent.expectAgentHears([CALLER]);
    return { call, callerCall };
  }

  const transferOf = (callId: string, ok: (t: TransferSnapshot) => boolean, what: string, ms = 15_000) =>
    agent.until(() => {
      const t = agent.transfer(callId);
      return t && ok(t) ? t : null;
    }, ms, what);

  const callOf = (id: string) => agent.calls().find((c) => c.id === id);

  /** The stored timeline of a call (history repository), as step names. */
  async function storedSteps(callId: string): Promise<string[]> {
    const repo = agent.core.history!;
    const summary = repo.page({ limit: 100 }).items.find((s) => s.callId === callId);
    expect(summary, `history has call ${callId}`).toBeDefined();
    return repo.get(summary!.id).transfers.map((s) => s.step);
  }

  /** How many calls `p` made by following a REFER so far (SIP.js marks them referredBy). */
  const referredCount = async (p: Peer) => (await p.calls()).filter((x) => x.referredBy !== undefined).length;

  /** The peer's call created by following our REFER: the first one after `before` such calls. */
  async function referredCall(p: Peer, before: number, ms = 10_000): Promise<string> {
    const c = await until(async () => (await p.calls()).filter((x) => x.referredBy !== undefined)[before], {
      timeoutMs: ms,
      what: `${p.name} to follow the REFER`,
      intervalMs: 100,
    });
    return c.id;
  }

  const noLegs = () => agent.until(() => agent.live().length === 0 || null, 15_000, 'agent has no legs');

  /** The caller is back with the agent: music off, talking again, both hear each other. */
  async function callerBack(callId: string, callerCall: string) {
    await agent.until(() => {
      const c = callOf(callId);
      return c && c.state === 'established' && !c.hold.local && !c.holdPending && c.holdAudio === 'you';
    }, 15_000, 'caller resumed');
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000, callerCall);
    await agent.expectAgentHears([CALLER]);
  }

  // ── blind ──

  it('B1 blind, transferee answers: caller⇄transferee, agent released (seed and safe modes)', async () => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 300 });
    for (const safe of [false, true]) {
      const { call } = await connectCaller();
      const before = await referredCount(caller);
      const snap = await agent.request<TransferSnapshot>('transfer:blind', { callId: call.id, target: uriTarget(transferee), safe });
      expect(snap.mode).toBe('blind');
      if (safe) {
        // Safe blind: the caller waits on hold WITH music until the transferee answers.
        await agent.until(() => callOf(call.id)?.holdAudio && typeof callOf(call.id)!.holdAudio === 'object', 10_000, 'music on the caller card');
      }
      const done = await transferOf(call.id, (t) => t.phase === 'done', 'transfer done');
      // Safe: completed once the transferee took the caller. Plain: released on the first progress, the
      // outcome not known then (a NOTIFY that still arrives afterwards is recorded after it).
      expect(done.timeline.map((e) => e.step)).toContain(safe ? 'completed' : 'released');
      await noLegs();
      const newCall = await referredCall(caller, before);
      await caller.waitForCallState(newCall, 'established');
      await caller.expectHears({ tones: [TRANSFEREE], music: false }, 10_000, newCall);
      await transferee.expectHears({ tones: [CALLER] }, 10_000);
      const steps = await storedSteps(call.id);
      expect(steps).toEqual(expect.arrayContaining(['requested', 'refer-sent', safe ? 'completed' : 'released']));
      if (safe) {
        // Supervised: our own leg reached the transferee first; the REFER (with Replaces) went out only after its answer.
        expect(steps.indexOf('answered')).toBeGreaterThan(-1);
        expect(steps.indexOf('answered')).toBeLessThan(steps.indexOf('refer-sent'));
        const replacing = (await transferee.calls()).findLast((c) => c.replaced !== undefined);
        expect(replacing, 'the caller replaced our leg at the transferee (INVITE with Replaces)').toBeDefined();
      }
      await caller.hangup(newCall);
      await caller.reset();
      await transferee.reset();
      await transferee.setIncoming({ mode: 'answer', afterMs: 300 });
      await agent.until(() => agent.live().length === 0 || null);
    }
  }, 90_000);

  async function blindFailure(setup: () => Promise<void>, reasonCode: string, reasonText: string, slow: boolean) {
    // Safe mode: the caller is taken back automatically, music stops, the agent hears the caller.
    // A slow failure waits long enough (10 s) for the music check to read it on a loaded machine.
    if (slow) agent.setPreferences({ transfer: { safeBlindTimeoutSec: 10 } });
    await setup();
    const { call, callerCall } = await connectCaller();
    const refersBefore = caller.events.filter((e) => e.type === 'refer-received').length;
    await agent.request('transfer:blind', { callId: call.id, target: uriTarget(transferee), safe: true });
    // A slow failure (no answer) leaves time to check the caller hears music meanwhile; a 486 comes back at once.
    if (slow) await caller.expectHears(MUSIC, 8000, callerCall);
    const back = await transferOf(call.id, (t) => t.phase === 'idle' && t.reason !== null, 'taken back', 20_000);
    expect(back.reason).toMatchObject({ code: reasonCode, message: reasonText });
    await callerBack(call.id, callerCall);
    // Supervised: the console's own leg met the failure; the caller's phone was never asked to do anything.
    const steps = await storedSteps(call.id);
    expect(steps.slice(0, 2)).toEqual(['requested', 'dialing']);
    expect(steps.slice(-2)).toEqual(['failed', 'taken-back']);
    expect(steps).not.toContain('refer-sent');
    expect(caller.events.filter((e) => e.type === 'refer-received')).toHaveLength(refersBefore);
    await agent.clear();
    await lab.reset();

    // Seed mode: released right after the transferee is dialled; the caller's new call fails.
    await setup();
    const seed = await connectCaller();
    const before = await referredCount(caller);
    await agent.request('transfer:blind', { callId: seed.call.id, target: uriTarget(transferee), safe: false });
    await transferOf(seed.call.id, (t) => t.phase === 'done', 'seed blind released');
    await noLegs();
    const followed = await referredCall(caller, before);
    if (reasonCode !== 'no-answer') {
      const info = await caller.waitForCallState(followed, 'terminated', 15_000).catch(() => null);
      expect(info?.state).toBe('terminated');
    }
  }

  it('B2 blind, transferee busy (486): safe mode takes the caller back ("busy"); seed mode releases the agent', async () => {
    await blindFailure(() => transferee.setIncoming({ mode: 'busy' }), 'busy', 'busy', false);
  }, 90_000);

  it('B3 blind, no answer (time-out): caller taken back with "no answer"', async () => {
    await blindFailure(() => transferee.setIncoming({ mode: 'noAnswer' }), 'no-answer', 'no answer', true);
  }, 90_000);

  it('B4 blind, unknown target (404): caller taken back with "not found"', async () => {
    const nobody = { uri: `sip:nobody@${lab.domain}` } as Peer;
    const { call, callerCall } = await connectCaller();
    await agent.request('transfer:blind', { callId: call.id, target: uriTarget(nobody), safe: true });
    const back = await transferOf(call.id, (t) => t.phase === 'idle' && t.reason !== null, 'taken back', 20_000);
    expect(back.reason).toMatchObject({ code: 'not-found', message: 'not found' });
    await callerBack(call.id, callerCall);
    expect(await storedSteps(call.id)).toEqual(expect.arrayContaining(['failed', 'taken-back']));
  }, 60_000);

  it('B5 blind, REFER rejected (403/405/501): the caller stays with the agent in both modes, reason shown (safe: the transferee who answered is let go)', async () => {
    for (const [code, safe] of [[403, true], [405, false], [501, true]] as const) {
      await caller.setRefer({ mode: 'reject', code });
      // Safe blind asks the caller's phone only once the transferee answered our own leg.
      if (safe) await transferee.setIncoming({ mode: 'answer', afterMs: 200 });
      const { call, callerCall } = await connectCaller();
      await agent.request('transfer:blind', { callId: call.id, target: uriTarget(transferee), safe });
      const back = await transferOf(call.id, (t) => t.phase === 'idle' && t.reason !== null, `REFER ${code} handled`);
      expect(back.reason).toMatchObject({ code: 'refer-refused', sipCode: code });
      await callerBack(call.id, callerCall);
      expect(agent.live()).toHaveLength(1);
      expect(await storedSteps(call.id)).toContain('failed');
      if (safe) {
        // The transferee's call (our supervised leg) was hung up, not left open.
        await until(async () => (await transferee.calls()).every((c) => c.state === 'terminated') || null, { timeoutMs: 10_000, what: 'transferee leg ended' });
      }
      await agent.clear();
      await lab.reset();
    }
  }, 90_000);

  it('B7 safe blind, the transferee answers only after the no-answer time: the caller stays with the agent and no call to the transferee is left ringing', async () => {
    // The seed-era failure: the caller's own call to the transferee outlived the take-back and later stole the caller.
    // No answer after 8 s (long enough to read the music twice on a loaded machine); the transferee picks up at 11 s.
    agent.setPreferences({ transfer: { safeBlindTimeoutSec: 8 } });
    await transferee.setIncoming({ mode: 'answer', afterMs: 11_000 });
    const { call, callerCall } = await connectCaller();
    const refersBefore = caller.events.filter((e) => e.type === 'refer-received').length;
    const invitesBefore = (await transferee.calls()).length;
    await agent.request('transfer:blind', { callId: call.id, target: uriTarget(transferee), safe: true });
    await caller.expectHears(MUSIC, 7000, callerCall);
    const back = await transferOf(call.id, (t) => t.phase === 'idle' && t.reason !== null, 'taken back', 20_000);
    expect(back.reason).toMatchObject({ code: 'no-answer' });
    await callerBack(call.id, callerCall);
    // Our leg was cancelled at the take-back: the transferee has nothing ringing.
    await until(async () => (await transferee.calls()).slice(invitesBefore).every((c) => c.state === 'terminated') || null, {
      timeoutMs: 5000,
      what: 'the transferee’s incoming call cancelled',
    });
    // Past the moment the transferee would have answered: the caller is still the agent's, talking, and never got a REFER.
    const answerWouldBeAt = back.timeline[0]!.at + 11_000;
    await new Promise((r) => setTimeout(r, Math.max(0, answerWouldBeAt + 1000 - Date.now())));
    expect(callOf(call.id)).toMatchObject({ state: 'established', hold: { local: false } });
    await caller.expectHears({ tones: [AGENT], music: false }, 8000, callerCall);
    expect(caller.events.filter((e) => e.type === 'refer-received')).toHaveLength(refersBefore);
    expect((await transferee.calls()).slice(invitesBefore).every((c) => c.state === 'terminated')).toBe(true);
    expect(await storedSteps(call.id)).toEqual(['requested', 'dialing', 'ringing', 'failed', 'taken-back']);
  }, 60_000);

  it('B8 safe blind, the transferee declines (603): the caller is back with the agent, reason "declined", nothing sent to the caller', async () => {
    await transferee.setIncoming({ mode: 'reject', code: 603, afterMs: 500 });
    const { call, callerCall } = await connectCaller();
    const refersBefore = caller.events.filter((e) => e.type === 'refer-received').length;
    await agent.request('transfer:blind', { callId: call.id, target: uriTarget(transferee), safe: true });
    const back = await transferOf(call.id, (t) => t.phase === 'idle' && t.reason !== null, 'taken back', 20_000);
    expect(back.reason).toMatchObject({ code: 'declined', sipCode: 603 });
    await callerBack(call.id, callerCall);
    expect(caller.events.filter((e) => e.type === 'refer-received')).toHaveLength(refersBefore);
  }, 60_000);

  it('B9 safe blind: the console\u2019s own leg to the transferee carries neither the agent\u2019s microphone nor the transferee\u2019s voice (an ordinary call to them carries both)', async () => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 100 });
    const established = (id: string) => agent.until(() => callOf(id)?.state === 'established' || null, 10_000, `${id} established`);
    // Positive control, same parties, same minute: an ordinary call carries audio both ways.
    const ordinary = agent.core.telephony.calls.dial(transferee.uri);
    await established(ordinary.id);
    await transferee.expectHears({ tones: [AGENT] }, 10_000);
    await agent.expectAgentHears([TRANSFEREE]);
    await agent.clear();
    await lab.reset();
    await transferee.setIncoming({ mode: 'answer', afterMs: 100 });
    const supervised = agent.core.telephony.calls.dial(transferee.uri, { supervised: true });
    await established(supervised.id);
    const transfereeCall = (await transferee.calls()).findLast((c) => c.state === 'established')!.id;
    await transferee.expectHears({ tones: [], silence: true }, 10_000, transfereeCall);
    await agent.expectAgentHears([]);
    // …and it stays so over a stretch, not only at one reading.
    const again = await transferee.expectHears({ tones: [], silence: true }, 10_000, transfereeCall);
    expect(again.frames).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('B6 blind, undone within the grace window: no REFER sent, call unchanged', async () => {
    agent.setPreferences({ transfer: { undoWindowSec: 3 } });
    const { call, callerCall } = await connectCaller();
    const refersBefore = caller.events.filter((e) => e.type === 'refer-received').length;
    const pending = await agent.request<TransferSnapshot>('transfer:blind', { callId: call.id, target: uriTarget(transferee) });
    expect(pending.phase).toBe('pending');
    expect(pending.allowedActions).toContain('undo');
    const undone = await agent.request<TransferSnapshot>('transfer:undo', { callId: call.id });
    expect(undone.phase).toBe('idle');
    // The absence is observed over the whole window the transfer would have gone out in (its deadline,
    // plus a margin for the timer), through the caller's and the transferee's own event logs.
    const invitesBefore = (await transferee.calls()).length;
    await new Promise((r) => setTimeout(r, Math.max(0, pending.undoDeadline! + 500 - Date.now())));
    expect(caller.events.filter((e) => e.type === 'refer-received')).toHaveLength(refersBefore);
    expect(await transferee.calls()).toHaveLength(invitesBefore);
    expect(callOf(call.id)).toMatchObject({ state: 'established', hold: { local: false } });
    await caller.expectHears({ tones: [AGENT], music: false }, 8000, callerCall);
    await agent.expectAgentHears([CALLER]);
    // Undo after the window is a typed refusal.
    const late = await agent.ipc('transfer:undo', { callId: call.id });
    expect(late).toMatchObject({ ok: false, code: 'not-allowed' });
    expect(await storedSteps(call.id)).toEqual(['requested', 'undone']);
  }, 60_000);

  // ── attended ──

  /** Caller connected, attended transfer started, consult answered by the transferee; privacy checked (A7). */
  async function consulting(): Promise<{ call: CallSnapshot; callerCall: string; consultId: string; transfereeCall: string }> {
    const { call, callerCall } = await connectCaller();
    const started = await agent.request<TransferSnapshot>('transfer:attended', { callId: call.id, target: uriTarget(transferee) });
    expect(started.mode).toBe('attended');
    // The caller is held and hears music, never silence, while the consult rings.
    await caller.expectHears(MUSIC, 10_000, callerCall);
    await agent.until(() => typeof callOf(call.id)?.holdAudio === 'object', 10_000, 'caller card says music');
    const transfereeCall = await transferee.waitForIncoming(10_000);
    await transferee.answer(transfereeCall);
    const t = await transferOf(call.id, (x) => x.phase === 'consulting', 'consulting');
    const consultId = t.legs.consult!.callId!;
    return { call, callerCall, consultId, transfereeCall };
  }

  /** A7 in every consult: the caller hears only music; agent and transferee hear only each other. */
  async function privateConsult(callerCall: string, transfereeCall: string) {
    await caller.expectHears(MUSIC, 10_000, callerCall);
    await agent.expectAgentHears([TRANSFEREE]);
    await transferee.expectHears({ tones: [AGENT], music: false }, 10_000, transfereeCall);
  }

  it('A1 attended, consult answered, agent hangs up: caller⇄transferee, music stops, agent has no legs', async () => {
    const { call, callerCall, consultId, transfereeCall } = await consulting();
    await privateConsult(callerCall, transfereeCall);
    const before = await referredCount(caller);
    // The seed: hanging up completes the transfer (the UI's ordinary hang-up on the consult leg).
    await agent.request('calls:hangup', { callId: consultId });
    const done = await transferOf(call.id, (t) => t.phase === 'done', 'completed');
    expect(done.timeline.map((e) => e.step)).toEqual(['requested', 'dialing', 'ringing', 'answered', 'completed']);
    await noLegs();
    const newCall = await referredCall(caller, before);
    await caller.waitForCallState(newCall, 'established');
    // INVITE with Replaces reached the transferee, which ended the replaced consult dialog itself.
    const replacing = (await transferee.calls()).findLast((c) => c.replaced !== undefined);
    expect(replacing?.replaced).toBe(transfereeCall);
    await caller.expectHears({ tones: [TRANSFEREE], music: false }, 10_000, newCall);
    await transferee.expectHears({ tones: [CALLER], music: false }, 10_000, replacing!.id);
    expect(await storedSteps(call.id)).toEqual(expect.arrayContaining(['requested', 'dialing', 'answered', 'refer-sent', 'completed']));
  }, 60_000);

  it('A2 attended, agent cancels after answer: consult ends, caller⇄agent again, music stops', async () => {
    const { call, callerCall, transfereeCall } = await consulting();
    const cancelled = await agent.request<TransferSnapshot>('transfer:cancel', { callId: call.id });
    expect(cancelled.phase).toBe('idle');
    await transferee.waitForCallState(transfereeCall, 'terminated');
    await callerBack(call.id, callerCall);
    expect(agent.live()).toHaveLength(1);
    expect(await storedSteps(call.id)).toEqual(expect.arrayContaining(['requested', 'answered', 'cancelled']));
  }, 60_000);

  it('A3 attended, transferee busy / no answer / rejects: caller⇄agent again automatically, reason shown', async () => {
    const cases = [
      { incoming: { mode: 'busy' as const }, code: 'busy' },
      // A phone's own ring time-out answers 480 Temporarily Unavailable.
      { incoming: { mode: 'reject' as const, code: 480, afterMs: 1500 }, code: 'no-answer' },
      { incoming: { mode: 'reject' as const, code: 603 }, code: 'declined' },
    ];
    for (const c of cases) {
      await transferee.setIncoming(c.incoming);
      const { call, callerCall } = await connectCaller();
      await agent.request('transfer:attended', { callId: call.id, target: uriTarget(transferee) });
      const back = await transferOf(call.id, (t) => t.phase === 'idle' && t.reason !== null, `taken back (${c.code})`);
      expect(back.reason?.code).toBe(c.code);
      await callerBack(call.id, callerCall);
      expect(agent.live()).toHaveLength(1);
      expect(await storedSteps(call.id)).toEqual(expect.arrayContaining(['requested', 'dialing', 'failed', 'taken-back']));
      await agent.clear();
      await lab.reset();
    }
  }, 90_000);

  it('A4 attended, transferee hangs up during consult: caller⇄agent again', async () => {
    const { call, callerCall, transfereeCall } = await consulting();
    await transferee.hangup(transfereeCall);
    const back = await transferOf(call.id, (t) => t.phase === 'idle', 'taken back');
    expect(back.reason?.code).toBe('transferee-hung-up');
    await callerBack(call.id, callerCall);
    expect(await storedSteps(call.id)).toContain('taken-back');
  }, 60_000);

  it('A5 attended, caller hangs up during consult: caller leg ends, the consult continues as a normal call', async () => {
    const { call, callerCall, consultId, transfereeCall } = await consulting();
    await caller.hangup(callerCall);
    const done = await transferOf(call.id, (t) => t.phase === 'done', 'caller gone');
    expect(done.reason?.code).toBe('caller-hung-up');
    await agent.until(() => callOf(call.id)?.state === 'ended', 10_000, 'caller leg ended');
    const consult = callOf(consultId)!;
    expect(consult).toMatchObject({ state: 'established', hold: { local: false } });
    await agent.expectAgentHears([TRANSFEREE]);
    await transferee.expectHears({ tones: [AGENT], music: false }, 10_000, transfereeCall);
    // It is an ordinary call now: hanging it up just hangs up (no transfer owns it any more).
    await agent.request('calls:hangup', { callId: consultId });
    await transferee.waitForCallState(transfereeCall, 'terminated');
    expect(await storedSteps(call.id)).toContain('cancelled');
  }, 60_000);

  it('A6 attended, Complete while the consult still rings: becomes blind to the same target (B1 outcome)', async () => {
    const { call, callerCall } = await connectCaller();
    await agent.request('transfer:attended', { callId: call.id, target: uriTarget(transferee) });
    const ringing = await transferee.waitForIncoming(10_000);
    await transferOf(call.id, (t) => t.legs.consult?.state === 'ringing', 'consult ringing');
    await caller.expectHears(MUSIC, 10_000, callerCall);
    const before = await referredCount(caller);
    await transferee.setIncoming({ mode: 'answer', afterMs: 300 });
    const blind = await agent.request<TransferSnapshot>('transfer:complete', { callId: call.id });
    expect(blind).toMatchObject({ mode: 'blind', semiAttended: true });
    // The consult INVITE is cancelled; the caller's own call to the transferee is answered.
    await transferee.waitForCallState(ringing, 'terminated');
    await transferOf(call.id, (t) => t.phase === 'done', 'completed blind');
    await noLegs();
    const newCall = await referredCall(caller, before);
    await caller.waitForCallState(newCall, 'established');
    await caller.expectHears({ tones: [TRANSFEREE], music: false }, 10_000, newCall);
    await transferee.expectHears({ tones: [CALLER] }, 10_000);
    expect(await storedSteps(call.id)).toEqual(expect.arrayContaining(['requested', 'dialing', 'completed']));
  }, 60_000);

  it('A7 privacy during consult: caller hears only music; agent only the transferee; transferee only the agent', async () => {
    const { call, callerCall, transfereeCall } = await consulting();
    // Checked twice, a few seconds apart: privacy is a property of the whole consult.
    await privateConsult(callerCall, transfereeCall);
    await new Promise((r) => setTimeout(r, 1500));
    await privateConsult(callerCall, transfereeCall);
    await agent.request('transfer:cancel', { callId: call.id });
    await callerBack(call.id, callerCall);
  }, 60_000);

  it('A8 swap during consult: exactly one leg unheld at any time; music follows the held caller', async () => {
    const { call, callerCall, consultId, transfereeCall } = await consulting();
    const from = agent.callPushes.length;
    await agent.request('transfer:swap', { callId: call.id });
    await agent.until(() => {
      const c = callOf(call.id);
      const k = callOf(consultId);
      return c && k && !c.hold.local && !c.holdPending && k.hold.local && !k.holdPending;
    }, 15_000, 'swapped to the caller');
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000, callerCall);
    await transferee.expectHears(MUSIC, 10_000, transfereeCall);
    await agent.expectAgentHears([CALLER]);
    await agent.request('transfer:swap', { callId: call.id });
    await agent.until(() => {
      const c = callOf(call.id);
      const k = callOf(consultId);
      return c && k && c.hold.local && !c.holdPending && !k.hold.local && !k.holdPending && typeof c.holdAudio === 'object';
    }, 15_000, 'swapped back to the consult');
    await privateConsult(callerCall, transfereeCall);
    // Never two talking legs in any list the UI was shown.
    for (const list of agent.callPushes.slice(from)) {
      const talking = list.filter((c) => c.state === 'established' && !c.hold.local);
      expect(talking.length).toBeLessThanOrEqual(1);
    }
    await agent.request('transfer:cancel', { callId: call.id });
    await callerBack(call.id, callerCall);
  }, 60_000);

  // ── being the transferee ──

  it('I1 our agent is the transferee of an attended transfer (INVITE with Replaces): old leg replaced, new party heard, cue', async () => {
    // The far end (the "transferee" peer acting as a transferer) talks to the caller, then consults our agent.
    const farToCaller = await caller.call(transferee);
    const farSide = await transferee.waitForIncoming(10_000);
    await transferee.answer(farSide);
    await caller.waitForCallState(farToCaller, 'established');
    const consultFromFar = await transferee.call(agent.uri);
    const old = await agent.answerIncoming();
    await agent.expectAgentHears([TRANSFEREE]);
    // It completes: REFER to the caller with Replaces naming its dialog with us (RFC 3891).
    const out = await agent.recordOutput();
    const referred = await transferee.refer(agent.uri, { call: farSide, replacesCall: consultFromFar });
    expect(referred.status).toBe(202);
    const done = await transferOf(old.id, (t) => t.phase === 'done', 'replaced', 15_000);
    expect(done.mode).toBe('incoming-replaces');
    expect(done.timeline.map((e) => e.step)).toEqual(['offered', 'completed']);
    const replacing = await agent.until(
      () => agent.calls().find((c) => c.id !== old.id && c.direction === 'incoming' && c.state === 'established'),
      15_000,
      'the replacing call answered',
    );
    await agent.until(() => callOf(old.id)?.state === 'ended', 10_000, 'old leg ended');
    expect(agent.live().map((c) => c.id)).toEqual([replacing.id]);
    const callerNew = (await caller.calls()).filter((c) => c.referredBy !== undefined).at(-1)!;
    await caller.waitForCallState(callerNew.id, 'established');
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000, callerNew.id);
    await agent.expectAgentHears([CALLER]);
    await transferee.waitForCallState(consultFromFar, 'terminated');
    // The completion cue played on the agent's output device (its own sound element, not a call's).
    await agent.expectCue(out);
    expect(done.timeline.at(-1)?.note).toContain(replacing.id);
    expect(await storedSteps(old.id)).toEqual(['offered', 'completed']);
    // The far end is done: it releases its own leg to the caller (neither stack does that by itself).
    await transferee.hangup(farSide);
    await caller.waitForCallState(farToCaller, 'terminated');
  }, 60_000);

  it('I2 the far end sends us a REFER: followed (or asked, per setting); outcome reported back by NOTIFY', async () => {
    // follow (the setting): we dial the Refer-To target and NOTIFY the referrer 200 once it answers.
    await transferee.setIncoming({ mode: 'answer', afterMs: 300 });
    const { call, callerCall } = await connectCaller();
    const refer = await caller.refer(transferee, { call: callerCall });
    expect(refer.status).toBe(202);
    const followed = await transferOf(call.id, (t) => t.timeline.some((e) => e.step === 'completed'), 'followed and answered', 15_000);
    expect(followed.mode).toBe('incoming-refer');
    expect(followed.timeline.map((e) => e.step)).toEqual(['offered', 'dialing', 'answered', 'completed']);
    await caller.waitForEvent((e) => e.type === 'notify' && e.status === 200, 10_000, 'NOTIFY 200');
    const newCall = await agent.until(() => agent.live().find((c) => c.id !== call.id && c.state === 'established'), 10_000, 'followed call up');
    await transferee.expectHears({ tones: [AGENT], music: false }, 10_000);
    await agent.expectAgentHears([TRANSFEREE]);
    // The referrer hangs up as transferers do; our followed call stays.
    await caller.hangup(callerCall);
    await agent.until(() => callOf(call.id)?.state === 'ended', 10_000, 'referrer gone');
    expect(callOf(newCall.id)?.state).toBe('established');
    expect(await storedSteps(call.id)).toEqual(['offered', 'dialing', 'answered', 'completed']);
    await agent.clear();
    await lab.reset();

    // ask: the agent is offered the REFER and declines; the referrer gets NOTIFY 603, the call is unchanged.
    agent.setPreferences({ transfer: { incomingRefer: 'ask' } });
    const asked = await connectCaller();
    await caller.refer(transferee, { call: asked.callerCall });
    const offer = await transferOf(asked.call.id, (t) => t.phase === 'refer-offered', 'offered');
    expect(offer.allowedActions).toEqual(['follow-refer', 'decline-refer']);
    const declined = await agent.request<TransferSnapshot>('transfer:answer-refer', { callId: asked.call.id, follow: false });
    expect(declined.phase).toBe('idle');
    await caller.waitForEvent((e) => e.type === 'notify' && e.status === 603, 10_000, 'NOTIFY 603');
    await callerBack(asked.call.id, asked.callerCall);
  }, 90_000);
});
