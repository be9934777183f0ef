/**
 * One demo party: a SIP.js user agent on the switchboard with its own voice
 * (./sound.ts) and ears, behaving like a desk phone in a person's hands. It
 * takes a call, refuses one, or lets it ring as the director last said;
 * refuses a second call while it is on one (busy); always takes a call that
 * replaces one of its own (an attended transfer completing, RFC 3891);
 * follows a REFER like any phone (RFC 3515: accepts it and calls the
 * Refer-To, with Replaces when there is one); and hands its own call on,
 * blind or after a consult. Everything it does goes back to the director as
 * a report.
 */
import {
  Invitation,
  Inviter,
  type Referral,
  Registerer,
  RegistererState,
  type Session,
  SessionState,
  SIPExtension,
  URI,
  UserAgent,
  Web,
} from 'sip.js';
import type { CallPhase, HearsReport, IncomingMode, PartyReport, PartySpec } from './protocol';
import { Ear, Mouth } from './sound';

export interface PartyHost {
  sipUrl: string;
  domain: string;
  /** Voices and tones the ears know. */
  known: { voices: readonly number[]; tones: readonly number[] };
  report(r: PartyReport): void;
}

interface CallRec {
  id: string;
  session: Session;
  direction: 'in' | 'out';
  phase: CallPhase;
  remote: string;
  ear: Ear | null;
  referred: boolean;
  replaced: boolean;
  heldByOther: boolean;
  /** performance.now() when it was answered. */
  establishedAt: number;
}

const sdhOptions = {
  // A synthetic voice is "noise" to these filters: off, or it is filtered away.
  constraints: { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false }, video: false },
};

/** The longest a party waits for its hold or resume to be answered. */
const HOLD_WAIT_MS = 5000;
/**
 * A call younger than this is not put on hold yet: a re-INVITE right on the
 * heels of the answer can cross the offer/answer still settling in SIP.js
 * ("Invalid signaling state HaveLocalOffer"), and SIP.js then ends the call.
 */
const SETTLE_MS = 1500;

export class Party {
  readonly spec: PartySpec;
  private readonly host: PartyHost;
  private readonly mouth: Mouth;
  private readonly calls = new Map<string, CallRec>();
  private incoming: IncomingMode;
  private ua: UserAgent | null = null;
  private registerer: Registerer | null = null;
  private seq = 0;
  private stopped = false;
  private readonly timers = new Set<number>();

  constructor(spec: PartySpec, incoming: IncomingMode, host: PartyHost) {
    this.spec = spec;
    this.incoming = incoming;
    this.host = host;
    this.mouth = new Mouth(spec.voice);
  }

