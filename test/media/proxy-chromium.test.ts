/**
 * The peer-connection proxy driving REAL Chromium peer connections in the
 * REAL media host page (out/renderer/media, built), against an independent
 * plain RTCPeerConnection in a second Chromium process with its own tone.
 * Agent microphone 660 Hz, far end 880 Hz. Run inside a loopback-only
 * namespace: `unshare --net sh -c 'ip link set lo up; npx vitest run --project media'`.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaHostGoneError } from '../../main/media/errors';
import { readFile } from 'node:fs/promises';
import { createMediaClient, musicSourceFromSetting, type DeviceFallback, type MediaClient, type ProxyPeerConnectionBase } from '../../main/media/proxy';
import type { MediaStreamHandle } from '../../main/media/handles';
import type { CallerHears, DeviceList } from '../../main/media/protocol';
import { launchChromium, serveStatic, startMediaHost, type MediaHostHarness } from '../harness/media-host';
import { jssipLocalDescription } from '../support/local-description';
import { until } from '../support/until';
import { completionCueMelody, containsInOrder, heardEventually, hostProbe, installPeer, installProbe, melodyOf, musicOf, peerProbe, recordElement, toneWav, withDirection, type Spectrum } from './tools';

const AGENT = 660;
const FAR = 880;
const mic = { deviceId: 'default', echoCancellation: false, noiseSuppression: false, autoGainControl: false };

let server: Awaited<ReturnType<typeof serveStatic>>;
let host: MediaHostHarness;
let peerBrowser: Browser;
let peer: Page;
let client: MediaClient;
const pushes: { devices: DeviceList; fallbacks: DeviceFallback[] }[] = [];
const hearing: CallerHears[] = [];

beforeAll(async () => {
  server = await serveStatic();
  host = await startMediaHost({ baseUrl: server.baseUrl, fakeAudioFile: toneWav(AGENT) });
  client = createMediaClient(host.link, { rpcTimeoutMs: 20_000 });
  client.onDevices((devices, fallbacks) => pushes.push({ devices, fallbacks }));
  await installProbe(host.page);
  peerBrowser = await launchChromium(toneWav(FAR));
  peer = await (await peerBrowser.newContext({ permissions: ['microphone'] })).newPage();
  await peer.goto(`${server.baseUrl}/blank.html`);
  await installPeer(peer);
});

afterAll(async () => {
  client?.dispose();
  await peerBrowser?.close();
  await host?.stop();
  await server?.close();
});

const hears = (s: Spectrum, hz: number) => s.tones[hz]! > -70 && s.tones[hz]! > s.rmsDb - 40;
/** Below the detector's silence level: nothing audible at all (no tone, no music, no noise). */
const silent = (s: Spectrum) => s.rmsDb < -60;

