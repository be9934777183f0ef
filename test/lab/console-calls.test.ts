/**
 * The console under test, for real: startCore (SIP line + JsSIP + call
 * service) in Node, its media through the peer-connection proxy into the real
 * media-host page in Chromium (fake microphone = the agent's 660 Hz tone),
 * against SIP.js peers through Kamailio — with what each party HEARS checked.
 *
 *   npx electron-vite build   # out/renderer/media
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-calls.test.ts'
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot, LineStatus } from '../../preload/contract';
import type { ConsoleCore } from '../../main/core/index';
import type { MediaHostHarness } from '../harness/media-host';
import { heardEventually, type Spectrum } from '../media/tools';
import { fakeUiTransport } from '../support/ui-transport';
import { startLabCore } from './console-fixture';
import { recordingLogger } from '../support/recording-logger';
import { labUnavailable, startLab, TONES, type Lab, type Peer } from './lab';

const { caller: CALLER, agent: AGENT, transferee: SECOND } = TONES;

describe.skipIf(labUnavailable())('console calls through Kamailio, with audio', () => {
  let lab: Lab;
  let caller: Peer;
  let second: Peer;
  let host: MediaHostHarness;
  let core: ConsoleCore;
  let dataDir: string;
  let calls: CallSnapshot[] = [];
  /** Every calls:changed list pushed, in order: what the UI saw over a whole window. */
  const callPushes: CallSnapshot[][] = [];
  const lineStates: LineStatus[] = [];
  /** Main's log lines: the outcome of what main does out of sight (a target refresh). */
  const log = recordingLogger();

  const ui = fakeUiTransport();
  ui.onPush(({ channel, payload }) => {
    if (channel === 'calls:changed') callPushes.push((calls = payload as CallSnapshot[]));
    if (channel === 'line:changed') lineStates.push(payload as LineStatus);
  });
  const until = <T,>(get: () => T | undefined | null | false, ms = 10_000, what = 'condition'): Promise<T> =>
    ui.until(get, {
      timeoutMs: ms,
      what,
      detail: () => `calls: ${JSON.stringify(calls.map((c) => [c.state, c.hold, c.ended?.reason]))}; line: ${lineStates.at(-1)?.state}`,
    });
  const svc = () => core.telephony.calls;
  const live = () => calls.filter((c) => c.state !== 'ended');
  const ringingIn = () => calls.find((c) => c.direction === 'incoming' && c.state === 'ringing');

  /** What the agent hears on the newest call's audio element in the media host. */
  const agentHears = async (freqs = [CALLER, SECOND]) =>
    (await host.page.evaluate(
      `(async () => { const els = [...document.querySelectorAll('audio[data-pc]')]; return window.__probe(els[els.length - 1].srcObject, ${JSON.stringify(freqs)}); })()`,
    )) as Spectrum;
  const agentHearsEventually = (hz: number, ms = 8000) =>
    heardEventually(agentHears, (s) => (s.tones[hz] ?? -200) > -70 && Math.abs(s.peakHz - hz) < 30, `${hz} Hz at the agent`, ms);

  async function answerIncomingFrom(peer: Peer): Promise<CallSnapshot> {
    await peer.call('sip:1001@' + lab.domain);
    const ringing = await until(ringingIn, 10_000, 'incoming call');
    svc().answer(ringing.id);
    return until(() => calls.find((c) => c.id === ringing.id && c.state === 'established'), 10_000, 'established');
  }

  beforeAll(async () => {
    lab = await startLab({
      name: 'console-calls',
      peers: [
        { name: 'caller', signal: 'caller' },
        { name: 'second', signal: 'transferee' },
      ],
    });
    caller = lab.peer('caller');
    second = lab.peer('second');
    dataDir = mkdtempSync(join(tmpdir(), 'console-calls-'));
    ({ core, host } = await startLabCore(ui, dataDir, { log }));
  }, 120_000);

  afterAll(async () => {
    await core?.stop();
    await host?.stop();
    await lab?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const c of live()) {
      try {
        if (c.allowedActions.includes('hangup')) svc().hangup(c.id);
        else if (c.allowedActions.includes('decline')) svc().decline(c.id);
      } catch {
        /* already gone */
      }
    }
    await until(() => live().length === 0 || null, 10_000, 'no live calls');
    await lab.reset();
    // No peer connection, stream, RPC or listener outlives its call (main's proxy and the host's own count).
    const media = core.telephony.media!;
    if (media.available) {
      const deadline = Date.now() + 5000;
      // (Settings sync RPCs — devices, hold music — may still be settling right after start-up.)
      const busy = () => media.counters().connections > 0 || media.counters().pendingRpcs > 0;
      while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(media.counters()).toMatchObject({ connections: 0, streams: 0, pendingRpcs: 0, pcListeners: 0, rejectedMessages: 0 });
      const stats = (await media.hostStats()) as Record<string, unknown>;
      expect(stats).toMatchObject({ connections: 0 });
    }
    // The service keeps ended cards for a few seconds, then drops them with their legs and timers.
    expect(core.telephony.calls.counters().timers).toBeLessThanOrEqual(core.telephony.calls.counters().calls);
  });

  it('registers the line (no password challenge in the lab)', async () => {
    const t0 = performance.now();
    core.settings.saveAccount({ wsUrl: lab.wsUrl, sipUri: `sip:1001@${lab.domain}`, password: 'lab-unused' });
    await core.telephony.accountChanged();
    await until(() => lineStates.at(-1)?.state === 'registered', 10_000, 'registered');
    console.info(`[console-calls] register (WS connect + REGISTER): ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it('inbound answered: each side hears the other; hold, mute and DTMF', async () => {
    const call = await answerIncomingFrom(caller);
    await caller.expectHears({ tones: [AGENT] }, 10_000);
    await agentHearsEventually(CALLER);

    svc().hold(call.id);
    await until(() => calls.find((c) => c.id === call.id && c.hold.local), 8000, 'held');
    // Every hold plays music; console-hold-music.test.ts covers it in depth.
    // The chosen piece (the default, Lounge) recognised by its signature — not merely "not a tone".
    const held = await until(() => calls.find((c) => c.id === call.id && typeof c.holdAudio === 'object'), 8000, 'music on the card');
    await caller.expectHears({ tones: [], music: (held.holdAudio as { music: string }).music }, 8000);
    svc().unhold(call.id);
    await until(() => calls.find((c) => c.id === call.id && !c.hold.local && !c.holdPending), 8000, 'resumed');
    await caller.expectHears({ tones: [AGENT] }, 8000);

    svc().mute(call.id);
    await caller.expectHears({ tones: [], silence: true }, 8000);
    svc().unmute(call.id);
    await caller.expectHears({ tones: [AGENT] }, 8000);

    svc().dtmf(call.id, '5');
    svc().dtmf(call.id, '#');
    await caller.waitForEvent((e) => e.type === 'dtmf' && e['digit'] === '#', 5000, 'the # by SIP INFO');
    expect(await caller.receivedDtmf()).toContain('5#');
  });

  it('outbound: dial the caller by number, both hear each other', async () => {
    svc().dial(`sip:caller@${lab.domain}`);
    const incoming = await caller.waitForIncoming(10_000);
    await caller.answer(incoming);
    await until(() => calls.find((c) => c.direction === 'outgoing' && c.state === 'established'), 10_000, 'established');
    await caller.expectHears({ tones: [AGENT] }, 10_000, incoming);
    await agentHearsEventually(CALLER);
  });

  it('call waiting + swap: second call rings soft, answering holds the first; swap keeps one unheld', async () => {
    const first = await answerIncomingFrom(caller);
    await second.call('sip:1001@' + lab.domain);
    const waiting = await until(ringingIn, 10_000, 'second incoming');
    expect(waiting.ring).toBe('soft');
    svc().answer(waiting.id);
    await until(() => calls.find((c) => c.id === waiting.id && c.state === 'established') && calls.find((c) => c.id === first.id && c.hold.local), 10_000, 'second up, first held');
    await second.expectHears({ tones: [AGENT] }, 10_000);
    await caller.expectHears({ tones: [], music: 'Lounge' }, 10_000);

    svc().swap(first.id);
    await until(() => calls.find((c) => c.id === first.id && !c.hold.local && !c.holdPending) && calls.find((c) => c.id === waiting.id && c.hold.local), 10_000, 'swapped');
    expect(live().filter((c) => c.state === 'established' && !c.hold.local)).toHaveLength(1);
    await caller.expectHears({ tones: [AGENT] }, 10_000);
    await second.expectHears({ tones: [], music: 'Lounge' }, 10_000);
  });

  it('decline busy: the caller gets 486', async () => {
    const id = await caller.call('sip:1001@' + lab.domain);
    const ringing = await until(ringingIn, 10_000, 'incoming');
    svc().decline(ringing.id, 486);
    await caller.waitForCallState(id, 'terminated');
    expect((await caller.calls()).find((c) => c.id === id)?.status).toBe(486);
  });

  it('Kamailio restarted mid-call: line re-registers, the call still carries audio both ways', async () => {
    const call = await answerIncomingFrom(caller);
    const pushMark = callPushes.length;
    await caller.expectHears({ tones: [AGENT] }, 10_000);
    await agentHearsEventually(CALLER);
    const mark = lineStates.length;
    await lab.restartKamailio();
    await until(() => lineStates.slice(mark).some((s) => s.state === 'reconnecting') && lineStates.at(-1)?.state === 'registered', 20_000, 're-registered');
    expect(live()).toHaveLength(1);
    expect(live()[0]!.state).toBe('established');
    await caller.expectHears({ tones: [AGENT] }, 10_000);
    // The target-refresh re-INVITE we send after re-registering may be refused (the caller's old route
    // died with Kamailio too); it must not end the call. Wait for its outcome — main logs it — not a time.
    const refresh = await until(() => log.entries.find((e) => /target refresh (accepted|refused)/.test(e.message)), 40_000, 'the target refresh answered');
    console.info(`[console-calls] after the restart: ${refresh.message}`);
    // Over the whole window, from the restart to the refresh's outcome and after: the call was never ended.
    expect(callPushes.slice(pushMark).every((list) => list.some((c) => c.id === call.id && c.state === 'established'))).toBe(true);
    expect(live()).toHaveLength(1);
    await agentHearsEventually(CALLER);
    await caller.expectHears({ tones: [AGENT] }, 10_000);
  });

  it('media host killed: every call ends with the reason, the far end gets a BYE', async () => {
    const call = await answerIncomingFrom(caller);
    await caller.expectHears({ tones: [AGENT] }, 10_000);
    await host.crash();
    const ended = await until(() => calls.find((c) => c.id === call.id && c.state === 'ended'), 10_000, 'ended');
    expect(ended.ended).toMatchObject({ by: 'system', reason: expect.stringContaining('media host crashed') });
    await caller.waitForCallState((await caller.calls()).at(-1)!.id, 'terminated', 10_000);
  });
});