  async start(): Promise<void> {
    const uri = UserAgent.makeURI(`sip:${this.spec.user}@${this.host.domain}`);
    if (!uri) throw new Error(`${this.spec.id}: no SIP address for ${this.spec.user}`);
    this.ua = new UserAgent({
      uri,
      displayName: this.spec.name,
      transportOptions: { server: this.host.sipUrl, connectionTimeout: 5 },
      // Without it SIP.js ignores Replaces, and attended transfers to this party would fail.
      sipExtensionReplaces: SIPExtension.Supported,
      logBuiltinEnabled: true,
      logLevel: 'warn',
      sessionDescriptionHandlerFactory: Web.defaultSessionDescriptionHandlerFactory(() => Promise.resolve(this.mouth.stream())),
      sessionDescriptionHandlerFactoryOptions: {
        // No STUN server: everything is on this computer (SIP.js would default to a public one).
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      delegate: {
        onInvite: (invitation) => void this.onInvite(invitation).catch((e: unknown) => this.problem(`incoming call: ${String(e)}`)),
      },
    });
    await this.ua.start();
    let registered = false;
    if (this.spec.register) {
      this.registerer = new Registerer(this.ua, { expires: 300 });
      registered = await new Promise<boolean>((resolve) => {
        this.registerer!.register({ requestDelegate: { onAccept: () => resolve(true), onReject: () => resolve(false) } }).catch(() => resolve(false));
      });
    }
    this.host.report({ type: 'party-ready', party: this.spec.id, registered });
  }

  setIncoming(mode: IncomingMode): void {
    this.incoming = mode;
  }

  /** Places a call; returns its id. */
  async call(to: string): Promise<string> {
    const target = UserAgent.makeURI(to.startsWith('sip:') ? to : `sip:${to}@${this.host.domain}`);
    if (!this.ua || !target) throw new Error(`${this.spec.id}: cannot call ${to}`);
    const inviter = new Inviter(this.ua, target, { sessionDescriptionHandlerOptions: sdhOptions });
    const rec = this.track(inviter, 'out', target.user ?? to, { referred: false, replaced: false });
    await inviter.invite({
      requestDelegate: {
        onProgress: (r) => {
          if ((r.message.statusCode ?? 0) >= 180 && rec.phase === 'calling') this.phase(rec, 'ringing');
        },
        onReject: (r) => this.phase(rec, 'ended', r.message.statusCode),
      },
    });
    return rec.id;
  }

  async hangup(callId?: string): Promise<void> {
    const targets = callId ? [this.calls.get(callId)].filter((c) => c !== undefined) : [...this.calls.values()];
    for (const c of targets) await this.end(c);
  }

  /** Hands the current call on: blind (REFER), or attended (hold, consult `to`, then REFER with Replaces). */
  async transfer(to: string, attended: boolean, consultMs: number): Promise<void> {
    const call = this.current();
    const target = UserAgent.makeURI(to.startsWith('sip:') ? to : `sip:${to}@${this.host.domain}`);
    if (!call || !target) return this.problem(`${this.spec.id}: nothing to transfer`);
    const age = performance.now() - call.establishedAt;
    if (age < SETTLE_MS) await new Promise((r) => this.later(() => r(undefined), SETTLE_MS - age));
    if (call.phase !== 'established') return;
    if (!attended) return this.refer(call, target).catch((e: unknown) => this.problem(`REFER: ${String(e)}`));
    await this.hold(call, true);
    if (call.phase !== 'established') return this.problem(`${this.spec.id}: the caller was lost while being put on hold`);
    const consultId = await this.call(to);
    const consult = this.calls.get(consultId)!;
    consult.session.stateChange.addListener((s) => {
      if (s === SessionState.Established) {
        // Say who it is for, then hand the caller over in place of this consult.
        this.later(() => void this.refer(call, consult.session).catch((e: unknown) => this.problem(`REFER: ${String(e)}`)), consultMs);
      } else if (s === SessionState.Terminated && call.phase === 'established' && consult.phase !== 'established') {
        // Nobody took the consult: back to the caller.
        void this.hold(call, false);
      }
    });
  }

  hears(): HearsReport | null {
    const live = [...this.calls.values()].filter((c) => c.phase === 'established' && c.ear);
    return live.at(-1)?.ear?.hears() ?? null;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) window.clearTimeout(t);
    this.timers.clear();
    for (const c of [...this.calls.values()]) await this.end(c).catch(() => undefined);
    if (this.registerer?.state === RegistererState.Registered) await this.registerer.unregister().catch(() => undefined);
    await this.ua?.stop().catch(() => undefined);
    this.mouth.close();
  }

  // ─── inside ───────────────────────────────────────────────────────────────

