/**
 * The media port protocol: every message between main and the hidden media
 * host (renderer/media/). Main validates everything the host sends — the host
 * is a renderer process and is treated like any other untrusted input. The
 * host page imports only the types from here (it is bundled for the browser).
 *
 * Shapes:
 * - main → host `rpc`  {id, request}: async operations; exactly one `reply` each.
 * - main → host `sync` {op}: fire-and-forget (JsSIP's synchronous calls), on the
 *   same ordered channel so the host runs them between the RPCs as JsSIP issued them.
 * - host → main `reply` {id, ok, result | error, snapshot?}, `event` {pc, type, snapshot},
 *   `devices`, `fault` (a fire-and-forget op that failed), `hello` (host ready).
 * Every reply and event about a connection carries its full state snapshot,
 * applied in main before the promise resolves or the event is dispatched.
 */
import { z } from 'zod';

export const protocolVersion = 1;

const id = z.string().min(1).max(128);
const sdp = z.string().max(256 * 1024);

export const sdpType = z.enum(['offer', 'answer', 'pranswer', 'rollback']);
export const descriptionSchema = z.object({ type: sdpType, sdp });
export type SessionDescriptionInit = z.infer<typeof descriptionSchema>;

/** What the far end of a call hears from us right now (shown on the call card). */
export const hearsSchema = z.union([
  z.literal('you'),
  z.literal('silence'),
  z.strictObject({ music: z.string().max(256) }),
]);
export type CallerHears = z.infer<typeof hearsSchema>;

