/**
 * The peer-connection proxy: JsSIP runs in Electron main (Node) but every
 * RTCPeerConnection lives in the hidden media host. `createMediaClient(link)`
 * gives the call service
 * - `installGlobals()`: the proxy as the globals JsSIP reads
 *   (`window.RTCPeerConnection`, `RTCPeerConnection`, `RTCSessionDescription`);
 * - `acquireMicrophone()`: a stream handle to pass as JsSIP's `mediaStream`;
 * - hold music, devices, ringtone, cue, and `onGone` when the host dies.
 *
 * Rules (docs/architecture.md, measured on JsSIP 3.13.8): async methods are RPCs,
 * sync methods fire-and-forget on the same ordered link; every reply and event
 * carries a state snapshot applied *before* the promise resolves or the
 * listeners run, because JsSIP reads iceGatheringState, signalingState and
 * localDescription.sdp synchronously right after.
 */
import { ConsoleError } from '../../preload/contract/result';
import { silentLogger, type Logger } from '../logging/logger';
import { MediaHostGoneError, MediaOperationError, MediaProtocolError, MediaTimeoutError } from './errors';
import {
  DtmfSenderHandle,
  MediaStreamHandle,
  ProxySessionDescription,
  RtpSenderHandle,
  TrackHandle,
} from './handles';
import { Listeners, type MediaHostLink } from './link';
import {
  fromHostSchema,
  rpcResultSchemas,
  type CallerHears,
  type CandidateInit,
  type DeviceList,
  type DeviceRole,
  type FromHost,
  type MicrophoneOptions,
  type MusicSource,
  type PcEventType,
  type PcSnapshot,
  type RpcOp,
  type RpcRequest,
  type RpcResult,
  type SyncOp,
  type ToHost,
} from './protocol';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface MediaClientOptions {
  log?: Logger;
  /**
   * RPC time-out. Generous on purpose: a rejected RPC inside JsSIP's hold()
   * makes it hang up the call with "Hold Failed" (docs/architecture.md), and
   * getUserMedia may wait on the OS. Default 20 s.
   */
  rpcTimeoutMs?: number;
  timers?: Timers;
}

export type DeviceFallback = { role: DeviceRole; lostDeviceId: string };

/** Counters for leak checks: all zero once every call is closed (pcListeners counts listeners on open connections). */
export interface MediaCounters {
  connections: number;
  streams: number;
  pendingRpcs: number;
  timers: number;
  pcListeners: number;
  /** Messages from the host that failed validation (should stay 0). */
  rejectedMessages: number;
}

type Listener = ((event: ProxyEvent) => void) | { handleEvent(event: ProxyEvent): void };

export interface ProxyEvent {
  readonly type: PcEventType;
  readonly target: unknown;
  /** For `icecandidate`: the candidate, or null at the end of gathering. */
  readonly candidate?: CandidateInit | null;
}

const closedSnapshot = (previous: PcSnapshot): PcSnapshot => ({
  ...previous,
  signalingState: 'closed',
  iceConnectionState: 'closed',
  connectionState: 'closed',
  toneBuffer: '',
  hears: 'silence',
});

const initialSnapshot: PcSnapshot = {
  signalingState: 'stable',
  iceGatheringState: 'new',
  iceConnectionState: 'new',
  connectionState: 'new',
  localDescription: null,
  toneBuffer: '',
  hears: 'silence',
};

interface Pending {
  op: RpcOp;
  pc: PcCore | null;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: unknown;
}

/** Internal per-connection state; the JsSIP-facing class is a thin shell over it. */
class PcCore {
  snapshot: PcSnapshot = initialSnapshot;
  closed = false;
  readonly listeners = new Map<string, Set<Listener>>();
  readonly senders: RtpSenderHandle[] = [];
  readonly streams = new Set<string>();
  constructor(
    readonly id: string,
    readonly owner: ProxyPeerConnectionBase,
  ) {}
  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}

