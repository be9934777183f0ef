/**
 * The lab proving itself: SIP.js ⇄ SIP.js through Kamailio on loopback, with
 * what each party actually receives checked by the tone detector. If these
 * fail, no console lab test can be trusted.
 *
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/peers-basic.test.ts'
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAB_CHIME } from './tones';
import { labUnavailable, startLab, TONES, type Lab, type Peer } from './lab';
import { trackedProcesses } from './procs';

const { caller: CALLER, agent: AGENT, transferee: TRANSFEREE } = TONES;

describe.skipIf(labUnavailable())('SIP lab: SIP.js peers through Kamailio', () => {
  let lab: Lab;
  let alice: Peer; // sends the caller tone
  let bob: Peer; // sends the agent tone
  let carol: Peer; // sends the transferee tone

  beforeAll(async () => {
    lab = await startLab({
      name: 'peers-basic',
      peers: [
        { name: 'alice', signal: 'caller' },
        { name: 'bob', signal: 'agent' },
        { name: 'carol', signal: 'transferee' },
      ],
    });
    [alice, bob, carol] = [lab.peer('alice'), lab.peer('bob'), lab.peer('carol')];
  });

  afterAll(async () => {
    await lab?.stop();
    // Nothing the lab started may survive it.
    expect(trackedProcesses()).toEqual([]);
  });

  // No call, analyser or timer outlives its call; past incoming calls are forgotten.
  afterEach(() => lab?.reset());

  async function connect(from: Peer, to: Peer): Promise<{ out: string; inc: string }> {
    await to.setIncoming({ mode: 'answer' });
    const out = await from.call(to);
    const inc = await to.waitForIncoming();
    await from.waitForCallState(out, 'established');
    await to.waitForCallState(inc, 'established');
    return { out, inc };
  }

  it('registers every party with Kamailio over WebSocket', async () => {
    for (const p of [alice, bob, carol]) {
      expect((await p.state()).registered).toBe(true);
      const again = await p.register();
      expect(again.ms).toBeGreaterThan(0);
    }
  });

  it('connects a call and each party hears the other party’s tone', async () => {
    const { out, inc } = await connect(alice, bob);
    await alice.expectHears({ tones: [AGENT], music: false }, 8000, out);
    await bob.expectHears({ tones: [CALLER], music: false }, 8000, inc);
    const t = await bob.calls();
    expect(t.find((c) => c.id === inc)?.remote).toContain('alice@');
    await alice.hangup(out);
    await bob.waitForCallState(inc, 'terminated');
  });

  it('silences the held party while on hold and restores both directions on resume', async () => {
    const { out, inc } = await connect(alice, bob);
    await bob.expectHears({ tones: [CALLER] }, 8000, inc);
    await alice.hold(out);
    await bob.expectHears({ tones: [], silence: true }, 5000, inc);
    // …and stays silent over the whole hold, not only at the instant checked.
    const held = await bob.hearsThroughout(15, inc);
    expect(held.filter((r) => !r.silence || r.tones.length > 0).map((r) => `level ${r.levelDb.toFixed(0)} tones ${r.tones}`)).toEqual([]);
    await expect.poll(async () => (await bob.calls()).find((c) => c.id === inc)?.remoteHold, { timeout: 3000 }).toBe(true);
    await alice.unhold(out);
    await bob.expectHears({ tones: [CALLER], silence: false }, 5000, inc);
    await alice.expectHears({ tones: [AGENT], silence: false }, 5000, out);
    await bob.hangup(inc);
    await alice.waitForCallState(out, 'terminated');
  });

  it('delivers DTMF sent as SIP INFO to the other party', async () => {
    const { out, inc } = await connect(alice, bob);
    await alice.sendDtmf('12#', { call: out });
    await expect.poll(() => bob.receivedDtmf(inc), { timeout: 3000 }).toBe('12#');
    await alice.hangup(out);
  });

  it('reports a busy callee as a call that failed with 486', async () => {
    await bob.setIncoming({ mode: 'busy' });
    const out = await alice.call(bob);
    await expect(alice.waitForCallState(out, 'established')).rejects.toThrow(/instead of reaching established/);
    const info = (await alice.calls()).find((c) => c.id === out);
    expect(info).toMatchObject({ state: 'terminated', status: 486 });
  });

  it('reports an unknown target as 404 from the registrar', async () => {
    const out = await alice.call('nobody');
    await alice.waitForCallState(out, 'terminated');
    expect((await alice.calls()).find((c) => c.id === out)?.status).toBe(404);
  });

  it('completes a blind transfer: the transferer refers the caller to a third party, who then talks to the caller', async () => {
    const { out, inc } = await connect(alice, bob);
    await carol.setIncoming({ mode: 'answer', afterMs: 300 });
    const refer = await bob.refer(carol, { call: inc });
    expect(refer.status).toBe(202);
    // Alice follows the REFER with a new INVITE to Carol and reports progress by NOTIFY sipfrag.
    const toCarol = await carol.waitForIncoming();
    await bob.waitForEvent((e) => e.type === 'notify' && e['status'] === 200, 10_000, 'NOTIFY 200');
    // SIP.js never hangs up the transferer leg itself: the transferer does, as the console will.
    await bob.hangup(inc);
    await alice.waitForCallState(out, 'terminated');
    const aliceToCarol = (await alice.calls()).find((c) => c.referredBy === out)!;
    expect(aliceToCarol.state).toBe('established');
    await alice.expectHears({ tones: [TRANSFEREE] }, 8000, aliceToCarol.id);
    await carol.expectHears({ tones: [CALLER] }, 8000, toCarol);
    const t = lab.peer('bob');
    const referSent = t.mark('refer-sent', inc)!;
    const notified = bob.events.find((e) => e.type === 'notify' && e['status'] === 200 && e.call === inc)!.t;
    expect(notified).toBeGreaterThan(referSent);
    await carol.hangup(toCarol);
  });

  it('answers a REFER with the configured rejection and keeps the call up', async () => {
    const { out, inc } = await connect(alice, bob);
    await alice.setRefer({ mode: 'reject', code: 403 });
    expect((await bob.refer(carol, { call: inc })).status).toBe(403);
    await alice.waitForEvent((e) => e.type === 'refer-received' && e.call === out, 3000, 'REFER');
    expect((await alice.calls()).find((c) => c.id === out)?.state).toBe('established');
    await bob.expectHears({ tones: [CALLER] }, 8000, inc);
  });

  it('completes an attended transfer: REFER with Replaces makes the third party’s consult call the caller’s', async () => {
    const { out: aliceLeg, inc: bobCallerLeg } = await connect(alice, bob);
    await bob.hold(bobCallerLeg);
    const { out: bobConsult, inc: carolConsult } = await connect(bob, carol);
    await carol.expectHears({ tones: [AGENT] }, 8000, carolConsult);
    // Replaces built by SIP.js from the consult dialog; Alice's INVITE with Replaces reaches Carol.
    const refer = await bob.refer(carol, { call: bobCallerLeg, replacesCall: bobConsult });
    expect(refer.status).toBe(202);
    const replacing = await carol.waitForIncoming();
    const info = (await carol.calls()).find((c) => c.id === replacing)!;
    expect(info.headers['replaces']).toBeTruthy();
    expect(info.replaced).toBe(carolConsult);
    await carol.waitForCallState(carolConsult, 'terminated'); // the replaced consult leg is released
    await bob.waitForCallState(bobConsult, 'terminated');
    await bob.hangup(bobCallerLeg);
    await alice.waitForCallState(aliceLeg, 'terminated');
    const aliceNew = (await alice.calls()).find((c) => c.referredBy === aliceLeg)!;
    await alice.expectHears({ tones: [TRANSFEREE] }, 8000, aliceNew.id);
    await carol.expectHears({ tones: [CALLER] }, 8000, replacing);
  });

  it('rings without answering until the caller cancels, and a no-answer callee never connects', async () => {
    await bob.setIncoming({ mode: 'noAnswer' });
    const out = await alice.call(bob);
    const inc = await bob.waitForIncoming();
    await alice.waitForCallState(out, 'ringing');
    await alice.hangup(out); // CANCEL
    await bob.waitForCallState(inc, 'terminated');
    const ended = await alice.waitForCallState(out, 'terminated'); // on the 487
    expect(ended.status).toBe(487);
  });

  it('answers and then hangs up by itself when told to', async () => {
    await bob.setIncoming({ mode: 'answer', afterMs: 100, hangupAfterMs: 300 });
    const out = await alice.call(bob);
    await alice.waitForCallState(out, 'established');
    await alice.waitForCallState(out, 'terminated');
  });

  it('recognises the hold music sent over a real call as that track, and a voice as no music at all', async () => {
    const music = await lab.addPeer({ name: 'music', signal: 'hold', incoming: { mode: 'answer' } });
    const out = await alice.call(music);
    await alice.waitForCallState(out, 'established');
    await alice.expectHears({ tones: [], music: LAB_CHIME, silence: false }, 8000, out);
    await music.expectHears({ tones: [CALLER], music: false }, 8000);
    await alice.hangup(out);

    // The negative control through the same codec: audible, harmonic, not a tone — and not music.
    const voice = await lab.addPeer({ name: 'voice', signal: 'speech', incoming: { mode: 'answer' } });
    const toVoice = await alice.call(voice);
    await alice.waitForCallState(toVoice, 'established');
    const heard = await alice.expectHears({ tones: [], silence: false }, 8000, toVoice);
    expect(heard.other, 'the voice is audible').toBe(true);
    // Over 3 s of it, no window is ever taken for music.
    const windows = await alice.hearsThroughout(30, toVoice);
    expect(windows.filter((r) => r.music).map((r) => `${r.track} (${r.musicScore})`), 'a voice recognised as music').toEqual([]);
    expect(windows.filter((r) => r.other).length, 'the voice heard throughout').toBeGreaterThan(windows.length / 2);
  });

  it('keeps an established call’s audio across a Kamailio restart and re-registers every party', async () => {
    const { out, inc } = await connect(alice, bob);
    await bob.expectHears({ tones: [CALLER] }, 8000, inc);
    await lab.restartKamailio();
    for (const p of [alice, bob, carol]) {
      await p.waitForEvent((e) => e.type === 'registered' && e.t > (p.mark('disconnected') ?? Infinity), 10_000, 're-REGISTER after restart');
    }
    await bob.expectHears({ tones: [CALLER] }, 5000, inc);
    await alice.expectHears({ tones: [AGENT] }, 5000, out);
    // The restarted server routes new calls again.
    const { out: again } = await connect(carol, alice);
    await carol.expectHears({ tones: [CALLER] }, 8000, again);
  });
});
