/**
 * A recording fake of the media host for proxy tests: it speaks the real
 * protocol (main/media/protocol.ts) over a MediaHostLink, records every
 * message main sends, and either answers by itself with a small model of an
 * RTCPeerConnection (`auto`) or lets the test answer (`hold`).
 *
 * Like the real transports, it delivers each host message in its own task.
 */
import { Listeners, type MediaHostLink } from '../../main/media/link';
import type { FromHost, PcSnapshot, RpcRequest, ToHost } from '../../main/media/protocol';

export interface FakePc {
  snapshot: PcSnapshot;
  tracks: string[];
  music: boolean;
  micEnabled: boolean;
}

export class FakeMediaHost {
  readonly received: ToHost[] = [];
  readonly pcs = new Map<string, FakePc>();
  readonly tracks = new Map<string, { enabled: boolean; stream: string }>();
  /** RPCs left unanswered (mode 'hold' or ops listed in holdOps). */
  readonly held: Extract<ToHost, { kind: 'rpc' }>[] = [];
  holdOps = new Set<string>();
  mode: 'auto' | 'hold' = 'auto';
  /** Candidates emitted after setLocalDescription before the end-of-candidates null. */
  candidates = 2;
  #toMain = new Listeners<[unknown]>();
  #gone = new Listeners<[string]>();
  #dead = false;
  #queue: unknown[] = [];
  #draining = false;
  #nextTrack = 1;

