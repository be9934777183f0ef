/**
 * The peer-connection proxy against a recording fake media host: the rules
 * docs/architecture.md sets for it (one ordered channel, snapshots applied before
 * resolve/dispatch, generous time-outs, enabled routed to the microphone,
 * host death rejects everything pending, handles are not thenables, nothing
 * leaks after close).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaHostGoneError, MediaOperationError, MediaProtocolError, MediaTimeoutError } from '../../main/media/errors';
import { createMediaClient, type MediaClient, type ProxyEvent } from '../../main/media/proxy';
import type { ToHost } from '../../main/media/protocol';
import { jssipLocalDescription } from '../support/local-description';
import { FakeMediaHost } from './proxy-fake-host';

const mic = { deviceId: 'default', echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const tick = () => new Promise((r) => setImmediate(r));
const settle = async (n = 10) => {
  for (let i = 0; i < n; i++) await tick();
};

let clients: MediaClient[] = [];
afterEach(() => {
  for (const c of clients) c.dispose();
  clients = [];
});

function setup(options: Parameters<typeof createMediaClient>[1] = {}) {
  const host = new FakeMediaHost();
  const client = createMediaClient(host.link, options);
  clients.push(client);
  return { host, client, PC: client.RTCPeerConnection };
}

describe('globals', () => {
  it('installs the proxy as the globals JsSIP reads and restores them', () => {
    const { client } = setup();
    const target: Record<string, unknown> = {};
    const uninstall = client.installGlobals(target);
    expect((target['window'] as Record<string, unknown>)['RTCPeerConnection']).toBe(client.RTCPeerConnection);
    expect(target['RTCPeerConnection']).toBe(client.RTCPeerConnection);
    expect(target['RTCSessionDescription']).toBe(client.RTCSessionDescription);
    uninstall();
    expect(Object.keys(target)).toEqual([]);
  });

  it('adds to an existing window object instead of replacing it', () => {
    const { client } = setup();
    const win = { document: {} };
    const target: Record<string, unknown> = { window: win };
    const uninstall = client.installGlobals(target);
    expect(target['window']).toBe(win);
    expect((win as Record<string, unknown>)['RTCPeerConnection']).toBe(client.RTCPeerConnection);
    uninstall();
    expect(target['window']).toBe(win);
  });

  it('RTCSessionDescription refuses a bad type like the browser does', () => {
    const { client } = setup();
    expect(() => new client.RTCSessionDescription({ type: 'bogus', sdp: 'v=0' })).toThrow(TypeError);
    expect(new client.RTCSessionDescription({ type: 'offer', sdp: 'v=0' }).toJSON()).toEqual({ type: 'offer', sdp: 'v=0' });
  });
});

describe('ordering and snapshots', () => {
  it('sends sync ops and RPCs on one channel in the order JsSIP issued them', async () => {
    const { host, client, PC } = setup();
    const stream = await client.acquireMicrophone(mic);
    const pc = new PC({ iceServers: [] }, null);
    // JsSIP: addTrack for each track, then createOffer without waiting in between.
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    const sdp = await jssipLocalDescription(pc, 'offer');
    pc.getSenders()[0]!.track.enabled = false;
    pc.close();
    await settle();
    expect(host.ops()).toEqual([
      'rpc:stream.open',
      'sync:pc.create',
      'sync:pc.addTrack',
      'rpc:pc.createOffer',
      'rpc:pc.setLocalDescription',
      'sync:track.setEnabled',
      'sync:pc.close',
      'sync:stream.release',
    ]);
    expect(sdp).toContain('a=candidate:1');
  });

  it('applies the reply snapshot before the promise resolves', async () => {
    const { host, PC } = setup();
    host.mode = 'hold';
    const pc = new PC();
    const done = pc.createOffer().then((d) => ({ sync: pc.signalingState, gathering: pc.iceGatheringState, type: d.type }));
    await settle();
    const rpc = host.held.shift()!;
    host.pcs.get(pc.id)!.snapshot.signalingState = 'have-local-offer';
    host.pcs.get(pc.id)!.snapshot.iceGatheringState = 'gathering';
    host.reply(rpc, { type: 'offer', sdp: 'v=0\r\n' });
    expect(await done).toEqual({ sync: 'have-local-offer', gathering: 'gathering', type: 'offer' });
  });

  it('applies the event snapshot before listeners run', async () => {
    const { host, PC } = setup();
    const pc = new PC();
    const seen: { state: string; sdp: string | undefined; candidate: string | null }[] = [];
    pc.addEventListener('icecandidate', (e: ProxyEvent) =>
      seen.push({ state: pc.iceGatheringState, sdp: pc.localDescription?.sdp, candidate: e.candidate?.candidate ?? null }),
    );
    await pc.setLocalDescription({ type: 'offer', sdp: 'v=0\r\n' });
    await settle();
    expect(seen).toHaveLength(3);
    expect(seen[0]!.sdp).toContain('a=candidate:0');
    expect(seen[0]!.state).toBe('gathering');
    expect(seen[2]).toEqual({ state: 'complete', sdp: expect.stringContaining('a=candidate:1'), candidate: null });
    expect(host.received.filter((m) => m.kind === 'rpc')).toHaveLength(1);
  });

  it('supports handleEvent objects and keeps dispatching when a listener throws', async () => {
    const { PC } = setup();
    const pc = new PC();
    const got: string[] = [];
    pc.addEventListener('iceconnectionstatechange', () => {
      throw new Error('listener bug');
    });
    pc.addEventListener('iceconnectionstatechange', { handleEvent: () => got.push(pc.iceConnectionState) });
    await pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' });
    await settle();
    expect(got).toEqual(['connected']);
  });

  it('refuses an empty SDP before it reaches the host', async () => {
    const { host, PC } = setup();
    const pc = new PC();
    await expect(pc.setRemoteDescription({ type: 'offer', sdp: '' })).rejects.toThrow(TypeError);
    await settle();
    expect(host.ops()).toEqual(['sync:pc.create']);
  });
});

describe('failures', () => {
  it('maps a browser refusal to MediaOperationError with the DOMException name', async () => {
    const { host, PC } = setup();
    host.mode = 'hold';
    const pc = new PC();
    const p = pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' });
    await settle();
    host.reply(host.held.shift()!, { name: 'InvalidStateError', message: 'wrong state: stable' }, false);
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaOperationError);
    expect((error as Error).name).toBe('InvalidStateError');
  });

  it('times out an unanswered RPC (generous default, configurable) and ignores the late reply', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { host, client, PC } = setup({ rpcTimeoutMs: 5_000 });
      host.mode = 'hold';
      const pc = new PC();
      const p = pc.createOffer();
      const caught = p.catch((e: unknown) => e);
      await settle();
      expect(client.counters()).toMatchObject({ pendingRpcs: 1, timers: 1 });
      vi.advanceTimersByTime(4_999);
      expect(client.counters().pendingRpcs).toBe(1);
      vi.advanceTimersByTime(1);
      const error = await caught;
      expect(error).toBeInstanceOf(MediaTimeoutError);
      expect(client.counters()).toMatchObject({ pendingRpcs: 0, timers: 0 });
      host.reply(host.held.shift()!, { type: 'offer', sdp: 'v=0\r\n' });
      await settle();
      expect(client.counters().rejectedMessages).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('defaults to a 20 s time-out so JsSIP hold() is not failed by a slow host', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { host, PC } = setup();
      host.mode = 'hold';
      const pc = new PC();
      const caught = pc.createOffer().catch((e: unknown) => e);
      await settle();
      vi.advanceTimersByTime(19_999);
      host.reply(host.held.shift()!, { type: 'offer', sdp: 'v=0\r\n' });
      await settle();
      expect(await caught).toMatchObject({ type: 'offer' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('host death rejects every pending RPC, says why, and later calls fail fast until a new hello', async () => {
    const { host, client, PC } = setup();
    const stream = await client.acquireMicrophone(mic);
    host.mode = 'hold';
    const pc = new PC();
    pc.addTrack(stream.getTracks()[0]!, stream);
    const reasons: string[] = [];
    client.onGone((r) => reasons.push(r));
    const a = pc.createOffer().catch((e: unknown) => e);
    const b = client.listDevices().catch((e: unknown) => e);
    await settle();
    host.die('render-process-gone: crashed');
    expect(await a).toBeInstanceOf(MediaHostGoneError);
    expect(await b).toBeInstanceOf(MediaHostGoneError);
    expect(reasons).toEqual(['render-process-gone: crashed']);
    expect(pc.signalingState).toBe('closed');
    expect(pc.iceConnectionState).toBe('closed');
    expect(client.available).toBe(false);
    await expect(client.acquireMicrophone(mic)).rejects.toBeInstanceOf(MediaHostGoneError);
    expect(client.counters()).toMatchObject({ pendingRpcs: 0, timers: 0, streams: 0 });
    // JsSIP then terminates the session, which closes the connection: nothing is left.
    pc.close();
    expect(client.counters()).toMatchObject({ connections: 0, pcListeners: 0 });
  });

  it('a new host saying hello makes media available again', async () => {
    const host = new FakeMediaHost();
    const client = createMediaClient(host.link);
    clients.push(client);
    let ready = 0;
    client.onReady(() => ready++);
    host.send({ kind: 'hello', protocol: 1 });
    await settle();
    expect(ready).toBe(1);
    expect(client.available).toBe(true);
  });

  it('drops malformed host messages and refuses a result of the wrong shape', async () => {
    const { host, client } = setup();
    host.mode = 'hold';
    const p = client.listDevices().catch((e: unknown) => e);
    await settle();
    host.send({ kind: 'reply', id: 'not-a-number', ok: true });
    host.send({ kind: 'event', pc: 'x', type: 'evil', snapshot: {} });
    host.send('garbage');
    host.reply(host.held.shift()!, { inputs: 'not a list' });
    expect(await p).toBeInstanceOf(MediaProtocolError);
    expect(client.counters().rejectedMessages).toBe(4);
  });
});

describe('tracks, senders and handles', () => {
  it('stream, track and sender handles are not thenables (JsSIP returns the stream from a then callback)', async () => {
    const { client, PC } = setup();
    const stream = await client.acquireMicrophone(mic);
    expect('then' in stream).toBe(false);
    expect(await Promise.resolve(stream)).toBe(stream);
    const pc = new PC();
    const sender = pc.addTrack(stream.getTracks()[0]!, stream);
    for (const object of [stream.getTracks()[0], sender, sender.dtmf]) expect('then' in (object as object)).toBe(false);
    expect(stream.getTracks()[0]).toMatchObject({ kind: 'audio', enabled: true });
    expect(stream.getVideoTracks()).toEqual([]);
    expect(stream.getAudioTracks()).toHaveLength(1);
  });

  it('routes sender.track.enabled to the microphone track, also while hold music is on the sender', async () => {
    const { host, client, PC } = setup();
    const stream = await client.acquireMicrophone(mic);
    const micTrack = stream.getTracks()[0]!;
    const pc = new PC();
    pc.addTrack(micTrack, stream);
    await pc.setLocalDescription({ type: 'offer', sdp: 'v=0\r\n' });
    await settle();
    const heard: unknown[] = [];
    client.onHearing((p, h) => p === pc && heard.push(h));
    expect(client.callerHears(pc)).toBe('you');

    // JsSIP hold(): track.enabled=false first, then the call service swaps music in.
    pc.getSenders()[0]!.track.enabled = false;
    expect(await client.setHoldMusic(pc, true)).toEqual({ music: 'Lounge' });
    // JsSIP unhold() while music still plays would enable the mic, not the music track.
    pc.getSenders()[0]!.track.enabled = true;
    await settle();
    const enables = host.received.filter((m): m is Extract<ToHost, { op: 'track.setEnabled' }> => m.kind === 'sync' && m.op === 'track.setEnabled');
    expect(enables.map((m) => [m.track, m.enabled])).toEqual([
      [micTrack.id, false],
      [micTrack.id, true],
    ]);
    expect(await client.setHoldMusic(pc, false)).toBe('you');
    expect(heard).toEqual(['silence', { music: 'Lounge' }, 'you']);
    expect(pc.getSenders()[0]!.track).toBe(micTrack);
  });

  it('DTMF: insertDTMF is forwarded, toneBuffer readable synchronously, bad tones refused like the browser', async () => {
    const { host, client, PC } = setup();
    const stream = await client.acquireMicrophone(mic);
    const pc = new PC();
    const sender = pc.addTrack(stream.getTracks()[0]!, stream);
    // JsSIP RTCSession.sendDTMF (RFC 2833 mode): tones = sender.toneBuffer + tones; insertDTMF(tones, duration, gap).
    sender.dtmf!.insertDTMF(sender.dtmf!.toneBuffer + '12#', 100, 70);
    expect(sender.dtmf!.toneBuffer).toBe('12#');
    expect(() => sender.dtmf!.insertDTMF('12x')).toThrow(expect.objectContaining({ name: 'InvalidCharacterError' }));
    sender.dtmf!.insertDTMF('9', 10, 5);
    await settle();
    const sent = host.received.filter((m) => m.kind === 'sync' && m.op === 'dtmf.insert');
    expect(sent).toEqual([
      { kind: 'sync', op: 'dtmf.insert', pc: pc.id, tones: '12#', duration: 100, gap: 70 },
      { kind: 'sync', op: 'dtmf.insert', pc: pc.id, tones: '9', duration: 40, gap: 30 },
    ]);
  });

  it('refuses a track that did not come from this client', async () => {
    const { client, PC } = setup();
    const other = setup().client;
    const foreign = await other.acquireMicrophone(mic);
    const pc = new PC();
    expect(() => pc.addTrack(foreign.getTracks()[0]!, foreign)).toThrow(TypeError);
    await expect(client.setHoldMusic(new (other.RTCPeerConnection)(), true)).rejects.toThrow(TypeError);
  });
});

describe('per-call ownership (leak checks)', () => {
  it('closing a call closes its connection and its stream and leaves no listener, timer or RPC', async () => {
    const { host, client, PC } = setup();
    const calls = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const stream = await client.acquireMicrophone(mic);
        const pc = new PC({ iceServers: [] });
        pc.addTrack(stream.getTracks()[0]!, stream);
        pc.addEventListener('iceconnectionstatechange', () => undefined);
        await jssipLocalDescription(pc, 'offer');
        return { pc, stream };
      }),
    );
    expect(client.counters()).toMatchObject({ connections: 4, streams: 4, pcListeners: 4 });
    calls[0]!.pc.close();
    calls[0]!.pc.close(); // twice is harmless
    expect(client.counters()).toMatchObject({ connections: 3, streams: 3, pcListeners: 3 });
    for (const { pc } of calls.slice(1)) pc.close();
    await settle();
    expect(client.counters()).toEqual({ connections: 0, streams: 0, pendingRpcs: 0, timers: 0, pcListeners: 0, rejectedMessages: 0 });
    expect(host.ops().filter((o) => o === 'sync:stream.release')).toHaveLength(4);
    // After close: reads say closed, async methods reject like the browser, events are not dispatched.
    await expect(calls[1]!.pc.createOffer()).rejects.toMatchObject({ name: 'InvalidStateError' });
    expect(calls[1]!.pc.signalingState).toBe('closed');
  });

  it('a stream released before use (call failed before addTrack) is released once', async () => {
    const { host, client } = setup();
    const stream = await client.acquireMicrophone(mic);
    client.releaseStream(stream);
    client.releaseStream(stream);
    await settle();
    expect(host.ops().filter((o) => o === 'sync:stream.release')).toHaveLength(1);
    expect(client.counters().streams).toBe(0);
  });

  it('dispose unsubscribes from the link and rejects what is pending', async () => {
    const { host, client } = setup();
    host.mode = 'hold';
    const p = client.listDevices().catch((e: unknown) => e);
    await settle();
    expect(host.listenerCount).toBe(2);
    client.dispose();
    expect(await p).toBeInstanceOf(MediaHostGoneError);
    expect(host.listenerCount).toBe(0);
  });
});
