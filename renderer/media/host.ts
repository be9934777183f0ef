/**
 * The media host proper: serves the media port protocol (main/media/protocol.ts)
 * over whatever port it is given — a real MessagePort in Electron, a
 * playwright-backed shim in the headless harness — and owns every real
 * RTCPeerConnection, microphone stream and sound.
 *
 * Each connection's operations (RPCs and fire-and-forget ops alike) run
 * strictly in arrival order on a per-connection queue: JsSIP issues addTrack
 * then createOffer without waiting, and the order must survive the hop.
 */
import type {
  CallerHears,
  DeviceList,
  DeviceRole,
  FromHost,
  MicrophoneOptions,
  PcEventType,
  PcSnapshot,
  RpcRequest,
  SyncOp,
  ToHost,
} from '../../main/media/protocol';
import { AudioEngine } from './audio';
import { gatheringPolicy } from './ice-gathering';

/** The transport the host is served over (injectable: see main.ts). */
export interface HostPort {
  postMessage(message: unknown): void;
  setListener(listener: (message: unknown) => void): void;
}

interface PcEntry {
  id: string;
  pc: RTCPeerConnection;
  queue: Promise<unknown>;
  sender: RTCRtpSender | null;
  micTrack: MediaStreamTrack | null;
  music: boolean;
  lastHears: string;
  off: () => void;
}

const errorOf = (error: unknown) =>
  error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)
    ? { name: (error as Error).name || 'Error', message: String((error as Error).message).slice(0, 4000) }
    : { name: 'Error', message: String(error).slice(0, 4000) };