describe('proxy ⇄ plain Chromium peer', () => {
  let pc: ProxyPeerConnectionBase;
  let stream: MediaStreamHandle;

  /** A re-INVITE from our side, JsSIP-style: fresh offer, direction rewritten on the wire. */
  async function reoffer(direction: 'sendrecv' | 'sendonly' | 'inactive') {
    const offer = withDirection(await jssipLocalDescription(pc, 'offer'), direction);
    const answer = (await peer.evaluate(`window.__peer.answer(${JSON.stringify(offer)})`)) as string;
    await pc.setRemoteDescription(new client.RTCSessionDescription({ type: 'answer', sdp: answer }));
  }

  /** A re-INVITE from the far end (it holds us, or resumes). */
  async function farReoffer(direction: 'sendrecv' | 'sendonly' | 'inactive') {
    const offer = (await peer.evaluate(`window.__peer.offer(${JSON.stringify(direction)})`)) as string;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    const answer = await jssipLocalDescription(pc, 'answer');
    await peer.evaluate(`window.__peer.accept(${JSON.stringify(answer)})`);
    return answer;
  }

  it('acquires the microphone and reaches connected with audio flowing both ways', async () => {
    stream = await client.acquireMicrophone(mic);
    expect(stream.getTracks().map((t) => t.kind)).toEqual(['audio']);
    pc = new client.RTCPeerConnection({ iceServers: [] }, null);
    client.onHearing((p, h) => p === pc && hearing.push(h));
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    const offer = await jssipLocalDescription(pc, 'offer');
    expect(offer).toMatch(/a=candidate:.* 127\.0\.0\.1 /);
    expect(offer).toContain('telephone-event');
    const answer = (await peer.evaluate(`window.__peer.answer(${JSON.stringify(offer)})`)) as string;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    expect(pc.signalingState).toBe('stable');
    await until(() => ['connected', 'completed'].includes(pc.iceConnectionState), { timeoutMs: 10_000, what: 'ICE connected' });

    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => hears(s, AGENT) && Math.abs(s.peakHz - AGENT) < 15, 'the agent at the far end');
    await heardEventually(() => hostProbe(host.page, pc.id, [AGENT, FAR]), (s) => hears(s, FAR), 'the far end at the agent');
    expect(client.callerHears(pc)).toBe('you');
  });

  it('local hold (sendonly on the wire, track disabled): the far end is recvonly and hears nothing until the music starts', async () => {
    // Positive control before: the far end hears the agent on this very stream.
    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => hears(s, AGENT), 'the agent before the hold');
    pc.getSenders()[0]!.track.enabled = false; // what JsSIP hold() does first
    await reoffer('sendonly');
    expect(await peer.evaluate('window.__peer.direction()')).toBe('recvonly');
    await until(() => client.callerHears(pc) === 'silence', { timeoutMs: 3000, what: 'hears silence' });
    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => !hears(s, AGENT) && silent(s), 'silence while held');
    // Positive control after: the same stream is live — the hold music arrives on it.
    expect(await client.setHoldMusic(pc, true)).toEqual({ music: 'Lounge' });
    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => !hears(s, AGENT) && musicOf(s) === 'Lounge', 'the hold music (Lounge) after the silence');
  });

  it('hold music: the far end hears the chosen piece — Lounge, then Classic once switched — and nothing at volume 0', async () => {
    expect(client.callerHears(pc)).toEqual({ music: 'Lounge' });
    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => !hears(s, AGENT) && musicOf(s) === 'Lounge', 'hold music (Lounge)');

    // Switching the piece while held: the caller hears the new one and the card says so.
    expect(await client.configureMusic({ source: { builtin: 'classic' }, name: 'Classic', volume: 0.5 })).toBe('Classic');
    await until(() => JSON.stringify(client.callerHears(pc)) === '{"music":"Classic"}', { timeoutMs: 3000, what: 'music: Classic' });
    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => !hears(s, AGENT) && musicOf(s) === 'Classic', 'hold music (Classic)');

    // Volume 0: the music track is silent (volume really applies to what callers hear)…
    await client.configureMusic({ source: { builtin: 'classic' }, name: 'Classic', volume: 0 });
    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => silent(s) && !hears(s, AGENT), 'silent music at volume 0');
    // …and the stream was live all along: back at 0.5, Lounge is heard again.
    await client.configureMusic({ source: { builtin: 'lounge' }, name: 'Lounge', volume: 0.5 });
    await heardEventually(() => peerProbe(peer, [AGENT, FAR]), (s) => musicOf(s) === 'Lounge', 'Lounge again at volume 0.5');
  });

  it('resume: microphone back first, then unhold — the far end hears the agent again, music stops', async () => {
    expect(await client.setHoldMusic(pc, false)).toBe('silence'); // still disabled and sendonly-held
    pc.getSenders()[0]!.track.enabled = true; // JsSIP unhold()
    await reoffer('sendrecv');
    expect(await peer.evaluate('window.__peer.direction()')).toBe('sendrecv');
    await until(() => client.callerHears(pc) === 'you', { timeoutMs: 3000, what: 'hears you' });
    await heardEventually(
      () => peerProbe(peer, [AGENT, FAR]),
      (s) => hears(s, AGENT) && Math.abs(s.peakHz - AGENT) < 15 && musicOf(s) === null,
      'the agent again, music gone',
    );
    expect(hearing).toEqual(['you', 'silence', { music: 'Lounge' }, { music: 'Classic' }, { music: 'Lounge' }, 'silence', 'you']);
  });

  it('mute (JsSIP track.enabled=false without hold): the far end hears silence, unmute restores', async () => {
    await heardEventually(() => peerProbe(peer, [AGENT]), (s) => hears(s, AGENT), 'the agent before the mute');
    pc.getSenders()[0]!.track.enabled = false;
    await until(() => client.callerHears(pc) === 'silence', { timeoutMs: 3000, what: 'muted' });
    await heardEventually(() => peerProbe(peer, [AGENT]), (s) => !hears(s, AGENT), 'silence while muted');
    pc.getSenders()[0]!.track.enabled = true;
    await until(() => client.callerHears(pc) === 'you', { timeoutMs: 3000, what: 'unmuted' });
    await heardEventually(() => peerProbe(peer, [AGENT]), (s) => hears(s, AGENT), 'the agent after unmute');
  });

  it('remote hold: the far end offers sendonly / inactive, our answer is recvonly / inactive', async () => {
    const recvonly = await farReoffer('sendonly');
    expect(recvonly).toContain('a=recvonly');
    expect(pc.localDescription!.sdp).toContain('a=recvonly');
    await until(() => client.callerHears(pc) === 'silence', { timeoutMs: 3000, what: 'held by far end' });
    // We still receive the far end.
    await heardEventually(() => hostProbe(host.page, pc.id, [AGENT, FAR]), (s) => hears(s, FAR), 'the far end while it holds us');

    const inactive = await farReoffer('inactive');
    expect(inactive).toContain('a=inactive');
    const resumed = await farReoffer('sendrecv');
    expect(resumed).toContain('a=sendrecv');
    await until(() => client.callerHears(pc) === 'you', { timeoutMs: 3000, what: 'resumed' });
    await heardEventually(() => peerProbe(peer, [AGENT]), (s) => hears(s, AGENT), 'the agent after the far end resumed');
  });

  it('RFC 2833 DTMF through the sender: toneBuffer is readable at once and drains as tones are sent', async () => {
    const dtmf = pc.getSenders()[0]!.dtmf!;
    expect(dtmf.toneBuffer).toBe('');
    dtmf.insertDTMF(dtmf.toneBuffer + '12#', 100, 70);
    expect(dtmf.toneBuffer).toBe('12#');
    await until(() => dtmf.toneBuffer === '', { timeoutMs: 5000, what: 'tone buffer drained' });
  });

  it('closing the call closes its connection and stream in the host and leaves nothing behind', async () => {
    pc.close();
    await until(async () => (await client.hostStats()).connections === 0, { timeoutMs: 3000, what: 'host connection closed' });
    expect(await client.hostStats()).toEqual({ connections: 0, streams: 0, audioElements: 0 });
    expect(client.counters()).toEqual({ connections: 0, streams: 0, pendingRpcs: 0, timers: 0, pcListeners: 0, rejectedMessages: 0 });
    await peer.evaluate('window.__peer.close()');
  });
});

