/**
 * Real JsSIP 3.13.8 in Node, its media through the peer-connection proxy into
 * the real media host page in Chromium. Two user agents are wired back to
 * back by an in-memory socket pair (no SIP server needed for a direct call),
 * so every JsSIP code path that touches the connection runs for real: offer
 * and answer with ICE gathering, hold/unhold re-INVITEs (direction mangling +
 * track.enabled), mute, RFC 2833 DTMF, BYE and connection close.
 * Hold music is swapped in the order docs/transfers.md prescribes: hold() first,
 * then music; microphone back first, then unhold().
 */
import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { UA } from 'jssip/lib/UA';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaClient, type MediaClient, type ProxyPeerConnectionBase } from '../../main/media/proxy';
import { startMediaHost, type MediaHostHarness } from '../harness/media-host';
import { until } from '../support/until';
import { heardEventually, hostProbe, installProbe, musicOf, toneWav, type Spectrum } from './tools';

const TONE = 660;
const mic = { deviceId: 'default', echoCancellation: false, noiseSuppression: false, autoGainControl: false };

/** Two JsSIP sockets joined back to back: what one sends, the other receives (in a later task). */
function socketPair() {
  type Side = {
    via_transport: string;
    url: string;
    sip_uri: string;
    peer: Side | null;
    onconnect?: () => void;
    ondisconnect?: (error: boolean) => void;
    ondata?: (data: string) => void;
    connect(): void;
    disconnect(): void;
    send(data: string): boolean;
  };
  const make = (name: string): Side => ({
    via_transport: 'WS',
    url: `ws://${name}.lab.invalid`,
    sip_uri: `sip:${name}.lab.invalid;transport=ws`,
    peer: null,
    connect() {
      setImmediate(() => this.onconnect?.());
    },
    disconnect() {
      setImmediate(() => this.ondisconnect?.(false));
    },
    send(data: string) {
      const to = this.peer;
      setImmediate(() => to?.ondata?.(data));
      return true;
    },
  });
  const a = make('a');
  const b = make('b');
  a.peer = b;
  b.peer = a;
  return [a, b] as const;
}

let host: MediaHostHarness;
let client: MediaClient;
let uninstall: () => void;
let alice: UA;
let bob: UA;

beforeAll(async () => {
  host = await startMediaHost({ fakeAudioFile: toneWav(TONE) });
  await installProbe(host.page);
  client = createMediaClient(host.link);
  // Before JsSIP creates any session: it reads the globals at call time.
  uninstall = client.installGlobals();
  const [sa, sb] = socketPair();
  alice = new JsSIP.UA({ sockets: [sa as never], uri: 'sip:alice@lab.invalid', register: false, session_timers: false });
  bob = new JsSIP.UA({ sockets: [sb as never], uri: 'sip:bob@lab.invalid', register: false, session_timers: false });
  const up = (ua: UA) => new Promise<void>((r) => ua.once('connected', () => r()));
  const both = Promise.all([up(alice), up(bob)]);
  alice.start();
  bob.start();
  await both;
});

afterAll(async () => {
  alice?.stop();
  bob?.stop();
  uninstall?.();
  client?.dispose();
  await host?.stop();
});

const hears = (s: Spectrum) => s.tones[TONE]! > -70 && s.tones[TONE]! > s.rmsDb - 40;
/** The chosen piece itself (recognised by its signature), not merely a sound that is not the tone. */
const lounge = (s: Spectrum) => musicOf(s) === 'Lounge' && !hears(s);
const pcOf = (s: RTCSession) => s.connection as unknown as ProxyPeerConnectionBase;
const once = (s: RTCSession, event: string) => new Promise<unknown>((r) => s.once(event as never, r as never));

/**
 * hold()/unhold() until the re-INVITE transaction completes (its `done` callback). JsSIP emits
 * the hold/unhold event before sending; `false` means another transaction is still in flight —
 * retried, as docs/architecture.md requires, never ignored.
 */