  readonly link: MediaHostLink = {
    post: (message) => {
      if (this.#dead) return;
      // Structured clone, like a real port: main must not rely on shared objects.
      const copy = structuredClone(message) as ToHost;
      this.received.push(copy);
      queueMicrotask(() => this.#handle(copy));
    },
    onMessage: (listener) => this.#toMain.add(listener),
    onGone: (listener) => this.#gone.add(listener),
  };

  get listenerCount(): number {
    return this.#toMain.size + this.#gone.size;
  }

  /** Send a raw message to main (one task per message). */
  send(message: FromHost | unknown): void {
    if (this.#dead) return;
    this.#queue.push(structuredClone(message));
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => this.#drain());
    }
  }

  #drain(): void {
    const next = this.#queue.shift();
    if (next !== undefined && !this.#dead) this.#toMain.emit(next);
    if (this.#queue.length > 0) setImmediate(() => this.#drain());
    else this.#draining = false;
  }

  die(reason = 'crashed'): void {
    this.#dead = true;
    this.#queue = [];
    this.#gone.emit(reason);
  }

  ops(): string[] {
    return this.received.map((m) => (m.kind === 'rpc' ? `rpc:${m.request.op}` : `sync:${m.op}`));
  }

  snapshotOf(pc: string): PcSnapshot {
    const p = this.pcs.get(pc)!;
    const hears = p.snapshot.signalingState === 'closed' ? 'silence' : p.music ? { music: 'Lounge' } : p.micEnabled && p.tracks.length > 0 && p.snapshot.localDescription ? 'you' : 'silence';
    p.snapshot = { ...p.snapshot, hears };
    return structuredClone(p.snapshot);
  }

  reply(rpc: Extract<ToHost, { kind: 'rpc' }>, result: unknown, ok = true): void {
    const pc = 'pc' in rpc.request ? rpc.request.pc : null;
    const snapshot = pc && this.pcs.has(pc) ? { snapshot: this.snapshotOf(pc) } : {};
    this.send(ok ? { kind: 'reply', id: rpc.id, ok: true, result, ...snapshot } : { kind: 'reply', id: rpc.id, ok: false, error: result, ...snapshot });
  }

  event(pc: string, type: string, extra: Record<string, unknown> = {}): void {
    this.send({ kind: 'event', pc, type, snapshot: this.snapshotOf(pc), ...extra });
  }

  #handle(message: ToHost): void {
    if (message.kind === 'sync') return this.#sync(message);
    if (this.mode === 'hold' || this.holdOps.has(message.request.op)) {
      this.held.push(message);
      return;
    }
    this.answer(message);
  }

  #sync(op: Extract<ToHost, { kind: 'sync' }>): void {
    switch (op.op) {
      case 'pc.create':
        this.pcs.set(op.pc, {
          snapshot: {
            signalingState: 'stable',
            iceGatheringState: 'new',
            iceConnectionState: 'new',
            connectionState: 'new',
            localDescription: null,
            toneBuffer: '',
            hears: 'silence',
          },
          tracks: [],
          music: false,
          micEnabled: true,
        });
        return;
      case 'pc.addTrack':
        this.pcs.get(op.pc)?.tracks.push(op.track);
        return;
      case 'track.setEnabled': {
        const t = this.tracks.get(op.track);
        if (t) t.enabled = op.enabled;
        for (const [id, p] of this.pcs) {
          if (!p.tracks.includes(op.track)) continue;
          p.micEnabled = op.enabled;
          this.event(id, 'hearing');
        }
        return;
      }
      case 'dtmf.insert': {
        const p = this.pcs.get(op.pc);
        if (p) p.snapshot.toneBuffer = op.tones;
        return;
      }
      case 'pc.close': {
        const p = this.pcs.get(op.pc);
        if (p) p.snapshot = { ...p.snapshot, signalingState: 'closed', iceConnectionState: 'closed', connectionState: 'closed' };
        return;
      }
      case 'stream.release':
        for (const [id, t] of this.tracks) if (t.stream === op.stream) this.tracks.delete(id);
        return;
    }
  }

  /** The automatic model: enough of an RTCPeerConnection for JsSIP-shaped flows. */
  answer(rpc: Extract<ToHost, { kind: 'rpc' }>): void {
    const r: RpcRequest = rpc.request;
    switch (r.op) {
      case 'pc.createOffer':
      case 'pc.createAnswer':
        return this.reply(rpc, { type: r.op === 'pc.createOffer' ? 'offer' : 'answer', sdp: `v=0\r\no=- ${rpc.id} 1 IN IP4 127.0.0.1\r\n` });
      case 'pc.setLocalDescription': {
        const p = this.pcs.get(r.pc)!;
        const d = r.description ?? { type: 'offer' as const, sdp: 'v=0\r\n' };
        p.snapshot.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
        p.snapshot.localDescription = d;
        p.snapshot.iceGatheringState = 'gathering';
        this.reply(rpc, null);
        for (let i = 0; i < this.candidates; i++) {
          p.snapshot.localDescription = { ...d, sdp: `${d.sdp}a=candidate:${i} 1 udp 1 127.0.0.1 ${5000 + i} typ host\r\n` };
          this.event(r.pc, 'icecandidate', { candidate: { candidate: `candidate:${i} 1 udp 1 127.0.0.1 ${5000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 } });
        }
        p.snapshot.iceGatheringState = 'complete';
        this.event(r.pc, 'icegatheringstatechange');
        this.event(r.pc, 'icecandidate', { candidate: null });
        return;
      }
      case 'pc.setRemoteDescription': {
        const p = this.pcs.get(r.pc)!;
        p.snapshot.signalingState = r.description.type === 'offer' ? 'have-remote-offer' : 'stable';
        this.reply(rpc, null);
        if (r.description.type === 'answer') {
          p.snapshot.iceConnectionState = 'connected';
          this.event(r.pc, 'iceconnectionstatechange');
        }
        return;
      }
      case 'pc.holdMusic': {
        const p = this.pcs.get(r.pc)!;
        p.music = r.on;
        return this.reply(rpc, { hears: this.snapshotOf(r.pc).hears });
      }
      case 'stream.open': {
        const id = `track-${this.#nextTrack++}`;
        this.tracks.set(id, { enabled: true, stream: r.stream });
        return this.reply(rpc, { stream: r.stream, tracks: [{ id, kind: 'audio', enabled: true, label: 'Fake mic' }] });
      }
      case 'devices.list':
        return this.reply(rpc, { inputs: [{ deviceId: 'default', groupId: 'g', label: 'Mic' }], outputs: [] });
      case 'audio.configure':
        return this.reply(rpc, { fallbacks: [] });
      case 'music.configure':
        return this.reply(rpc, { name: r.name });
      case 'host.stats':
        return this.reply(rpc, { connections: [...this.pcs.values()].filter((p) => p.snapshot.signalingState !== 'closed').length, streams: 0, audioElements: 0 });
      default:
        return this.reply(rpc, null);
    }
  }
}