/** The class JsSIP instantiates; bound to one client by `client.RTCPeerConnection`. */
export abstract class ProxyPeerConnectionBase {
  /** @internal */ abstract readonly core: PcCore;
  abstract createOffer(options?: Record<string, unknown>): Promise<ProxySessionDescription>;
  abstract createAnswer(options?: Record<string, unknown>): Promise<ProxySessionDescription>;
  abstract setLocalDescription(description?: { type?: unknown; sdp?: unknown }): Promise<void>;
  abstract setRemoteDescription(description: { type?: unknown; sdp?: unknown }): Promise<void>;
  abstract addTrack(track: TrackHandle, ...streams: MediaStreamHandle[]): RtpSenderHandle;
  abstract getSenders(): RtpSenderHandle[];
  abstract close(): void;
  abstract addEventListener(type: string, listener: Listener | null): void;
  abstract removeEventListener(type: string, listener: Listener | null): void;
  /** Id shared with the media host (logs, tests). */
  get id(): string {
    return this.core.id;
  }
  get signalingState(): PcSnapshot['signalingState'] {
    return this.core.snapshot.signalingState;
  }
  get iceGatheringState(): PcSnapshot['iceGatheringState'] {
    return this.core.snapshot.iceGatheringState;
  }
  get iceConnectionState(): PcSnapshot['iceConnectionState'] {
    return this.core.snapshot.iceConnectionState;
  }
  get connectionState(): PcSnapshot['connectionState'] {
    return this.core.snapshot.connectionState;
  }
  get localDescription(): ProxySessionDescription | null {
    const d = this.core.snapshot.localDescription;
    return d ? new ProxySessionDescription(d) : null;
  }
}

export interface MediaClient {
  /** The proxy class bound to this client (what `installGlobals` installs as RTCPeerConnection). */
  readonly RTCPeerConnection: new (config?: Record<string, unknown> | null, constraints?: unknown) => ProxyPeerConnectionBase;
  readonly RTCSessionDescription: typeof ProxySessionDescription;
  /**
   * Install the proxy as the globals JsSIP reads. Call before JsSIP creates
   * its first session (JsSIP reads the globals at call time). Returns a
   * function restoring what was there before.
   */
  installGlobals(target?: Record<string, unknown>): () => void;
  /** getUserMedia in the host; pass the handle as JsSIP's `mediaStream` for call()/answer()/refer accept(). */
  acquireMicrophone(options: MicrophoneOptions): Promise<MediaStreamHandle>;
  /** Stop a stream's tracks in the host. Idempotent; closing its connection does this too. */
  releaseStream(stream: MediaStreamHandle): void;
  /** Swap hold music onto (or the microphone back onto) the connection's audio sender. */
  setHoldMusic(pc: ProxyPeerConnectionBase, on: boolean): Promise<CallerHears>;
  /** What the far end hears from us right now (last snapshot). */
  callerHears(pc: ProxyPeerConnectionBase): CallerHears;
  onHearing(listener: (pc: ProxyPeerConnectionBase, hears: CallerHears) => void): () => void;
  listDevices(): Promise<DeviceList>;
  /** Device list pushes (start-up and hot-plug); `fallbacks` names selected devices that vanished. */
  onDevices(listener: (devices: DeviceList, fallbacks: DeviceFallback[]) => void): () => void;
  configureAudio(devices: { inputDeviceId: string; outputDeviceId: string; ringerDeviceId: string }): Promise<DeviceFallback[]>;
  configureMusic(music: { source: MusicSource; name: string; volume: number }): Promise<string>;
  previewMusic(on: boolean): Promise<void>;
  startRinging(volume: 'loud' | 'soft'): Promise<void>;
  stopRinging(): Promise<void>;
  /** The short completion cue for a transferred call reaching us (docs/transfers.md). */
  playCue(): Promise<void>;
  /** The host's own counts (connections, streams, audio elements) for leak checks. */
  hostStats(): Promise<RpcResult<'host.stats'>>;
  /** The host died: pending RPCs are already rejected; end the affected calls with `reason`. */
  onGone(listener: (reason: string) => void): () => void;
  /** A (new) host said hello: media is available again. */
  onReady(listener: () => void): () => void;
  readonly available: boolean;
  counters(): MediaCounters;
  /** Stop listening to the link; rejects pending RPCs. */
  dispose(): void;
}

