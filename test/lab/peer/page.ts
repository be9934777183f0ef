/**
 * A lab party: SIP.js 0.21 (an independent stack — not JsSIP talking to
 * itself) in a headless Chromium page, driven from Node by ../peer.ts through
 * `window.lab` (page.evaluate) and reporting events through the
 * `labEmit` binding. Its microphone is Chromium's fake capture of a WAV; what it
 * receives is analysed by ../detector.ts.
 *
 * Bundled by esbuild at lab start into .lab/peer/page.js (see ../peer.ts).
 */
import {
  type Info,
  Invitation,
  Inviter,
  type Notification,
  type Referral,
  Registerer,
  RegistererState,
  type Session,
  SessionState,
  SIPExtension,
  UserAgent,
  type SessionDelegate,
} from 'sip.js';
import { aggregate, analyseFrame, DETECTOR, KNOWN_TONES, type FrameReport, type HearsReport, type MusicSignature } from '../detector';

export type IncomingBehaviour =
  | { mode: 'manual' }
  | { mode: 'answer'; afterMs?: number; hangupAfterMs?: number }
  | { mode: 'reject'; code: number; afterMs?: number }
  /** Shorthand for reject 486 Busy Here. */
  | { mode: 'busy'; afterMs?: number }
  | { mode: 'noAnswer' };

export type ReferBehaviour = { mode: 'follow' } | { mode: 'reject'; code: number };

export type CallState = 'calling' | 'ringing' | 'established' | 'terminated';

export interface CallInfo {
  id: string;
  direction: 'in' | 'out';
  state: CallState;
  remote: string;
  /** Final non-2xx status for a failed call (486, 404, …) or the ringing we sent back. */
  status?: number;
  localHold: boolean;
  /** The far end put us on hold (its last SDP is sendonly/inactive). */
  remoteHold: boolean;
  dtmf: string;
  /** This call was created by following a REFER. */
  referredBy?: string;
  /** This call replaced another (INVITE with Replaces): that call's id. */
  replaced?: string;
  /** Headers of the initial INVITE we received (lower-case names). */
  headers: Record<string, string>;
}

export interface LabEvent {
  /** Epoch ms with sub-ms precision (performance.timeOrigin + performance.now()). */
  t: number;
  type: string;
  call?: string;
  [k: string]: unknown;
}

interface CallRec {
  info: CallInfo;
  session: Session;
  frames: FrameReport[];
  timer?: number;
  audio?: HTMLAudioElement;
  source?: MediaStreamAudioSourceNode;
  analyser?: AnalyserNode;
  /** Active REFER sent by us: NOTIFY sipfrag status lines received. */
  notifies: string[];
  /** While recording: every frame since recording started (an absence is judged over all of them). */
  recording?: FrameReport[];
}

declare global {
  interface Window {
    labEmit?: (e: LabEvent) => Promise<void>;
    lab: typeof api;
  }
}

const now = (): number => performance.timeOrigin + performance.now();
const audioConstraints = {
  // A pure test tone is "noise" to these filters: off, or the tone vanishes.
  audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  video: false,
};
const sdhOptions = { constraints: audioConstraints };

let ua: UserAgent | undefined;
let registerer: Registerer | undefined;
let wantRegistered = false;
let stopping = false;
let domain = '';
let name = '';
let seq = 0;
let incoming: IncomingBehaviour = { mode: 'manual' };
let referBehaviour: ReferBehaviour = { mode: 'follow' };
const calls = new Map<string, CallRec>();
const events: LabEvent[] = [];
let audioCtx: AudioContext | undefined;
/** The music this party can recognise (computed in Node from the tracks themselves, see ../tones.ts). */
let signatures: MusicSignature[] = [];

function emit(type: string, data: Record<string, unknown> = {}): void {
  const e: LabEvent = { t: now(), type, ...data };
  events.push(e);
  void window.labEmit?.(e).catch(() => undefined);
}