export const snapshotSchema = z.object({
  signalingState: z.enum(['stable', 'have-local-offer', 'have-remote-offer', 'have-local-pranswer', 'have-remote-pranswer', 'closed']),
  iceGatheringState: z.enum(['new', 'gathering', 'complete']),
  iceConnectionState: z.enum(['new', 'checking', 'connected', 'completed', 'failed', 'disconnected', 'closed']),
  connectionState: z.enum(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed']),
  localDescription: descriptionSchema.nullable(),
  /** RFC 2833 tones still queued on the audio sender (RTCDTMFSender.toneBuffer). */
  toneBuffer: z.string().max(1024),
  hears: hearsSchema,
});
export type PcSnapshot = z.infer<typeof snapshotSchema>;

export const trackInfoSchema = z.object({
  id,
  kind: z.enum(['audio', 'video']),
  enabled: z.boolean(),
  label: z.string().max(512),
});
export type TrackInfo = z.infer<typeof trackInfoSchema>;

export const deviceSchema = z.object({
  deviceId: z.string().max(512),
  groupId: z.string().max(512),
  label: z.string().max(512),
});
export const deviceListSchema = z.object({
  inputs: z.array(deviceSchema).max(256),
  outputs: z.array(deviceSchema).max(256),
});
export type MediaDevice = z.infer<typeof deviceSchema>;
export type DeviceList = z.infer<typeof deviceListSchema>;

export const deviceRole = z.enum(['input', 'output', 'ringer']);
export type DeviceRole = z.infer<typeof deviceRole>;

/** Microphone capture options (settings.audio); the lab turns the processing off for pure tones. */
export interface MicrophoneOptions {
  deviceId: string;
  echoCancellation: boolean;
  noiseSuppression: boolean;
  autoGainControl: boolean;
}

/** Hold music source: a built-in synthesised piece, or a file the agent chose (bytes sent by main). */
export type MusicSource = { builtin: 'lounge' | 'classic' } | { file: string; base64: string };

/** The built-in hold music pieces, generated in the host (license-clean: our own synthesis). */
export const builtinMusic = { lounge: 'Lounge', classic: 'Classic' } as const;

// ---------------------------------------------------------------- main → host

export type RpcRequest =
  | { op: 'pc.createOffer'; pc: string; options?: Record<string, unknown> }
  | { op: 'pc.createAnswer'; pc: string; options?: Record<string, unknown> }
  | { op: 'pc.setLocalDescription'; pc: string; description?: SessionDescriptionInit }
  | { op: 'pc.setRemoteDescription'; pc: string; description: SessionDescriptionInit }
  | { op: 'pc.holdMusic'; pc: string; on: boolean }
  | { op: 'stream.open'; stream: string; microphone: MicrophoneOptions }
  | { op: 'devices.list' }
  | { op: 'audio.configure'; outputDeviceId: string; ringerDeviceId: string; inputDeviceId: string }
  | { op: 'music.configure'; source: MusicSource; name: string; volume: number }
  | { op: 'music.preview'; on: boolean }
  | { op: 'ring.start'; volume: 'loud' | 'soft' }
  | { op: 'ring.stop' }
  | { op: 'cue.play' }
  | { op: 'host.stats' };
export type RpcOp = RpcRequest['op'];

export type SyncOp =
  | { op: 'pc.create'; pc: string; config: Record<string, unknown> }
  | { op: 'pc.addTrack'; pc: string; stream: string; track: string }
  | { op: 'track.setEnabled'; pc: string | null; track: string; enabled: boolean }
  | { op: 'dtmf.insert'; pc: string; tones: string; duration: number; gap: number }
  | { op: 'pc.close'; pc: string }
  | { op: 'stream.release'; stream: string };

export type ToHost = { kind: 'rpc'; id: number; request: RpcRequest } | ({ kind: 'sync' } & SyncOp);

// ---------------------------------------------------------------- host → main

export const eventType = z.enum([
  'icecandidate',
  'icegatheringstatechange',
  'iceconnectionstatechange',
  'signalingstatechange',
  'connectionstatechange',
  'tonechange',
  /** What the caller hears changed (music on/off, mute, hold direction). */
  'hearing',
]);
export type PcEventType = z.infer<typeof eventType>;

export const candidateSchema = z.object({
  candidate: z.string().max(4096),
  sdpMid: z.string().max(64).nullable(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type CandidateInit = z.infer<typeof candidateSchema>;

export const errorSchema = z.object({ name: z.string().max(128), message: z.string().max(4096) });

export const fromHostSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hello'), protocol: z.literal(protocolVersion) }),
  // Replies share `kind` and split on `ok` (a nested discriminated union).
  z.discriminatedUnion('ok', [
    z.object({
      kind: z.literal('reply'),
      id: z.number().int().nonnegative(),
      ok: z.literal(true),
      result: z.unknown(),
      snapshot: snapshotSchema.optional(),
    }),
    z.object({
      kind: z.literal('reply'),
      id: z.number().int().nonnegative(),
      ok: z.literal(false),
      error: errorSchema,
      snapshot: snapshotSchema.optional(),
    }),
  ]),
  z.object({
    kind: z.literal('event'),
    pc: id,
    type: eventType,
    candidate: candidateSchema.nullable().optional(),
    snapshot: snapshotSchema,
  }),
  z.object({
    kind: z.literal('devices'),
    devices: deviceListSchema,
    /** Selected devices that disappeared (hot-unplug) and now fall back to the default. */
    fallbacks: z.array(z.object({ role: deviceRole, lostDeviceId: z.string().max(512) })).max(3),
  }),
  z.object({ kind: z.literal('fault'), op: z.string().max(64), pc: id.nullable(), message: z.string().max(4096) }),
]);
export type FromHost = z.infer<typeof fromHostSchema>;

/** Per-operation result schemas: main parses `reply.result` against the op it asked for. */
export const rpcResultSchemas = {
  'pc.createOffer': descriptionSchema,
  'pc.createAnswer': descriptionSchema,
  'pc.setLocalDescription': z.null(),
  'pc.setRemoteDescription': z.null(),
  'pc.holdMusic': z.object({ hears: hearsSchema }),
  'stream.open': z.object({ stream: id, tracks: z.array(trackInfoSchema).min(1).max(4) }),
  'devices.list': deviceListSchema,
  'audio.configure': z.object({ fallbacks: z.array(z.object({ role: deviceRole, lostDeviceId: z.string() })) }),
  'music.configure': z.object({ name: z.string().max(256) }),
  'music.preview': z.null(),
  'ring.start': z.null(),
  'ring.stop': z.null(),
  'cue.play': z.null(),
  'host.stats': z.object({
    connections: z.number().int().nonnegative(),
    streams: z.number().int().nonnegative(),
    audioElements: z.number().int().nonnegative(),
  }),
} satisfies Record<RpcOp, z.ZodType>;
export type RpcResult<O extends RpcOp> = z.infer<(typeof rpcResultSchemas)[O]>;
