/**
 * Hold music on EVERY hold, not only transfers (docs/transfers.md, "Hold and
 * music"), end to end: the REAL console core (JsSIP + call service +
 * media through the proxy into the real media-host page) against SIP.js peers
 * through Kamailio, judged by what each party HEARS (caller 440 Hz, agent
 * 660 Hz, second caller 880 Hz, hold music = the chosen track itself,
 * recognised by its spectral signature: test/lab/detector.ts).
 * Also what main told the UI at every push (holdAudio truthful, hold timer)
 * and what history stored for the hold.
 *
 *   npx electron-vite build   # out/renderer/media
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-hold-music.test.ts'
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../preload/contract';
import { startConsole, type ConsoleUnderTest } from './console-fixture';
import { labUnavailable, startLab, TONES, type Lab, type Peer } from './lab';

const { caller: CALLER, agent: AGENT, transferee: SECOND } = TONES;
/** The console's default hold music, recognised as that very track (not merely "not a tone"). */
const LOUNGE = { tones: [] as number[], music: 'Lounge' };

describe.skipIf(labUnavailable())('hold music on every hold, through Kamailio, with audio', () => {
  let lab: Lab;
  let caller: Peer;
  let second: Peer;
  let agent: ConsoleUnderTest;

  beforeAll(async () => {
    lab = await startLab({
      name: 'console-hold-music',
      peers: [
        { name: 'caller', signal: 'caller' },
        { name: 'second', signal: 'transferee' },
      ],
    });
    caller = lab.peer('caller');
    second = lab.peer('second');
    agent = await startConsole(lab);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await lab?.stop();
  });

  afterEach(async () => {
    // No swallowed clean-up error: a call that will not end fails the test that left it.
    await agent.clear();
    await lab.reset();
  });

  const callOf = (id: string) => agent.calls().find((c) => c.id === id);
  const settled = (id: string, held: boolean) =>
    agent.until(() => {
      const c = callOf(id);
      return c && c.state === 'established' && c.hold.local === held && !c.holdPending ? c : null;
    }, 15_000, held ? `${id} held` : `${id} resumed`);

  /** `peer` dials the agent, the agent answers; both hear each other. */
  async function connect(peer: Peer, tone: number): Promise<{ call: CallSnapshot; peerCall: string }> {
    const peerCall = await peer.call(agent.uri);
    const call = await agent.answerIncoming();
    await peer.expectHears({ tones: [AGENT], music: false }, 10_000, peerCall);
    await agent.expectAgentHears([tone]);
    return { call, peerCall };
  }

  /** Every snapshot of `id` pushed since `from`: what the UI was told, in order. */
  const pushed = (id: string, from: number) => agent.callPushes.slice(from).map((l) => l.find((c) => c.id === id)).filter((c): c is CallSnapshot => !!c);

  /** The invariant of every push: music only on a call we hold; 'you' only on a talking call with nothing pending. */
  const truthful = (c: CallSnapshot) => {
    if (c.state !== 'established') return;
    if (typeof c.holdAudio === 'object') expect(c.hold.local, 'music on a call we do not hold').toBe(true);
    if (c.holdAudio === 'you') expect(c.hold.local || c.holdPending || c.muted, "'you' while held, pending or muted").toBe(false);
    expect(c.heldSince !== null, 'hold timer iff held').toBe(c.hold.local);
  };

  it('Hold from the call card: the caller hears the chosen music and the agent nothing; Resume: tones both ways, music stopped; history says music', async () => {
    // Positive control before the hold: both streams live, each carrying the other party (connect).
    const { call, peerCall } = await connect(caller, CALLER);
    const mark = agent.callPushes.length;
    const before = Date.now();

    await agent.request('calls:hold', { callId: call.id });
    const held = await settled(call.id, true);
    expect(held.holdAudio).toEqual({ music: 'Lounge' });
    expect(held.heldSince).toBeGreaterThanOrEqual(before);
    expect(held.allowedActions).toContain('unhold');
    await caller.expectHears(LOUNGE, 10_000, peerCall);
    // The agent hears nothing while the caller is held — the media path meanwhile proven live by the
    // music the caller hears above; the positive control after is the resume below.
    await agent.expectAgentHears([]);

    // What the UI saw on the way: silence while the re-INVITE and the swap were under way, then the music.
    const holding = pushed(call.id, mark);
    holding.forEach(truthful);
    const audio = holding.map((c) => (typeof c.holdAudio === 'object' ? 'music' : c.holdAudio));
    expect(audio[0]).toBe('silence');
    expect(audio.at(-1)).toBe('music');
    expect(holding.find((c) => c.holdPending)?.holdAudio).toBe('silence');

    const resumeMark = agent.callPushes.length;
    await agent.request('calls:unhold', { callId: call.id });
    const back = await settled(call.id, false);
    expect(back).toMatchObject({ holdAudio: 'you', heldSince: null });
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000, peerCall);
    await agent.expectAgentHears([CALLER]);
    const resuming = pushed(call.id, resumeMark);
    resuming.forEach(truthful);
    // Music stays on until the microphone is back, never 'you' before the re-INVITE was answered.
    expect(resuming.filter((c) => c.holdAudio === 'you').every((c) => !c.hold.local && !c.holdPending)).toBe(true);

    // History: one hold, what the caller heard, closed on resume.
    const repo = agent.core.history!;
    const summary = repo.page({ limit: 100 }).items.find((s) => s.callId === call.id)!;
    const holds = repo.get(summary.id).holds;
    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({ heard: 'music', music: 'Lounge', startedAt: held.heldSince });
    expect(holds[0]!.endedAt).not.toBeNull();

    // Hold again and hang up while the music plays: the call ends cleanly, the hold is closed.
    await agent.request('calls:hold', { callId: call.id });
    await settled(call.id, true);
    await caller.expectHears(LOUNGE, 10_000, peerCall);
    await agent.request('calls:hangup', { callId: call.id });
    await caller.waitForCallState(peerCall, 'terminated', 10_000);
    expect(repo.get(summary.id).holds.every((h) => h.endedAt !== null)).toBe(true);
  });

  it('call waiting: answering the second call holds the first WITH music; swap moves the music to the other caller', async () => {
    const { call: first, peerCall: firstCall } = await connect(caller, CALLER);
    const secondCall = await second.call(agent.uri);
    const waiting = await agent.until(() => agent.calls().find((c) => c.direction === 'incoming' && c.state === 'ringing'), 10_000, 'second call ringing');
    expect(waiting.ring).toBe('soft');
    const mark = agent.callPushes.length;
    await agent.request('calls:answer', { callId: waiting.id });
    await agent.until(() => callOf(waiting.id)?.state === 'established' || null, 10_000, 'second answered');
    const held = await settled(first.id, true);
    expect(held.holdAudio).toEqual({ music: 'Lounge' });
    await caller.expectHears(LOUNGE, 10_000, firstCall);
    await second.expectHears({ tones: [AGENT], music: false }, 10_000, secondCall);
    await agent.expectAgentHears([SECOND]);

    // Swap: the second caller is held (music), the first gets the agent back (music off first).
    await agent.request('calls:swap', { callId: first.id });
    await settled(first.id, false);
    const secondHeld = await settled(waiting.id, true);
    expect(secondHeld.holdAudio).toEqual({ music: 'Lounge' });
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000, firstCall);
    await second.expectHears(LOUNGE, 10_000, secondCall);
    await agent.expectAgentHears([CALLER]);

    // And back: the music follows the held call again.
    await agent.request('calls:swap', { callId: waiting.id });
    await settled(waiting.id, false);
    await settled(first.id, true);
    await caller.expectHears(LOUNGE, 10_000, firstCall);
    await second.expectHears({ tones: [AGENT], music: false }, 10_000, secondCall);

    // At every push: exactly one call is talking or about to, and music only on held calls.
    for (const list of agent.callPushes.slice(mark)) {
      list.forEach(truthful);
      const talking = list.filter((c) => c.state === 'established' && !c.hold.local && !c.holdPending);
      expect(talking.length).toBeLessThanOrEqual(1);
    }
  });

  it('the far end holds us: no music from us, no hold timer; the caller still gets the agent when it resumes', async () => {
    const { call, peerCall } = await connect(caller, CALLER);
    await caller.hold(peerCall);
    const remoteHeld = await agent.until(() => {
      const c = callOf(call.id);
      return c?.hold.remote ? c : null;
    }, 10_000, 'remote hold');
    expect(remoteHeld).toMatchObject({ hold: { local: false, remote: true }, holdAudio: 'you', heldSince: null, holdPending: false });
    await caller.unhold(peerCall);
    await agent.until(() => callOf(call.id)?.hold.remote === false || null, 10_000, 'remote resume');
    await caller.expectHears({ tones: [AGENT], music: false }, 10_000, peerCall);
    await agent.expectAgentHears([CALLER]);
  });
});