function target(to: string): string {
  return to.startsWith('sip:') ? to : `sip:${to}@${domain}`;
}

function sdhOf(s: Session): { peerConnection?: RTCPeerConnection; remoteMediaStream?: MediaStream } | undefined {
  return s.sessionDescriptionHandler as unknown as { peerConnection?: RTCPeerConnection; remoteMediaStream?: MediaStream } | undefined;
}

function pick(id?: string): CallRec {
  if (id) {
    const c = calls.get(id);
    if (!c) throw new Error(`${name}: no call ${id}`);
    return c;
  }
  const live = [...calls.values()].filter((c) => c.info.state !== 'terminated');
  if (live.length === 0) throw new Error(`${name}: no live call`);
  return live[live.length - 1]!;
}

function startAnalysis(c: CallRec): void {
  if (c.analyser) return;
  const pc = sdhOf(c.session)?.peerConnection;
  const track = pc?.getReceivers().find((r) => r.track?.kind === 'audio')?.track;
  if (!track) return;
  const stream = new MediaStream([track]);
  // Chromium only pulls remote WebRTC audio through a media element: attach it, muted.
  const audio = document.createElement('audio');
  audio.muted = true;
  audio.autoplay = true;
  audio.srcObject = stream;
  document.body.appendChild(audio);
  void audio.play().catch(() => undefined);
  audioCtx ??= new AudioContext({ sampleRate: 48_000 });
  void audioCtx.resume();
  const source = audioCtx.createMediaStreamSource(stream);
  const analyser = audioCtx.createAnalyser();
  analyser.fftSize = DETECTOR.fftSize;
  analyser.smoothingTimeConstant = 0;
  source.connect(analyser);
  const db = new Float32Array(analyser.frequencyBinCount);
  const time = new Float32Array(analyser.fftSize);
  c.audio = audio;
  c.source = source;
  c.analyser = analyser;
  c.timer = window.setInterval(() => {
    analyser.getFloatFrequencyData(db);
    analyser.getFloatTimeDomainData(time);
    let sum = 0;
    for (let i = 0; i < time.length; i++) sum += time[i]! * time[i]!;
    const rmsDb = 10 * Math.log10(sum / time.length + 1e-20);
    const frame = analyseFrame({ db, sampleRate: audioCtx!.sampleRate, fftSize: analyser.fftSize, rmsDb }, KNOWN_TONES);
    c.frames.push(frame);
    c.recording?.push(frame);
    if (c.frames.length > DETECTOR.windowFrames) c.frames.shift();
  }, 100);
}

function stopAnalysis(c: CallRec): void {
  if (c.timer !== undefined) window.clearInterval(c.timer);
  c.timer = undefined;
  c.source?.disconnect();
  c.audio?.remove();
  if (c.audio) c.audio.srcObject = null;
  c.analyser = undefined;
  c.source = undefined;
  c.audio = undefined;
  c.frames = [];
}

function remoteHoldOf(c: CallRec): boolean {
  const sdp = sdhOf(c.session)?.peerConnection?.remoteDescription?.sdp ?? '';
  return /a=(sendonly|inactive)/.test(sdp);
}

function setTracks(c: CallRec, enabled: boolean): void {
  const pc = sdhOf(c.session)?.peerConnection;
  pc?.getSenders().forEach((s) => {
    if (s.track) s.track.enabled = enabled;
  });
  pc?.getReceivers().forEach((r) => {
    if (r.track) r.track.enabled = enabled;
  });
}