const describe = (value: unknown): { type?: unknown; sdp?: unknown } =>
  value !== null && typeof value === 'object' ? (value as { type?: unknown; sdp?: unknown }) : {};

export function createMediaClient(link: MediaHostLink, options: MediaClientOptions = {}): MediaClient {
  const log = options.log ?? silentLogger;
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 20_000;
  const timers: Timers = options.timers ?? {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };

  // Random start: a reply can never be mistaken for another client's (tests may put two on one link).
  let nextRpc = Math.floor(Math.random() * 2 ** 40);
  let nextPc = 1;
  let nextStream = 1;
  let available = true;
  let goneReason = '';
  let activeTimers = 0;
  let rejectedMessages = 0;
  let disposed = false;
  const pending = new Map<number, Pending>();
  const pcs = new Map<string, PcCore>();
  const streams = new Map<string, MediaStreamHandle>();
  const hearing = new Listeners<[ProxyPeerConnectionBase, CallerHears]>();
  const deviceListeners = new Listeners<[DeviceList, DeviceFallback[]]>();
  const goneListeners = new Listeners<[string]>();
  const readyListeners = new Listeners<[]>();
  const prefix = `m${Date.now().toString(36)}`;

  const post = (message: ToHost) => {
    if (!available || disposed) return; // the host is gone: fire-and-forget ops have nothing to act on
    link.post(message);
  };
  const sync = (op: SyncOp) => post({ kind: 'sync', ...op });

  function rpc<O extends RpcOp>(request: Extract<RpcRequest, { op: O }>, pc: PcCore | null = null): Promise<RpcResult<O>> {
    if (disposed) return Promise.reject(new MediaHostGoneError('media client disposed'));
    if (!available) return Promise.reject(new MediaHostGoneError(goneReason));
    const id = nextRpc++;
    return new Promise<RpcResult<O>>((resolve, reject) => {
      activeTimers++;
      const timer = timers.setTimeout(() => {
        activeTimers--;
        if (!pending.delete(id)) return;
        log.warn('media RPC timed out', { op: request.op, id, ms: rpcTimeoutMs });
        reject(new MediaTimeoutError(request.op, rpcTimeoutMs));
      }, rpcTimeoutMs);
      pending.set(id, { op: request.op, pc, resolve: resolve as (v: unknown) => void, reject, timer });
      link.post({ kind: 'rpc', id, request } satisfies ToHost);
    });
  }

  const settle = (id: number): Pending | undefined => {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    timers.clearTimeout(entry.timer);
    activeTimers--;
    return entry;
  };

  const applySnapshot = (core: PcCore, snapshot: PcSnapshot) => {
    if (core.closed) return; // a closed connection stays closed whatever the host still reports
    const before = core.snapshot.hears;
    core.snapshot = snapshot;
    if (JSON.stringify(before) !== JSON.stringify(snapshot.hears)) hearing.emit(core.owner, snapshot.hears);
  };

  const dispatch = (core: PcCore, event: ProxyEvent) => {
    const set = core.listeners.get(event.type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        if (typeof listener === 'function') listener.call(core.owner, event);
        else listener.handleEvent(event);
      } catch (error) {
        // A throwing listener must not break the dispatch of the others (DOM semantics).
        log.error('peer connection listener threw', { type: event.type, error: String(error) });
      }
    }
  };

  const handle = (message: FromHost) => {
    switch (message.kind) {
      case 'hello':
        if (!available) log.info('media host is back');
        available = true;
        goneReason = '';
        readyListeners.emit();
        return;
      case 'reply': {
        const entry = settle(message.id);
        if (!entry) {
          log.warn('media reply for an unknown or timed-out RPC', { id: message.id });
          return;
        }
        if (message.snapshot && entry.pc) applySnapshot(entry.pc, message.snapshot);
        if (!message.ok) {
          entry.reject(new MediaOperationError(entry.op, message.error.name, message.error.message));
          return;
        }
        const parsed = rpcResultSchemas[entry.op].safeParse(message.result);
        if (!parsed.success) {
          rejectedMessages++;
          entry.reject(new MediaProtocolError(`malformed ${entry.op} result from the media host`));
          return;
        }
        entry.resolve(parsed.data);
        return;
      }
      case 'event': {
        const core = pcs.get(message.pc);
        if (!core || core.closed) return;
        applySnapshot(core, message.snapshot);
        if (message.type === 'hearing') return; // already reported through onHearing
        dispatch(core, {
          type: message.type,
          target: core.owner,
          ...(message.type === 'icecandidate' ? { candidate: message.candidate ?? null } : {}),
        });
        return;
      }
      case 'devices':
        deviceListeners.emit(message.devices, message.fallbacks);
        return;
      case 'fault':
        log.warn('media host could not run an operation', { op: message.op, pc: message.pc, message: message.message });
        return;
    }
  };

  const offMessage = link.onMessage((raw) => {
    const parsed = fromHostSchema.safeParse(raw);
    if (!parsed.success) {
      rejectedMessages++;
      log.warn('dropped a malformed message from the media host', { issues: parsed.error.issues.slice(0, 3) });
      return;
    }
    handle(parsed.data);
  });

  const offGone = link.onGone((reason) => {
    if (!available) return;
    available = false;
    goneReason = reason || 'unknown';
    log.error('media host gone', { reason: goneReason });
    for (const id of [...pending.keys()]) settle(id)?.reject(new MediaHostGoneError(goneReason));
    // The host's objects died with it: connections read as closed, streams as released.
    for (const core of pcs.values()) core.snapshot = closedSnapshot(core.snapshot);
    streams.clear();
    goneListeners.emit(goneReason);
  });

  const releaseStreamById = (streamId: string) => {
    if (!streams.delete(streamId)) return;
    sync({ op: 'stream.release', stream: streamId });
  };

  const closeCore = (core: PcCore) => {
    if (core.closed) return;
    sync({ op: 'pc.close', pc: core.id });
    core.snapshot = closedSnapshot(core.snapshot);
    core.closed = true;
    core.listeners.clear();
    pcs.delete(core.id);
    // Per-call ownership: the call's microphone stream goes with its connection unless another open one still sends it.
    for (const streamId of core.streams) {
      const stillUsed = [...pcs.values()].some((other) => other.streams.has(streamId));
      if (!stillUsed) releaseStreamById(streamId);
    }
    core.streams.clear();
  };

  const invalidState = (what: string) => {
    const error = new Error(`${what}: the RTCPeerConnection is closed`);
    error.name = 'InvalidStateError';
    return error;
  };

  const toInit = (what: string, value: unknown) => {
    const d = new ProxySessionDescription(describe(value));
    if (!d.sdp && d.type !== 'rollback') throw new TypeError(`${what}: empty SDP`);
    return d.toJSON();
  };

  class ProxyPeerConnection extends ProxyPeerConnectionBase {
    readonly core: PcCore;
    constructor(config?: Record<string, unknown> | null, _constraints?: unknown) {
      super();
      this.core = new PcCore(`${prefix}-pc${nextPc++}`, this);
      pcs.set(this.core.id, this.core);
      // rtcConstraints (the legacy second argument) are ignored by Chromium too.
      sync({ op: 'pc.create', pc: this.core.id, config: { ...(config ?? {}) } });
    }
    async createOffer(opts?: Record<string, unknown>) {
      if (this.core.closed) throw invalidState('createOffer');
      const d = await rpc({ op: 'pc.createOffer', pc: this.core.id, ...(opts ? { options: { ...opts } } : {}) }, this.core);
      return new ProxySessionDescription(d);
    }
    async createAnswer(opts?: Record<string, unknown>) {
      if (this.core.closed) throw invalidState('createAnswer');
      const d = await rpc({ op: 'pc.createAnswer', pc: this.core.id, ...(opts ? { options: { ...opts } } : {}) }, this.core);
      return new ProxySessionDescription(d);
    }
    async setLocalDescription(description?: { type?: unknown; sdp?: unknown }) {
      if (this.core.closed) throw invalidState('setLocalDescription');
      const init = description === undefined ? undefined : toInit('setLocalDescription', description);
      await rpc({ op: 'pc.setLocalDescription', pc: this.core.id, ...(init ? { description: init } : {}) }, this.core);
    }
    async setRemoteDescription(description: { type?: unknown; sdp?: unknown }) {
      if (this.core.closed) throw invalidState('setRemoteDescription');
      await rpc({ op: 'pc.setRemoteDescription', pc: this.core.id, description: toInit('setRemoteDescription', description) }, this.core);
    }
    addTrack(track: TrackHandle, ...with_: MediaStreamHandle[]): RtpSenderHandle {
      if (this.core.closed) throw invalidState('addTrack');
      if (!(track instanceof TrackHandle)) throw new TypeError('addTrack: not a track of a media host stream');
      const stream = with_[0];
      if (!stream || !streams.has(stream.id)) throw new TypeError('addTrack: the stream was not acquired through this media client');
      const core = this.core;
      const sender = new RtpSenderHandle(
        track,
        track.kind === 'audio'
          ? new DtmfSenderHandle({
              toneBuffer: () => core.snapshot.toneBuffer,
              insert: (tones, duration, gap) => {
                if (core.closed) throw invalidState('insertDTMF');
                // insertDTMF replaces the buffer (W3C webrtc §7.2); JsSIP reads it back synchronously.
                core.snapshot = { ...core.snapshot, toneBuffer: tones };
                sync({ op: 'dtmf.insert', pc: core.id, tones, duration, gap });
              },
            })
          : null,
      );
      core.senders.push(sender);
      core.streams.add(stream.id);
      sync({ op: 'pc.addTrack', pc: core.id, stream: stream.id, track: track.id });
      return sender;
    }
    getSenders() {
      return [...this.core.senders];
    }
    close() {
      closeCore(this.core);
    }
    addEventListener(type: string, listener: Listener | null) {
      if (!listener || this.core.closed) return;
      let set = this.core.listeners.get(type);
      if (!set) this.core.listeners.set(type, (set = new Set()));
      set.add(listener);
    }
    removeEventListener(type: string, listener: Listener | null) {
      if (!listener) return;
      const set = this.core.listeners.get(type);
      set?.delete(listener);
      if (set && set.size === 0) this.core.listeners.delete(type);
    }
  }

  const coreOf = (pc: ProxyPeerConnectionBase): PcCore => {
    const core = pc.core;
    if (!(pc instanceof ProxyPeerConnection) || !core) throw new TypeError('not a connection of this media client');
    return core;
  };

  const client: MediaClient = {
    RTCPeerConnection: ProxyPeerConnection,
    RTCSessionDescription: ProxySessionDescription,
    installGlobals(target = globalThis as unknown as Record<string, unknown>) {
      const before = {
        window: Object.getOwnPropertyDescriptor(target, 'window'),
        RTCPeerConnection: Object.getOwnPropertyDescriptor(target, 'RTCPeerConnection'),
        RTCSessionDescription: Object.getOwnPropertyDescriptor(target, 'RTCSessionDescription'),
      };
      // JsSIP's feature checks read `window.RTCPeerConnection` (RTCSession.js connect(), UA.js incoming INVITE).
      // Node has no `window`: give it a minimal one rather than aliasing globalThis, so other
      // libraries do not start believing they run in a browser.
      const existingWindow = target['window'];
      if (existingWindow && typeof existingWindow === 'object') {
        (existingWindow as Record<string, unknown>)['RTCPeerConnection'] = ProxyPeerConnection;
      } else {
        target['window'] = { RTCPeerConnection: ProxyPeerConnection };
      }
      target['RTCPeerConnection'] = ProxyPeerConnection;
      target['RTCSessionDescription'] = ProxySessionDescription;
      return () => {
        for (const [key, descriptor] of Object.entries(before)) {
          if (descriptor) Object.defineProperty(target, key, descriptor);
          else delete target[key];
        }
      };
    },
    async acquireMicrophone(microphone) {
      const streamId = `${prefix}-s${nextStream++}`;
      const result = await rpc({ op: 'stream.open', stream: streamId, microphone: { ...microphone } });
      const sink = (track: TrackHandle, enabled: boolean) => {
        if (streams.has(streamId)) sync({ op: 'track.setEnabled', pc: null, track: track.id, enabled });
      };
      const handle = new MediaStreamHandle(streamId, result.tracks.map((t) => new TrackHandle(t, sink)));
      if (!available || disposed) throw new MediaHostGoneError(goneReason || 'disposed');
      streams.set(streamId, handle);
      return handle;
    },
    releaseStream(stream) {
      for (const core of pcs.values()) if (core.streams.has(stream.id)) core.streams.delete(stream.id);
      releaseStreamById(stream.id);
    },
    async setHoldMusic(pc, on) {
      const core = coreOf(pc);
      if (core.closed) throw invalidState('setHoldMusic');
      const result = await rpc({ op: 'pc.holdMusic', pc: core.id, on }, core);
      return result.hears;
    },
    callerHears(pc) {
      return coreOf(pc).snapshot.hears;
    },
    onHearing: (listener) => hearing.add(listener),
    listDevices: () => rpc({ op: 'devices.list' }),
    onDevices: (listener) => deviceListeners.add(listener),
    async configureAudio(devices) {
      const result = await rpc({ op: 'audio.configure', ...devices });
      return result.fallbacks;
    },
    async configureMusic(music) {
      const result = await rpc({ op: 'music.configure', ...music });
      return result.name;
    },
    async previewMusic(on) {
      await rpc({ op: 'music.preview', on });
    },
    async startRinging(volume) {
      await rpc({ op: 'ring.start', volume });
    },
    async stopRinging() {
      await rpc({ op: 'ring.stop' });
    },
    async playCue() {
      await rpc({ op: 'cue.play' });
    },
    hostStats: () => rpc({ op: 'host.stats' }),
    onGone: (listener) => goneListeners.add(listener),
    onReady: (listener) => readyListeners.add(listener),
    get available() {
      return available && !disposed;
    },
    counters() {
      let pcListeners = 0;
      for (const core of pcs.values()) pcListeners += core.listenerCount();
      return {
        connections: pcs.size,
        streams: streams.size,
        pendingRpcs: pending.size,
        timers: activeTimers,
        pcListeners,
        rejectedMessages,
      };
    },
    dispose() {
      if (disposed) return;
      for (const id of [...pending.keys()]) settle(id)?.reject(new MediaHostGoneError('media client disposed'));
      disposed = true;
      offMessage();
      offGone();
      hearing.clear();
      deviceListeners.clear();
      goneListeners.clear();
      readyListeners.clear();
    },
  };
  return client;
}