/** Two proxied connections in the one media host, each with its own microphone stream, a offering to b. */
async function proxiedPair() {
  const s1 = await client.acquireMicrophone(mic);
  const s2 = await client.acquireMicrophone(mic);
  const a = new client.RTCPeerConnection({ iceServers: [] });
  const b = new client.RTCPeerConnection({ iceServers: [] });
  a.addTrack(s1.getTracks()[0]!, s1);
  b.addTrack(s2.getTracks()[0]!, s2);
  await b.setRemoteDescription({ type: 'offer', sdp: await jssipLocalDescription(a, 'offer') });
  await a.setRemoteDescription({ type: 'answer', sdp: await jssipLocalDescription(b, 'answer') });
  return { a, b };
}

describe('two proxied connections in the one media host', () => {
  it('connect to each other with audio both ways (two calls at once, each with its own stream)', async () => {
    const { a, b } = await proxiedPair();
    await until(() => ['connected', 'completed'].includes(a.iceConnectionState) && ['connected', 'completed'].includes(b.iceConnectionState), { timeoutMs: 10_000, what: 'both connected' });
    await heardEventually(() => hostProbe(host.page, b.id, [AGENT]), (s) => hears(s, AGENT), 'a at b');
    // Hold music on one leg only: the other keeps the microphone.
    a.getSenders()[0]!.track.enabled = false;
    await client.setHoldMusic(a, true);
    expect(client.callerHears(a)).toEqual({ music: 'Lounge' });
    expect(client.callerHears(b)).toBe('you');
    a.close();
    b.close();
    expect(client.counters()).toMatchObject({ connections: 0, streams: 0, pcListeners: 0 });
    await until(async () => (await client.hostStats()).streams === 0, { timeoutMs: 3000, what: 'streams released' });
  });
});