function track(session: Session, info: Omit<CallInfo, 'localHold' | 'remoteHold' | 'dtmf' | 'headers'> & { headers?: Record<string, string> }): CallRec {
  const c: CallRec = { info: { localHold: false, remoteHold: false, dtmf: '', headers: {}, ...info }, session, frames: [], notifies: [] };
  calls.set(c.info.id, c);
  const delegate: SessionDelegate = {
    onInfo(req: Info) {
      const body = req.request.body ?? '';
      const m = /Signal\s*=\s*([0-9A-D*#])/i.exec(body);
      void req.accept();
      if (m) {
        c.info.dtmf += m[1]!.toUpperCase();
        emit('dtmf', { call: c.info.id, digit: m[1]!.toUpperCase() });
      }
    },
    onRefer(referral: Referral) {
      void onRefer(c, referral);
    },
    onInvite(req) {
      // A re-INVITE (hold/unhold by the far end): SIP.js answers it itself; we look at the result.
      emit('reinvite', { call: c.info.id });
      void req;
      setTimeout(() => {
        c.info.remoteHold = remoteHoldOf(c);
        emit(c.info.remoteHold ? 'remote-hold' : 'remote-unhold', { call: c.info.id });
      }, 50);
    },
  };
  session.delegate = delegate;
  session.stateChange.addListener((s: SessionState) => {
    if (s === SessionState.Established) {
      c.info.state = 'established';
      emit('established', { call: c.info.id });
      startAnalysis(c);
    } else if (s === SessionState.Terminated) {
      c.info.state = 'terminated';
      stopAnalysis(c);
      emit('terminated', { call: c.info.id, status: c.info.status });
    }
  });
  return c;
}

async function onRefer(c: CallRec, referral: Referral): Promise<void> {
  const referTo = referral.referTo.uri.toString();
  emit('refer-received', { call: c.info.id, referTo, replaces: referral.replaces ?? null });
  if (referBehaviour.mode === 'reject') {
    await referral.reject({ statusCode: referBehaviour.code });
    return;
  }
  await referral.accept();
  const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: sdhOptions });
  const id = `${name}-${++seq}`;
  const rec = track(inviter, { id, direction: 'out', state: 'calling', remote: referTo, referredBy: c.info.id });
  emit('calling', { call: id, target: referTo, referred: true });
  // SIP.js sends the referer its NOTIFYs (sipfrag) from the new call's responses.
  await inviter.invite({
    requestDelegate: {
      onProgress: (r) => progress(rec, r.message.statusCode ?? 0),
      onReject: (r) => (rec.info.status = r.message.statusCode),
    },
  });
}

function progress(c: CallRec, status: number): void {
  if (status >= 180 && c.info.state === 'calling') c.info.state = 'ringing';
  c.info.status = status;
  emit('progress', { call: c.info.id, status });
}

async function onIncoming(inv: Invitation): Promise<void> {
  const id = `${name}-${++seq}`;
  const headers: Record<string, string> = {};
  for (const h of ['replaces', 'referred-by', 'call-id', 'from', 'to', 'user-agent']) {
    const v = inv.request.getHeader(h);
    if (v) headers[h] = v;
  }
  const replacee = (inv as unknown as { _replacee?: Session })._replacee;
  const replaced = replacee ? [...calls.values()].find((x) => x.session === replacee)?.info.id : undefined;
  const c = track(inv, {
    id,
    direction: 'in',
    state: 'ringing',
    remote: inv.remoteIdentity.uri.toString(),
    headers,
    ...(replaced ? { replaced } : {}),
  });
  emit('invite-received', { call: id, from: c.info.remote, replaces: headers['replaces'] ?? null, replacedCall: replaced ?? null });
  // An INVITE with Replaces is accepted at once: it takes over a call we already have (RFC 3891);
  // SIP.js sends the BYE to the replaced session itself once this one is accepted.
  if (replacee) {
    await inv.accept({ sessionDescriptionHandlerOptions: sdhOptions });
    return;
  }
  const b: IncomingBehaviour = incoming.mode === 'busy' ? { mode: 'reject', code: 486, afterMs: incoming.afterMs } : incoming;
  if (b.mode === 'reject' && !b.afterMs) {
    c.info.status = b.code;
    await inv.reject({ statusCode: b.code });
    return;
  }
  await inv.progress();
  c.info.status = 180;
  if (b.mode === 'reject') {
    setTimeout(() => {
      if (inv.state !== SessionState.Initial && inv.state !== SessionState.Establishing) return;
      c.info.status = b.code;
      void inv.reject({ statusCode: b.code });
    }, b.afterMs);
  } else if (b.mode === 'answer') {
    const go = async (): Promise<void> => {
      if (inv.state !== SessionState.Initial && inv.state !== SessionState.Establishing) return;
      await inv.accept({ sessionDescriptionHandlerOptions: sdhOptions });
      if (b.hangupAfterMs !== undefined) setTimeout(() => void hangup(id).catch(() => undefined), b.hangupAfterMs);
    };
    if (b.afterMs) setTimeout(() => void go(), b.afterMs);
    else await go();
  }
}