  private later(fn: () => void, ms: number): void {
    const t = window.setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private problem(message: string): void {
    this.host.report({ type: 'problem', party: this.spec.id, message });
  }

  private current(): CallRec | undefined {
    return [...this.calls.values()].filter((c) => c.phase === 'established').at(-1);
  }

  private track(session: Session, direction: 'in' | 'out', remote: string, o: { referred: boolean; replaced: boolean }): CallRec {
    const rec: CallRec = {
      id: `${this.spec.id}-${++this.seq}`,
      session,
      direction,
      phase: direction === 'in' ? 'ringing' : 'calling',
      remote,
      ear: null,
      heldByOther: false,
      establishedAt: 0,
      ...o,
    };
    this.calls.set(rec.id, rec);
    session.delegate = {
      onRefer: (referral: Referral) => void this.followRefer(referral).catch((e: unknown) => this.problem(`REFER: ${String(e)}`)),
      onInvite: () => {
        // A re-INVITE from the other side (hold or resume): SIP.js answers it; look at the result.
        this.later(() => {
          const sdp = (session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection?.remoteDescription?.sdp ?? '';
          const held = /a=(sendonly|inactive)/.test(sdp);
          if (held !== rec.heldByOther) {
            rec.heldByOther = held;
            this.host.report({ type: 'held', party: this.spec.id, call: rec.id, held });
          }
        }, 50);
      },
    };
    session.stateChange.addListener((s) => {
      if (s === SessionState.Established) {
        const pc = (session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
        const track = pc?.getReceivers().find((r) => r.track?.kind === 'audio')?.track;
        if (track) rec.ear = new Ear(track, this.host.known);
        rec.establishedAt = performance.now();
        this.phase(rec, 'established');
      } else if (s === SessionState.Terminated) {
        rec.ear?.close();
        rec.ear = null;
        this.phase(rec, 'ended');
        this.calls.delete(rec.id);
      }
    });
    this.phase(rec, rec.phase, undefined, true);
    return rec;
  }

  private phase(rec: CallRec, phase: CallPhase, status?: number, force = false): void {
    if (!force && (rec.phase === phase || rec.phase === 'ended')) return;
    rec.phase = phase;
    this.host.report({
      type: 'call',
      party: this.spec.id,
      call: rec.id,
      direction: rec.direction,
      phase,
      remote: rec.remote,
      ...(status !== undefined && { status }),
      ...(rec.referred && { referred: true }),
      ...(rec.replaced && { replaced: true }),
    });
  }

  private async onInvite(invitation: Invitation): Promise<void> {
    const replacee = (invitation as unknown as { _replacee?: Session })._replacee;
    const from = invitation.remoteIdentity;
    const rec = this.track(invitation, 'in', from.uri.user ?? '', { referred: false, replaced: replacee !== undefined });
    // A call that replaces one of ours (RFC 3891) is taken at once; SIP.js ends the old one.
    if (replacee) return invitation.accept({ sessionDescriptionHandlerOptions: sdhOptions });
    const busy = [...this.calls.values()].some((c) => c !== rec && c.phase !== 'ended');
    if (busy) return invitation.reject({ statusCode: 486 });
    const mode = this.incoming;
    await invitation.progress();
    if (mode.kind === 'ignore') return;
    this.later(() => {
      if (invitation.state !== SessionState.Initial && invitation.state !== SessionState.Establishing) return;
      if (mode.kind === 'answer') void invitation.accept({ sessionDescriptionHandlerOptions: sdhOptions }).catch(() => undefined);
      else void invitation.reject({ statusCode: mode.status }).catch(() => undefined);
    }, mode.afterMs);
  }

  /** Like any phone asked to transfer (RFC 3515): accept, then call the Refer-To; SIP.js reports progress by NOTIFY. */
  private async followRefer(referral: Referral): Promise<void> {
    await referral.accept();
    const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: sdhOptions });
    const target = referral.referTo.uri;
    const rec = this.track(inviter, 'out', target.user ?? target.toString(), { referred: true, replaced: false });
    await inviter.invite({
      requestDelegate: {
        onProgress: (r) => {
          if ((r.message.statusCode ?? 0) >= 180 && rec.phase === 'calling') this.phase(rec, 'ringing');
        },
        onReject: (r) => this.phase(rec, 'ended', r.message.statusCode),
      },
    });
  }

  /** REFER on `call`; on a 2xx NOTIFY the transfer is done and this leg is hung up; on a failure the caller is resumed. */
  private async refer(call: CallRec, target: Session | URI): Promise<void> {
    // The caller (or the consult) may be gone meanwhile: then there is nothing to hand on.
    if (call.session.state !== SessionState.Established) return this.problem(`${this.spec.id}: the call ended before it could be transferred`);
    // An attended hand-on whose consult ended meanwhile: back to the caller instead.
    if (!(target instanceof URI) && target.state !== SessionState.Established) return this.hold(call, false);
    await call.session.refer(target, {
      requestDelegate: {
        onReject: () => void this.hold(call, false),
      },
      onNotify: (notification) => {
        void notification.accept();
        const status = Number(/^SIP\/2\.0\s+(\d{3})/.exec((notification.request.body ?? '').trim())?.[1] ?? 0);
        if (status >= 200 && status < 300) void this.end(call);
        else if (status >= 300) void this.hold(call, false);
      },
    });
  }

  private async hold(call: CallRec, hold: boolean): Promise<void> {
    if (call.phase !== 'established') return;
    const s = call.session;
    s.sessionDescriptionHandlerOptionsReInvite = { ...sdhOptions, hold } as typeof s.sessionDescriptionHandlerOptionsReInvite;
    await new Promise<void>((resolve) => {
      // A re-INVITE nobody answers must not leave the party waiting for ever.
      const t = window.setTimeout(resolve, HOLD_WAIT_MS);
      const done = () => {
        window.clearTimeout(t);
        resolve();
      };
      s.invite({ requestDelegate: { onAccept: done, onReject: done } }).catch(done);
    });
    // Held means the held side hears nothing from us (like a desk phone's hold without music).
    const pc = (s.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
    pc?.getSenders().forEach((sender) => {
      if (sender.track) sender.track.enabled = !hold;
    });
  }

  private async end(c: CallRec): Promise<void> {
    const s = c.session;
    switch (s.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (s instanceof Inviter) await s.cancel().catch(() => undefined);
        else if (s instanceof Invitation) await s.reject({ statusCode: 480 }).catch(() => undefined);
        break;
      case SessionState.Established:
        await s.bye().catch(() => undefined);
        break;
      case SessionState.Terminating:
      case SessionState.Terminated:
        // Already on its way out.
        break;
    }
  }
}