describe('hold music from the agent\'s own file', () => {
  it('main reads the file, the host decodes it, and the held party hears it', async () => {
    const file = toneWav(523);
    const { source, name } = await musicSourceFromSetting(`file:${file}`, (path) => readFile(path));
    expect(name).toBe('tone-523');
    expect(await client.configureMusic({ source, name, volume: 0.8 })).toBe('tone-523');
    const { a, b } = await proxiedPair();
    await until(() => ['connected', 'completed'].includes(b.iceConnectionState), { timeoutMs: 10_000, what: 'connected' });
    a.getSenders()[0]!.track.enabled = false;
    expect(await client.setHoldMusic(a, true)).toEqual({ music: 'tone-523' });
    await heardEventually(() => hostProbe(host.page, b.id, [523, AGENT]), (s) => hears(s, 523) && !hears(s, AGENT), "the agent's own music file");
    a.close();
    b.close();
    await client.configureMusic({ source: { builtin: 'lounge' }, name: 'Lounge', volume: 0.5 });
  });

  it('refuses an unknown track setting with a typed error', async () => {
    await expect(musicSourceFromSetting('spotify:xyz', (path) => readFile(path))).rejects.toMatchObject({ code: 'invalid-request' });
  });
});

describe('devices and local sounds', () => {
  it('applies the chosen output and ringer devices, and a hot-unplugged one falls back to default with a notice', async () => {
    const list = await client.listDevices();
    const [, headset, speaker] = list.outputs;
    expect(headset && speaker).toBeTruthy();
    await client.startRinging('loud'); // creates the local sound elements
    expect(await client.configureAudio({ inputDeviceId: 'default', outputDeviceId: headset!.deviceId, ringerDeviceId: speaker!.deviceId })).toEqual([]);
    const sinks = () =>
      host.page.evaluate(`[...document.querySelectorAll('audio[data-role]')].map((e) => [e.dataset.role, e.sinkId])`) as Promise<[string, string][]>;
    await until(async () => JSON.stringify(await sinks()) === JSON.stringify([['output', headset!.deviceId], ['ringer', speaker!.deviceId]]), { timeoutMs: 3000, what: 'sinks applied' });

    // Unplug the headset: Chromium's fake devices never change, so the page sees a device list without it.
    const before = pushes.length;
    await host.page.evaluate(`(() => {
      const real = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
      navigator.mediaDevices.enumerateDevices = async () => (await real()).filter((d) => d.deviceId !== ${JSON.stringify(headset!.deviceId)});
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    })()`);
    await until(() => pushes.length > before, { timeoutMs: 3000, what: 'device push after unplug' });
    const push = pushes.at(-1)!;
    expect(push.fallbacks).toEqual([{ role: 'output', lostDeviceId: headset!.deviceId }]);
    expect(push.devices.outputs.some((d) => d.deviceId === headset!.deviceId)).toBe(false);
    await until(async () => JSON.stringify(await sinks()) === JSON.stringify([['output', ''], ['ringer', speaker!.deviceId]]), { timeoutMs: 3000, what: 'output back on default' });
    await client.stopRinging();
    await client.configureAudio({ inputDeviceId: 'default', outputDeviceId: 'default', ringerDeviceId: 'default' });
  });

  it('pushes the device list at start-up and lists devices on request', async () => {
    await until(() => pushes.length > 0, { timeoutMs: 5000, what: 'device push' });
    const list = await client.listDevices();
    expect(list.inputs.some((d) => d.deviceId === 'default')).toBe(true);
    expect(pushes[0]!.devices.inputs.length).toBe(list.inputs.length);
    expect(pushes[0]!.fallbacks).toEqual([]);
  });

  it('a selected device that does not exist falls back to the default and says so', async () => {
    const fallbacks = await client.configureAudio({ inputDeviceId: 'default', outputDeviceId: 'gone-headset', ringerDeviceId: 'default' });
    expect(fallbacks).toEqual([{ role: 'output', lostDeviceId: 'gone-headset' }]);
    expect(await client.configureAudio({ inputDeviceId: 'default', outputDeviceId: 'default', ringerDeviceId: 'default' })).toEqual([]);
  });

  it('a microphone that is gone falls back to the default one (the call still gets audio) and main is told', async () => {
    const before = pushes.length;
    const s = await client.acquireMicrophone({ ...mic, deviceId: 'unplugged-usb-headset' });
    expect(s.getTracks()).toHaveLength(1);
    await until(() => pushes.length > before, { timeoutMs: 3000, what: 'fallback push' });
    expect(pushes.at(-1)!.fallbacks).toContainEqual({ role: 'input', lostDeviceId: 'unplugged-usb-headset' });
    client.releaseStream(s);
  });

  it('rings on the ringer element (loud and soft), stops; previews music and plays the cue on the output element', async () => {
    // The local sound elements' streams carry exactly what goes to each device.
    const local = (role: 'output' | 'ringer', freqs: number[]) => () =>
      host.page.evaluate(`window.__probe(document.querySelector('audio[data-role=${role}]').srcObject, ${JSON.stringify(freqs)})`) as Promise<Spectrum>;
    const ring = (s: Spectrum) => s.tones[400]! > -60 && s.tones[450]! > -60;
    await client.startRinging('loud');
    await heardEventually(local('ringer', [400, 450]), ring, 'the loud ringtone');
    await client.startRinging('soft'); // call waiting: replaces the loud ring
    await heardEventually(local('ringer', [400, 450]), ring, 'the soft ringtone', 12_000);
    await client.stopRinging();
    await heardEventually(local('ringer', [400, 450]), (s) => s.rmsDb < -80, 'silence after the ring stops');
    // Positive control after the silence: the ringer element is live and rings again when told.
    await client.startRinging('loud');
    await heardEventually(local('ringer', [400, 450]), ring, 'the ringtone again');
    await client.stopRinging();

    await client.previewMusic(true);
    await heardEventually(local('output', []), (s) => musicOf(s) === 'Lounge', 'the music preview (Lounge)');
    await client.previewMusic(false);
    await heardEventually(local('output', []), (s) => s.rmsDb < -80, 'silence after the preview');

    // The cue is short (0.45 s): a recording of the output element catches it whole, and proves the
    // element live after the silence above. playCue resolves only once the cue has started playing.
    const recording = await recordElement(host.page, 'audio[data-role=output]');
    await client.playCue();
    const resolvedAt = Date.now();
    const melody = completionCueMelody();
    let frames: Awaited<ReturnType<typeof recording.frames>> = [];
    await until(async () => containsInOrder(melodyOf((frames = await recording.frames())), melody), { timeoutMs: 3000, what: `the cue's notes ${melody.join(' → ')} on the output element` });
    await recording.stop();
    const firstNote = frames.find((f) => melodyOf([f])[0] === melody[0]);
    expect(firstNote!.t, 'the cue had started before playCue resolved').toBeLessThanOrEqual(resolvedAt);
  });
});

describe('media host death', () => {
  it('rejects pending RPCs and reports gone with a reason', async () => {
    const reasons: string[] = [];
    client.onGone((r) => reasons.push(r));
    const pc = new client.RTCPeerConnection({ iceServers: [] });
    const s = await client.acquireMicrophone(mic);
    pc.addTrack(s.getTracks()[0]!, s);
    const pending = client.playCue().catch((e: unknown) => e);
    await host.crash();
    expect(await pending).toBeInstanceOf(MediaHostGoneError);
    expect(reasons).toEqual(['media host crashed']);
    expect(pc.signalingState).toBe('closed');
    await expect(pc.createOffer()).rejects.toBeInstanceOf(MediaHostGoneError);
    pc.close();
    expect(client.counters()).toMatchObject({ connections: 0, streams: 0, pendingRpcs: 0, timers: 0 });
  });
});
