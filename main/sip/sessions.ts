/**
 * Which JsSIP RTCSession carries which call. The call service knows calls by
 * id only (main/calls is JsSIP-free); transfers need the session itself: its
 * dialog ids for Replaces (RFC 3891), `refer()` (RFC 3515), the incoming
 * INVITE's Replaces / Referred-By headers (RFC 3892), its `refer` and
 * `replaces` events, and its peer connection for hold music. The session
 * adapter (session.ts) registers every session it wraps, under the call id,
 * for as long as the call exists; this module is the only reader.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';

type Listener = (callId: string, session: RTCSession) => void;

const sessions = new Map<string, RTCSession>();
const added = new Set<Listener>();

/** Called by the session adapter; returns the unregister it runs on dispose. */
export function registerSession(callId: string, session: RTCSession): () => void {
  sessions.set(callId, session);
  for (const l of [...added]) {
    try {
      l(callId, session);
    } catch {
      // A transfer hook failing must never break call set-up.
    }
  }
  return () => {
    if (sessions.get(callId) === session) sessions.delete(callId);
  };
}

export function sessionOf(callId: string): RTCSession | undefined {
  return sessions.get(callId);
}

/** Every session registered from now on (incoming INVITEs, consult calls). */
export function onSessionRegistered(listener: Listener): () => void {
  added.add(listener);
  return () => added.delete(listener);
}

/** For leak checks in tests. */
export function registeredSessionCount(): number {
  return sessions.size;
}