async function reinvite(s: RTCSession, action: 'hold' | 'unhold'): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const done = new Promise<boolean>((resolve) => {
      const started = action === 'hold' ? s.hold({}, () => resolve(true)) : s.unhold({}, () => resolve(true));
      if (!started) resolve(false);
    });
    if (await done) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${action} never got started`);
}

describe('JsSIP through the proxy', () => {
  let outgoing: RTCSession;
  let incoming: RTCSession;

  it('call and answer with microphone handles: confirmed, ICE connected, each side hears the other', async () => {
    const gotIncoming = new Promise<RTCSession>((resolve) =>
      bob.once('newRTCSession', (e: { session: RTCSession; originator: string }) => resolve(e.session)),
    );
    outgoing = alice.call('sip:bob@lab.invalid', {
      mediaStream: (await client.acquireMicrophone(mic)) as unknown as MediaStream,
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
    });
    incoming = await gotIncoming;
    const confirmed = Promise.all([once(outgoing, 'confirmed'), once(incoming, 'confirmed')]);
    incoming.answer({
      mediaStream: (await client.acquireMicrophone(mic)) as unknown as MediaStream,
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [] },
    });
    await confirmed;
    await until(() => ['connected', 'completed'].includes(pcOf(outgoing).iceConnectionState), { timeoutMs: 10_000, what: 'ICE alice' });
    await until(() => ['connected', 'completed'].includes(pcOf(incoming).iceConnectionState), { timeoutMs: 10_000, what: 'ICE bob' });
    await heardEventually(() => hostProbe(host.page, pcOf(incoming).id, [TONE]), hears, 'alice at bob');
    await heardEventually(() => hostProbe(host.page, pcOf(outgoing).id, [TONE]), hears, 'bob at alice');
    expect(client.callerHears(pcOf(outgoing))).toBe('you');
    expect(client.counters()).toMatchObject({ connections: 2, streams: 2, pendingRpcs: 0 });
  });

  it('hold() then music: the held party hears music, not the agent; JsSIP saw the hold succeed', async () => {
    const held = once(outgoing, 'hold');
    await reinvite(outgoing, 'hold');
    await held;
    expect(outgoing.isOnHold()).toEqual({ local: true, remote: false });
    expect(await client.setHoldMusic(pcOf(outgoing), true)).toEqual({ music: 'Lounge' });
    await heardEventually(() => hostProbe(host.page, pcOf(incoming).id, [TONE]), lounge, 'the hold music (Lounge) at bob');
    expect(outgoing.isEstablished()).toBe(true);
  });

  it('microphone back, then unhold(): the party hears the agent again', async () => {
    expect(await client.setHoldMusic(pcOf(outgoing), false)).toBe('silence');
    const resumed = once(outgoing, 'unhold');
    await reinvite(outgoing, 'unhold');
    await resumed;
    await until(() => client.callerHears(pcOf(outgoing)) === 'you', { timeoutMs: 3000, what: 'hears you' });
    await heardEventually(() => hostProbe(host.page, pcOf(incoming).id, [TONE]), (s) => hears(s) && musicOf(s) === null, 'alice (and no music) at bob');
  });

  it('the far end holds us: our side answers recvonly and we send nothing', async () => {
    await reinvite(incoming, 'hold');
    await until(() => client.callerHears(pcOf(outgoing)) === 'silence', { timeoutMs: 3000, what: 'held by bob' });
    expect(outgoing.isOnHold()).toEqual({ local: false, remote: true });
    await reinvite(incoming, 'unhold');
    await until(() => client.callerHears(pcOf(outgoing)) === 'you', { timeoutMs: 3000, what: 'resumed by bob' });
  });

  it('mute()/unmute() reach the microphone track', async () => {
    await heardEventually(() => hostProbe(host.page, pcOf(incoming).id, [TONE]), hears, 'alice at bob before the mute');
    outgoing.mute({ audio: true });
    await until(() => client.callerHears(pcOf(outgoing)) === 'silence', { timeoutMs: 3000, what: 'muted' });
    await heardEventually(() => hostProbe(host.page, pcOf(incoming).id, [TONE]), (s) => !hears(s), 'silence at bob while muted');
    outgoing.unmute({ audio: true });
    await until(() => client.callerHears(pcOf(outgoing)) === 'you', { timeoutMs: 3000, what: 'unmuted' });
    await heardEventually(() => hostProbe(host.page, pcOf(incoming).id, [TONE]), hears, 'alice at bob after the unmute');
  });

  it('RFC 2833 DTMF through the proxied RTCDTMFSender', async () => {
    outgoing.sendDTMF('12', { transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833, duration: 100, interToneGap: 70 });
    const sender = pcOf(outgoing).getSenders()[0]!;
    expect(sender.dtmf!.toneBuffer).toBe('12');
    outgoing.sendDTMF('3', { transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833, duration: 100, interToneGap: 70 });
    expect(sender.dtmf!.toneBuffer.endsWith('3')).toBe(true);
    await until(() => sender.dtmf!.toneBuffer === '', { timeoutMs: 5000, what: 'tones sent' });
  });

  it('hang-up ends both sessions and leaves no connection, stream, listener, timer or RPC — in main and in the host', async () => {
    const ended = Promise.all([once(outgoing, 'ended'), once(incoming, 'ended')]);
    outgoing.terminate();
    await ended;
    expect(client.counters()).toEqual({ connections: 0, streams: 0, pendingRpcs: 0, timers: 0, pcListeners: 0, rejectedMessages: 0 });
    await until(async () => (await client.hostStats()).connections === 0, { timeoutMs: 3000, what: 'host closed' });
    expect(await client.hostStats()).toEqual({ connections: 0, streams: 0, audioElements: 0 });
  });
});
