/**
 * Transfers with a caller that is not a browser: baresip (Debian's plain-SIP
 * softphone, RTP/AVP with G.711) as the caller, registered over UDP through
 * Kamailio, its media relayed by rtpengine to the console and the SIP.js
 * transferee (WebRTC). The real console core as in console-transfer.test.ts.
 * Every scenario is checked on what each party hears: the caller 440 Hz, the
 * agent 660 Hz, the transferee 880 Hz, hold music recognised by its track.
 * docs/transfers.md ("Which phone swaps the calls"), docs/sip-protocol.md
 * ("Callers behind a media relay"), test/lab/README.md.
 *
 *   npx electron-vite build
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-interop.test.ts'
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallSnapshot, TransferSnapshot } from '../../preload/contract';
import { startConsole, type ConsoleUnderTest } from './console-fixture';
import { labUnavailable, startLab, TONES, type Baresip, type Lab, type Peer } from './lab';

const { caller: CALLER, agent: AGENT, transferee: TRANSFEREE } = TONES;
const MUSIC = { tones: [] as number[], music: 'Lounge' };

describe.skipIf(labUnavailable())('a plain-SIP caller (baresip via rtpengine): calls and transfers, with audio', () => {
  let lab: Lab;
  let caller: Baresip;
  let transferee: Peer;
  let agent: ConsoleUnderTest;

  beforeAll(async () => {
    lab = await startLab({ name: 'console-interop', mediaRelay: true, peers: [{ name: 'transferee', signal: 'transferee' }] });
    transferee = lab.peer('transferee');
    caller = await lab.addPhone({ name: 'caller', user: '2001', toneHz: CALLER });
    agent = await startConsole(lab);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await lab?.stop();
  });

  beforeEach(() => {
    agent.setPreferences({
      transfer: { undoWindowSec: 0, safeBlind: true, safeBlindTimeoutSec: 5, completeTimeoutSec: 4, incomingRefer: 'follow' },
    });
  });

  afterEach(async () => {
    await agent.clear().catch(() => undefined);
    await lab.reset();
    expect(agent.core.transfers.service.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  const callOf = (id: string) => agent.calls().find((c) => c.id === id);
  const transferOf = (callId: string, ok: (t: TransferSnapshot) => boolean, what: string, ms = 15_000) =>
    agent.until(() => {
      const t = agent.transfer(callId);
      return t && ok(t) ? t : null;
    }, ms, what);

  /** baresip calls the agent, the agent answers; both hear each other through rtpengine. */
  async function connectCaller(): Promise<{ call: CallSnapshot; callerCall: string }> {
    const callerCall = await caller.call(agent.uri);
    const call = await agent.answerIncoming();
    await caller.waitForCallState(callerCall, 'established');
    await caller.expectHears({ tones: [AGENT] }, 10_000);
    await agent.expectAgentHears([CALLER]);
    return { call, callerCall };
  }

  const uriTarget = (p: Peer) => ({ kind: 'uri' as const, uri: p.uri });
  const noLegs = () => agent.until(() => agent.live().length === 0 || null, 15_000, 'agent has no legs');

  /** The stored timeline of a call (history repository), as step names. */
  function storedSteps(callId: string): string[] {
    const repo = agent.core.history!;
    const summary = repo.page({ limit: 100 }).items.find((x) => x.callId === callId);
    expect(summary, `history has call ${callId}`).toBeDefined();
    return repo.get(summary!.id).transfers.map((x) => x.step);
  }

  /** The caller is back with the agent: music off, talking again, both hear each other. */
  async function callerBack(callId: string) {
    await agent.until(() => {
      const c = callOf(callId);
      return c && c.state === 'established' && !c.hold.local && !c.holdPending && c.holdAudio === 'you';
    }, 15_000, 'caller resumed');
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000);
    await agent.expectAgentHears([CALLER]);
  }

  /** The one call the plain caller has after a transfer: up, with the transferee, audio both ways. */
  async function callerWithTransferee() {
    await agent.until(() => agent.live().length === 0 || null, 15_000, 'the agent has no legs');
    const live = await (async () => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const calls = caller.liveCalls().filter((id) => caller.state(id) === 'established');
        if (caller.liveCalls().length === 1 && calls.length === 1) return calls[0]!;
        if (Date.now() > deadline) throw new Error(`the caller should have one call, has ${JSON.stringify(caller.liveCalls().map((id) => [id, caller.state(id)]))}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await caller.expectHears({ tones: [TRANSFEREE], music: false }, 15_000);
    const transfereeCalls = (await transferee.calls()).filter((c) => c.state === 'established');
    expect(transfereeCalls, 'the transferee has exactly one call').toHaveLength(1);
    await transferee.expectHears({ tones: [CALLER], music: false }, 10_000, transfereeCalls[0]!.id);
    return { callerCall: live, transfereeCall: transfereeCalls[0]! };
  }

  it('basic call from the plain phone: answered, audio both ways; the agent\u2019s hold reaches it (music), resume, hang-up', async () => {
    const { call, callerCall } = await connectCaller();
    await agent.request('calls:hold', { callId: call.id });
    await agent.until(() => typeof callOf(call.id)?.holdAudio === 'object', 10_000, 'music on the caller card');
    await caller.expectHears(MUSIC, 10_000);
    await agent.request('calls:unhold', { callId: call.id });
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000);
    await agent.expectAgentHears([CALLER]);
    await agent.request('calls:hangup', { callId: call.id });
    await caller.waitForCallState(callerCall, 'closed');
  }, 60_000);

  it('basic call to the plain phone: the agent dials it, it answers, audio both ways', async () => {
    const placed = await agent.request<CallSnapshot>('calls:dial', { target: caller.uri });
    await agent.until(() => callOf(placed.id)?.state === 'established', 15_000, 'the plain phone answered');
    await caller.expectHears({ tones: [AGENT] }, 10_000);
    await agent.expectAgentHears([CALLER]);
    await agent.request('calls:hangup', { callId: placed.id });
    await caller.waitForEvent((e) => e.type === 'CALL_CLOSED', 10_000, 'the BYE at the plain phone');
  }, 60_000);

  it('B1 plain blind: the plain caller follows the REFER through the relay; released at NOTIFY 100, its later NOTIFY answered and recorded in its words', async () => {
    await transferee.setIncoming({ mode: 'answer', afterMs: 300 });
    const { call } = await connectCaller();
    const since = Date.now();
    const snap = await agent.request<TransferSnapshot>('transfer:blind', { callId: call.id, target: uriTarget(transferee), safe: false });
    expect(snap.mode).toBe('blind');
    await transferOf(call.id, (t) => t.phase === 'done', 'released');
    // baresip dialled the Refer-To itself (its TRANSFER event, which can reach us after our release), through
    // the relay, and talks to the transferee.
    await caller.waitForEvent((e) => e.at >= since && e.type === 'TRANSFER', 10_000, 'baresip to follow the REFER', since);
    await callerWithTransferee();
    // Released when the caller's phone said 100 Trying: recorded as that, not as a completion.
    const done = await transferOf(call.id, (t) => t.timeline.length >= 4, 'the NOTIFY after our BYE recorded');
    expect(done.timeline.slice(0, 3).map((e) => [e.step, e.sipCode])).toEqual([
      ['requested', null],
      ['dialing', 100],
      ['released', 100],
    ]);
    expect(done.timeline[2]!.note).toBe('released at NOTIFY 100; outcome not known');
    // baresip 1.0.0 ends its REFER subscription when our BYE closes the call the REFER came on, and
    // reports that close — not its new call's answer — as the final status. The console answered that
    // NOTIFY after our BYE (it kept the subscription) and records it as the phone said it, in its words.
    const late = done.timeline[3]!;
    expect(late).toMatchObject({ step: 'failed', sipCode: 500 });
    expect(late.note).toContain('the caller\u2019s phone reported \u201c500 Connection reset by peer\u201d');
    expect(storedSteps(call.id)).toEqual(['requested', 'refer-sent', 'accepted', 'dialing', 'released', 'failed']);
  }, 90_000);

  it('safe blind to a busy transferee: the plain caller waits on music, is taken back, and never gets a REFER', async () => {
    // Busy after a few seconds of ringing, so the wait on music is long enough to be heard.
    await transferee.setIncoming({ mode: 'busy', afterMs: 3000 });
    const { call } = await connectCaller();
    const since = Date.now();
    await agent.request('transfer:blind', { callId: call.id, target: uriTarget(transferee), safe: true });
    // Music while the console reaches the transferee on its own leg.
    await caller.expectHears(MUSIC, 10_000);
    const back = await transferOf(call.id, (t) => t.phase === 'idle' && t.reason !== null, 'taken back');
    expect(back.reason?.code).toBe('busy');
    await callerBack(call.id);
    expect(caller.events.some((e) => e.at >= since && e.type === 'TRANSFER')).toBe(false);
    expect(caller.liveCalls()).toHaveLength(1);
    expect(storedSteps(call.id)).toEqual(expect.arrayContaining(['requested', 'dialing', 'failed', 'taken-back']));
  }, 60_000);

  /** Caller connected, attended transfer to the SIP.js transferee, consult answered; the caller on music. */
  async function consulting() {
    const { call, callerCall } = await connectCaller();
    await transferee.setIncoming({ mode: 'manual' });
    await agent.request('transfer:attended', { callId: call.id, target: uriTarget(transferee) });
    await caller.expectHears(MUSIC, 10_000);
    const transfereeCall = await transferee.waitForIncoming(10_000);
    await transferee.answer(transfereeCall);
    const t = await transferOf(call.id, (x) => x.phase === 'consulting', 'consulting');
    await agent.expectAgentHears([TRANSFEREE]);
    await transferee.expectHears({ tones: [AGENT], music: false }, 10_000, transfereeCall);
    await caller.expectHears(MUSIC, 10_000);
    return { call, callerCall, consultId: t.legs.consult!.callId!, transfereeCall };
  }

  it('A1 attended: the plain caller cannot swap calls, so the transferee is referred to it; one call, caller ⇄ transferee, reported as a new call', async () => {
    await transferee.setRefer({ mode: 'follow' });
    const { call, consultId } = await consulting();
    // Said before Complete, from what the phones announced (RFC 5589): baresip lists no `replaces`,
    // SIP.js does — the transferee is referred, and the caller's phone will take it as a new call.
    expect(agent.transfer(call.id)!.completion).toEqual({ via: 'transferee', expect: 'new-call', unable: 'caller' });
    const invitesBefore = caller.events.filter((e) => e.type === 'CALL_INCOMING').length;
    const since = Date.now();
    await agent.request('calls:hangup', { callId: consultId });
    const done = await transferOf(call.id, (t) => t.phase === 'done', 'the hand-over settled', 20_000);
    await callerWithTransferee();
    await noLegs();
    // The REFER went to the transferee (not the caller), whose new call to the caller carried Replaces naming
    // the caller's call with us; the caller's phone took it as a second call (it has no Replaces support).
    expect(caller.events.some((e) => e.at >= since && e.type === 'TRANSFER')).toBe(false);
    const referred = transferee.events.filter((e) => e.type === 'refer-received').at(-1) as { referTo?: string; replaces?: string | null } | undefined;
    expect(referred?.referTo, 'the transferee was referred to the caller').toContain('2001');
    expect(referred?.replaces, 'the REFER to the transferee named the caller\u2019s call in Replaces').toBeTruthy();
    expect((await transferee.calls()).some((c) => c.referredBy !== undefined && c.state === 'established')).toBe(true);
    expect(caller.events.filter((e) => e.type === 'CALL_INCOMING').length).toBe(invitesBefore + 1);
    // Not recorded as a clean completion: the replaced leg (ours to the caller) stayed up after the NOTIFY 200.
    expect(done.timeline.map((e) => e.step)).toEqual(['requested', 'dialing', 'ringing', 'answered', 'new-call']);
    expect(done.outcome).toMatchObject({ result: 'new-call', reason: null });
    expect(storedSteps(call.id)).toEqual(['requested', 'dialing', 'ringing', 'answered', 'refer-sent', 'accepted', 'new-call']);
  }, 90_000);

  it('A2 attended, cancelled after the answer: the consult ends, the plain caller is back with the agent, music off', async () => {
    const { call, transfereeCall } = await consulting();
    const cancelled = await agent.request<TransferSnapshot>('transfer:cancel', { callId: call.id });
    expect(cancelled.phase).toBe('idle');
    await transferee.waitForCallState(transfereeCall, 'terminated');
    await callerBack(call.id);
    expect(agent.live()).toHaveLength(1);
    expect(storedSteps(call.id)).toEqual(expect.arrayContaining(['requested', 'answered', 'cancelled']));
  }, 60_000);
});