async function connectAndWait(): Promise<void> {
  if (!ua) throw new Error('not initialised');
  if (ua.isConnected()) return;
  await ua.reconnect().catch(() => undefined);
}

async function reRegisterLoop(): Promise<void> {
  // After a server restart (in-memory usrloc is empty) the transport drops: reconnect and
  // register again, as a real phone would. SIP.js' own reconnection does not re-register.
  while (!stopping && ua && !ua.isConnected()) {
    await new Promise((r) => setTimeout(r, 200));
    await connectAndWait();
  }
  if (!stopping && wantRegistered && ua?.isConnected()) {
    emit('reconnected');
    await api.register().catch((e) => emit('register-failed', { error: String(e) }));
  }
}

const api = {
  async init(opts: { user: string; wsUrl: string; domain: string; name: string; signatures: MusicSignature[] }): Promise<void> {
    domain = opts.domain;
    name = opts.name;
    signatures = opts.signatures;
    const uri = UserAgent.makeURI(`sip:${opts.user}@${opts.domain}`);
    if (!uri) throw new Error(`bad uri for ${opts.user}`);
    ua = new UserAgent({
      uri,
      displayName: opts.name,
      transportOptions: { server: opts.wsUrl, connectionTimeout: 5 },
      // Without this SIP.js ignores Replaces (docs/testing.md).
      sipExtensionReplaces: SIPExtension.Supported,
      logLevel: 'warn',
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') console.log(`[sip.js ${level}] ${category}: ${content}`);
      },
      sessionDescriptionHandlerFactoryOptions: {
        // SIP.js defaults to a public STUN server: nothing external in the lab.
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      delegate: {
        onInvite: (inv) => void onIncoming(inv).catch((e) => emit('error', { where: 'incoming', error: String(e) })),
        onDisconnect: (err) => {
          emit('disconnected', { error: err ? String(err) : null });
          if (err && !stopping) void reRegisterLoop();
        },
        onConnect: () => emit('connected'),
      },
    });
    await ua.start();
    emit('started');
  },

  async register(): Promise<{ ms: number }> {
    if (!ua) throw new Error('not initialised');
    wantRegistered = true;
    registerer ??= new Registerer(ua, { expires: 600 });
    const t0 = now();
    return new Promise((resolve, reject) => {
      registerer!
        .register({
          requestDelegate: {
            onAccept: () => {
              const ms = now() - t0;
              emit('registered', { ms });
              resolve({ ms });
            },
            onReject: (r) => reject(new Error(`REGISTER rejected ${r.message.statusCode}`)),
          },
        })
        .catch(reject);
    });
  },

  /**
   * A complete cold registration as a phone does it at start-up, on a throw-away
   * user agent for the same user: WebSocket connect + REGISTER → 200, then
   * unregister and stop. The peer's own registration is untouched.
   */
  async freshRegister(): Promise<{ connectMs: number; registerMs: number; totalMs: number }> {
    if (!ua) throw new Error('not initialised');
    const opts = ua.configuration;
    const temp = new UserAgent({ uri: opts.uri, transportOptions: opts.transportOptions, logLevel: 'error', logBuiltinEnabled: false });
    const t0 = now();
    await temp.start();
    const t1 = now();
    const reg = new Registerer(temp, { expires: 60 });
    await new Promise<void>((resolve, reject) => {
      reg
        .register({
          requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(`REGISTER rejected ${r.message.statusCode}`)) },
        })
        .catch(reject);
    });
    const t2 = now();
    await reg.unregister().catch(() => undefined);
    await temp.stop();
    return { connectMs: t1 - t0, registerMs: t2 - t1, totalMs: t2 - t0 };
  },

  async unregister(): Promise<void> {
    wantRegistered = false;
    if (registerer?.state === RegistererState.Registered) await registerer.unregister();
  },

  setIncoming(b: IncomingBehaviour): void {
    incoming = b;
  },

  setRefer(b: ReferBehaviour): void {
    referBehaviour = b;
  },

  async call(to: string, opts: { extraHeaders?: string[] } = {}): Promise<string> {
    if (!ua) throw new Error('not initialised');
    const uri = UserAgent.makeURI(target(to));
    if (!uri) throw new Error(`bad target ${to}`);
    const inviter = new Inviter(ua, uri, { sessionDescriptionHandlerOptions: sdhOptions, extraHeaders: opts.extraHeaders ?? [] });
    const id = `${name}-${++seq}`;
    const c = track(inviter, { id, direction: 'out', state: 'calling', remote: uri.toString() });
    emit('calling', { call: id, target: uri.toString() });
    await inviter.invite({
      requestDelegate: {
        onProgress: (r) => progress(c, r.message.statusCode ?? 0),
        onAccept: () => (c.info.status = 200),
        onReject: (r) => {
          c.info.status = r.message.statusCode;
          emit('rejected', { call: id, status: r.message.statusCode });
        },
      },
    });
    return id;
  },

  async answer(id?: string): Promise<void> {
    const c = pick(id);
    if (!(c.session instanceof Invitation)) throw new Error(`${c.info.id} is not incoming`);
    await c.session.accept({ sessionDescriptionHandlerOptions: sdhOptions });
  },

  async reject(code: number, id?: string): Promise<void> {
    const c = pick(id);
    if (!(c.session instanceof Invitation)) throw new Error(`${c.info.id} is not incoming`);
    c.info.status = code;
    await c.session.reject({ statusCode: code });
  },

  async hangup(id?: string): Promise<void> {
    await hangup(id);
  },

  async hold(id?: string): Promise<void> {
    await setHold(pick(id), true);
  },

  async unhold(id?: string): Promise<void> {
    await setHold(pick(id), false);
  },

  /** SIP INFO application/dtmf-relay (what the console sends by default) or RFC 2833/4733 via RTCDTMFSender. */
  async sendDtmf(digits: string, mode: 'info' | 'rfc2833' = 'info', id?: string): Promise<void> {
    const c = pick(id);
    if (mode === 'rfc2833') {
      const sender = sdhOf(c.session)?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
      if (!sender?.dtmf) throw new Error('no DTMF sender');
      sender.dtmf.insertDTMF(digits, 100, 70);
      return;
    }
    for (const d of digits) {
      await c.session.info({
        requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${d}\r\nDuration=100` } },
      });
    }
  },

  /** Send REFER on a call (we are the transferer). `replacesCall`: attended, Replaces built by SIP.js from that dialog. */
  async refer(targetTo: string, opts: { id?: string; replacesCall?: string } = {}): Promise<{ status: number }> {
    const c = pick(opts.id);
    const referTo = opts.replacesCall ? pick(opts.replacesCall).session : UserAgent.makeURI(target(targetTo));
    if (!referTo) throw new Error(`bad target ${targetTo}`);
    c.notifies = [];
    emit('refer-sent', { call: c.info.id, target: targetTo, replacesCall: opts.replacesCall ?? null });
    return new Promise((resolve, reject) => {
      c.session
        .refer(referTo, {
          requestDelegate: {
            onAccept: (r) => {
              emit('refer-accepted', { call: c.info.id, status: r.message.statusCode });
              resolve({ status: r.message.statusCode ?? 202 });
            },
            onReject: (r) => {
              emit('refer-rejected', { call: c.info.id, status: r.message.statusCode });
              resolve({ status: r.message.statusCode ?? 0 });
            },
          },
          onNotify: (n: Notification) => {
            const line = (n.request.body ?? '').split(/\r?\n/)[0]!.trim();
            const status = Number(/^SIP\/2\.0\s+(\d{3})/.exec(line)?.[1] ?? 0);
            c.notifies.push(line);
            void n.accept();
            emit('notify', { call: c.info.id, sipfrag: line, status });
          },
        })
        .catch(reject);
    });
  },

  hears(id?: string): HearsReport {
    const c = pick(id);
    return aggregate(c.frames, KNOWN_TONES, signatures);
  },

  /** Start keeping every frame of the call's received audio (until takeRecording). */
  startRecording(id?: string): void {
    pick(id).recording = [];
  },

  /** The frames recorded so far; `stop` ends the recording. */
  takeRecording(id?: string, stop = false): FrameReport[] {
    const c = pick(id);
    const frames = c.recording?.slice() ?? [];
    if (stop) c.recording = undefined;
    return frames;
  },

  calls(): CallInfo[] {
    return [...calls.values()].map((c) => ({ ...c.info, remoteHold: c.info.state === 'established' ? remoteHoldOf(c) : c.info.remoteHold }));
  },

  state(): { registered: boolean; connected: boolean; calls: CallInfo[] } {
    return { registered: registerer?.state === RegistererState.Registered, connected: ua?.isConnected() ?? false, calls: api.calls() };
  },

  events(): LabEvent[] {
    return events.slice();
  },

  /** Count of live analysers/timers/peer connections: leak checks. */
  resources(): { analysers: number; liveCalls: number } {
    const all = [...calls.values()];
    return { analysers: all.filter((c) => c.timer !== undefined).length, liveCalls: all.filter((c) => c.info.state !== 'terminated').length };
  },

  async stop(): Promise<void> {
    stopping = true;
    for (const c of calls.values()) if (c.info.state !== 'terminated') await hangup(c.info.id).catch(() => undefined);
    await api.unregister().catch(() => undefined);
    await ua?.stop().catch(() => undefined);
  },
};

async function hangup(id?: string): Promise<void> {
  const c = pick(id);
  const s = c.session;
  switch (s.state) {
    case SessionState.Initial:
    case SessionState.Establishing:
      if (s instanceof Inviter) await s.cancel();
      else if (s instanceof Invitation) await s.reject({ statusCode: 480 });
      break;
    case SessionState.Established:
      await s.bye();
      break;
    default:
      break;
  }
}

async function setHold(c: CallRec, hold: boolean): Promise<void> {
  const s = c.session;
  s.sessionDescriptionHandlerOptionsReInvite = { ...sdhOptions, hold } as typeof s.sessionDescriptionHandlerOptionsReInvite;
  const t0 = now();
  await new Promise<void>((resolve, reject) => {
    s.invite({
      requestDelegate: {
        onAccept: () => resolve(),
        onReject: (r) => reject(new Error(`${hold ? 'hold' : 'unhold'} re-INVITE rejected ${r.message.statusCode}`)),
      },
    }).catch(reject);
  });
  // Hold means the held party hears nothing from us, and we nothing from them (like SIP.js' SessionManager).
  setTracks(c, !hold);
  c.info.localHold = hold;
  emit(hold ? 'held' : 'unheld', { call: c.info.id, ms: now() - t0 });
}

window.lab = api;
emit('page-ready');