/**
 * JsSIP's typings want DOM types: pass a microphone handle as `mediaStream`
 * with `asMediaStream(handle)`, and get the proxy back from
 * `session.connection` with `asProxyConnection(session.connection)`.
 */
export const asMediaStream = (handle: MediaStreamHandle): MediaStream => handle as unknown as MediaStream;

export function asProxyConnection(connection: unknown): ProxyPeerConnectionBase {
  if (!(connection instanceof ProxyPeerConnectionBase)) throw new TypeError('not a proxied peer connection (were the globals installed?)');
  return connection;
}

/**
 * Hold music setting (`settings.holdMusic.track`: `builtin:lounge`,
 * `builtin:classic` or `file:<path>`) to a source the host can play; main
 * reads the agent's file and sends its bytes (the sandboxed host cannot read files).
 */
export async function musicSourceFromSetting(
  track: string,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<{ source: MusicSource; name: string }> {
  if (track === 'builtin:lounge') return { source: { builtin: 'lounge' }, name: 'Lounge' };
  if (track === 'builtin:classic') return { source: { builtin: 'classic' }, name: 'Classic' };
  if (track.startsWith('file:')) {
    const path = track.slice('file:'.length);
    const bytes = await readFile(path);
    // The bytes cross the port base64-encoded; a music loop needs nothing like this much.
    if (bytes.byteLength > 20 * 1024 * 1024) throw new ConsoleError('invalid-request', 'The hold music file is larger than 20 MB.');
    const name = path.split(/[\\/]/).pop()?.replace(/\.[^.]+$/, '') || 'Custom';
    return { source: { file: name, base64: Buffer.from(bytes).toString('base64') }, name };
  }
  throw new ConsoleError('invalid-request', `Unknown hold music "${track}": choose builtin:lounge, builtin:classic or a file.`);
}