export function serveMediaHost(port: HostPort): { stop(): void } {
  const pcs = new Map<string, PcEntry>();
  const streams = new Map<string, Promise<MediaStream>>();
  const audio = new AudioEngine();
  const devices = { input: 'default', output: 'default', ringer: 'default' } satisfies Record<DeviceRole, string>;
  let stopped = false;

  const send = (message: FromHost) => {
    if (!stopped) port.postMessage(message);
  };

  const hears = (entry: PcEntry): CallerHears => {
    if (entry.pc.signalingState === 'closed' || !entry.sender) return 'silence';
    const transceiver = entry.pc.getTransceivers().find((t) => t.sender === entry.sender);
    const direction = transceiver?.currentDirection ?? null;
    // Nothing negotiated yet, or we do not send (held by the far end / inactive): the caller hears nothing from us.
    if (direction !== 'sendrecv' && direction !== 'sendonly') return 'silence';
    if (entry.music) return { music: audio.musicName };
    return entry.micTrack?.enabled && entry.micTrack.readyState === 'live' ? 'you' : 'silence';
  };

  const snapshot = (entry: PcEntry): PcSnapshot => {
    const { pc } = entry;
    const d = pc.localDescription;
    const h = hears(entry);
    entry.lastHears = JSON.stringify(h);
    return {
      signalingState: pc.signalingState,
      iceGatheringState: pc.iceGatheringState,
      iceConnectionState: pc.iceConnectionState,
      connectionState: pc.connectionState,
      localDescription: d ? { type: d.type, sdp: d.sdp } : null,
      toneBuffer: entry.sender?.dtmf?.toneBuffer ?? '',
      hears: h,
    };
  };

  const event = (entry: PcEntry, type: PcEventType, extra: Partial<Extract<FromHost, { kind: 'event' }>> = {}) => {
    if (!pcs.has(entry.id)) return;
    send({ kind: 'event', pc: entry.id, type, snapshot: snapshot(entry), ...extra });
  };

  /** Tell main when what the caller hears changed without any browser event saying so. */
  const reportHearing = (entry: PcEntry) => {
    if (pcs.has(entry.id) && JSON.stringify(hears(entry)) !== entry.lastHears) event(entry, 'hearing');
  };

  const createPc = (id: string, config: Record<string, unknown>) => {
    if (pcs.has(id)) throw new Error(`connection ${id} exists`);
    const pc = new RTCPeerConnection(config as RTCConfiguration);
    const entry: PcEntry = { id, pc, queue: Promise.resolve(), sender: null, micTrack: null, music: false, lastHears: '"silence"', off: () => undefined };
    // Without STUN/TURN the end of gathering is reported after the host UDP candidates (./ice-gathering.ts).
    const gathering = gatheringPolicy(config, () => event(entry, 'icecandidate', { candidate: null }));
    const onCandidate = (e: RTCPeerConnectionIceEvent) => {
      if (gathering.candidate(e.candidate) === 'drop') return;
      event(entry, 'icecandidate', {
        candidate: e.candidate
          ? { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex, usernameFragment: e.candidate.usernameFragment }
          : null,
      });
    };
    const simple = (type: PcEventType) => () => {
      event(entry, type);
    };
    const onGatheringState = () => {
      gathering.state(pc.iceGatheringState);
      event(entry, 'icegatheringstatechange');
    };
    const handlers: [string, EventListener][] = [
      ['icecandidate', onCandidate as EventListener],
      ['icegatheringstatechange', onGatheringState],
      ['iceconnectionstatechange', simple('iceconnectionstatechange')],
      ['signalingstatechange', simple('signalingstatechange')],
      ['connectionstatechange', simple('connectionstatechange')],
      ['track', ((e: RTCTrackEvent) => audio.playRemote(id, e.streams[0] ?? new MediaStream([e.track]))) as EventListener],
    ];
    for (const [type, fn] of handlers) pc.addEventListener(type, fn);
    entry.off = () => {
      gathering.dispose();
      for (const [type, fn] of handlers) pc.removeEventListener(type, fn);
    };
    pcs.set(id, entry);
  };

  const entryOf = (id: string): PcEntry => {
    const entry = pcs.get(id);
    if (!entry) {
      const error = new Error(`no connection ${id} (closed or never created)`);
      error.name = 'InvalidStateError';
      throw error;
    }
    return entry;
  };

  /** Queue work on a connection: it runs after everything sent to that connection before it. */
  const onQueue = <T>(pcId: string, work: (entry: PcEntry) => Promise<T> | T): Promise<T> => {
    const entry = pcs.get(pcId);
    if (!entry) return Promise.reject(entryOf(pcId));
    const run = entry.queue.then(() => work(entryOf(pcId)));
    entry.queue = run.catch(() => undefined);
    return run;
  };

  const closePc = (entry: PcEntry) => {
    entry.off();
    if (entry.music) audio.releaseMusic(entry.id);
    entry.pc.close();
    audio.stopRemote(entry.id);
    pcs.delete(entry.id);
  };

  const openStream = async (streamId: string, mic: MicrophoneOptions): Promise<MediaStream> => {
    const exact = mic.deviceId && mic.deviceId !== 'default' ? { deviceId: { exact: mic.deviceId } } : {};
    const constraints = {
      echoCancellation: mic.echoCancellation,
      noiseSuppression: mic.noiseSuppression,
      autoGainControl: mic.autoGainControl,
    };
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: { ...constraints, ...exact }, video: false });
    } catch (error) {
      // The chosen microphone is gone (unplugged headset): fall back to the default one and tell main.
      if (!('deviceId' in exact)) throw error;
      const stream = await navigator.mediaDevices.getUserMedia({ audio: constraints, video: false });
      void pushDevices([{ role: 'input', lostDeviceId: mic.deviceId }]);
      void streamId;
      return stream;
    }
  };

  const listDevices = async (): Promise<DeviceList> => {
    const all = await navigator.mediaDevices.enumerateDevices();
    const pick = (kind: MediaDeviceKind) =>
      all.filter((d) => d.kind === kind).map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, label: d.label }));
    return { inputs: pick('audioinput'), outputs: pick('audiooutput') };
  };

  /** Selected devices missing from the list fall back to the default; the list of those is returned. */
  const reconcile = async (list: DeviceList) => {
    const fallbacks: { role: DeviceRole; lostDeviceId: string }[] = [];
    const has = (ids: { deviceId: string }[], id: string) => id === 'default' || id === '' || ids.some((d) => d.deviceId === id);
    if (!has(list.inputs, devices.input)) {
      fallbacks.push({ role: 'input', lostDeviceId: devices.input });
      devices.input = 'default';
    }
    for (const role of ['output', 'ringer'] as const) {
      if (!has(list.outputs, devices[role])) {
        fallbacks.push({ role, lostDeviceId: devices[role] });
        devices[role] = 'default';
      }
    }
    await audio.setDevices(devices.output, devices.ringer);
    return fallbacks;
  };

  const pushDevices = async (extra: { role: DeviceRole; lostDeviceId: string }[] = []) => {
    const list = await listDevices();
    const fallbacks = [...extra, ...(await reconcile(list))];
    send({ kind: 'devices', devices: list, fallbacks });
  };

  const rpc = async (request: RpcRequest): Promise<unknown> => {
    switch (request.op) {
      case 'pc.createOffer':
        return onQueue(request.pc, async ({ pc }) => {
          const d = await pc.createOffer(request.options as RTCOfferOptions | undefined);
          return { type: d.type, sdp: d.sdp ?? '' };
        });
      case 'pc.createAnswer':
        return onQueue(request.pc, async ({ pc }) => {
          const d = await pc.createAnswer(request.options as RTCAnswerOptions | undefined);
          return { type: d.type, sdp: d.sdp ?? '' };
        });
      case 'pc.setLocalDescription':
        return onQueue(request.pc, async ({ pc }) => {
          await (request.description ? pc.setLocalDescription(request.description) : pc.setLocalDescription());
          return null;
        });
      case 'pc.setRemoteDescription':
        return onQueue(request.pc, async ({ pc }) => {
          await pc.setRemoteDescription(request.description);
          return null;
        });
      case 'pc.holdMusic':
        return onQueue(request.pc, async (entry) => {
          if (!entry.sender) throw Object.assign(new Error('no audio sender on this connection'), { name: 'InvalidStateError' });
          if (request.on && !entry.music) {
            // replaceTrack needs no renegotiation: the held leg's sendonly stream simply carries music now.
            await entry.sender.replaceTrack(audio.musicTrack(entry.id));
            entry.music = true;
          } else if (!request.on && entry.music) {
            await entry.sender.replaceTrack(entry.micTrack);
            entry.music = false;
            audio.releaseMusic(entry.id);
          }
          return { hears: hears(entry) };
        });
      case 'stream.open': {
        if (streams.has(request.stream)) throw new Error(`stream ${request.stream} exists`);
        const opening = openStream(request.stream, request.microphone);
        streams.set(request.stream, opening);
        try {
          const stream = await opening;
          if (!streams.has(request.stream)) {
            // Released while getUserMedia was pending: do not leak the capture.
            for (const t of stream.getTracks()) t.stop();
            throw new Error('stream released while opening');
          }
          return {
            stream: request.stream,
            tracks: stream.getTracks().map((t) => ({ id: t.id, kind: t.kind, enabled: t.enabled, label: t.label })),
          };
        } catch (error) {
          streams.delete(request.stream);
          throw error;
        }
      }
      case 'devices.list':
        return listDevices();
      case 'audio.configure': {
        devices.input = request.inputDeviceId;
        devices.output = request.outputDeviceId;
        devices.ringer = request.ringerDeviceId;
        return { fallbacks: await reconcile(await listDevices()) };
      }
      case 'music.configure': {
        const name = await audio.configureMusic(request.source, request.name, request.volume);
        // Held callers now hear the new piece: their call cards must say so.
        for (const entry of pcs.values()) if (entry.music) reportHearing(entry);
        return { name };
      }
      case 'music.preview':
        audio.preview(request.on);
        return null;
      case 'ring.start':
        audio.startRing(request.volume === 'soft');
        return null;
      case 'ring.stop':
        audio.stopRing();
        return null;
      case 'cue.play':
        await audio.playCue();
        return null;
      case 'host.stats':
        return { connections: pcs.size, streams: streams.size, audioElements: audio.remoteElements };
    }
  };

  const trackById = async (trackId: string): Promise<MediaStreamTrack | null> => {
    for (const opening of streams.values()) {
      const stream = await opening.catch(() => null);
      const track = stream?.getTracks().find((t) => t.id === trackId);
      if (track) return track;
    }
    return null;
  };

  const syncOp = async (op: SyncOp): Promise<void> => {
    switch (op.op) {
      case 'pc.create':
        createPc(op.pc, op.config);
        return;
      case 'pc.addTrack':
        return onQueue(op.pc, async (entry) => {
          const stream = await streams.get(op.stream);
          const track = stream?.getTracks().find((t) => t.id === op.track);
          if (!stream || !track) throw new Error(`unknown stream ${op.stream} / track ${op.track}`);
          const sender = entry.pc.addTrack(track, stream);
          if (track.kind === 'audio' && !entry.sender) {
            entry.sender = sender;
            entry.micTrack = track;
            sender.dtmf?.addEventListener('tonechange', () => event(entry, 'tonechange'));
          }
        });
      case 'track.setEnabled': {
        // Always the microphone track, even while the sender carries hold music (docs/architecture.md, "The peer-connection proxy").
        const track = await trackById(op.track);
        if (!track) throw new Error(`unknown track ${op.track}`);
        track.enabled = op.enabled;
        for (const entry of pcs.values()) if (entry.micTrack === track) reportHearing(entry);
        return;
      }
      case 'dtmf.insert':
        return onQueue(op.pc, (entry) => {
          const dtmf = entry.sender?.dtmf;
          if (!dtmf) throw new Error('no DTMF sender (no audio track, or telephone-event not negotiated)');
          dtmf.insertDTMF(op.tones, op.duration, op.gap);
          event(entry, 'tonechange');
        });
      case 'pc.close': {
        const entry = pcs.get(op.pc);
        if (!entry) return;
        // Closing waits for nothing queued: the browser's close() aborts pending operations too.
        closePc(entry);
        return;
      }
      case 'stream.release': {
        const opening = streams.get(op.stream);
        streams.delete(op.stream);
        const stream = await opening?.catch(() => null);
        for (const t of stream?.getTracks() ?? []) t.stop();
        return;
      }
    }
  };

  const pcOf = (message: { pc?: unknown; request?: { pc?: unknown } }) => {
    const pc = message.pc ?? message.request?.pc;
    return typeof pc === 'string' ? pc : null;
  };

  const after = (pcId: string | null) => {
    const entry = pcId ? pcs.get(pcId) : undefined;
    if (entry) reportHearing(entry);
  };

  port.setListener((raw) => {
    if (stopped || raw === null || typeof raw !== 'object') return;
    const message = raw as ToHost;
    if (message.kind === 'rpc' && typeof message.id === 'number' && message.request && typeof message.request.op === 'string') {
      const pcId = pcOf(message as { request?: { pc?: unknown } });
      rpc(message.request).then(
        (result) => {
          const entry = pcId ? pcs.get(pcId) : undefined;
          send({ kind: 'reply', id: message.id, ok: true, result: result ?? null, ...(entry ? { snapshot: snapshot(entry) } : {}) });
        },
        (error: unknown) => {
          const entry = pcId ? pcs.get(pcId) : undefined;
          send({ kind: 'reply', id: message.id, ok: false, error: errorOf(error), ...(entry ? { snapshot: snapshot(entry) } : {}) });
        },
      );
      return;
    }
    if (message.kind === 'sync' && typeof message.op === 'string') {
      const pcId = pcOf(message as { pc?: unknown });
      syncOp(message).then(
        () => after(pcId),
        (error: unknown) => send({ kind: 'fault', op: message.op, pc: pcId, message: errorOf(error).message }),
      );
      return;
    }
    send({ kind: 'fault', op: 'unknown', pc: null, message: 'malformed message from main' });
  });

  const onDeviceChange = () => void pushDevices();
  navigator.mediaDevices.addEventListener('devicechange', onDeviceChange);
  send({ kind: 'hello', protocol: 1 });
  void pushDevices().catch(() => undefined);

  return {
    stop() {
      stopped = true;
      navigator.mediaDevices.removeEventListener('devicechange', onDeviceChange);
      for (const entry of [...pcs.values()]) closePc(entry);
      for (const opening of streams.values()) void opening.then((s) => s.getTracks().forEach((t) => t.stop())).catch(() => undefined);
      streams.clear();
      audio.stopRing();
    },
  };
}
