/**
 * Which JsSIP RTCSession carries which call, for the SIP adapters that need
 * the session itself: the transfer backend (dialog ids for Replaces, RFC 3891;
 * `refer()`, RFC 3515; the far end's `refer` events) and hold music (the
 * session's peer connection). main/calls knows calls by id only. One registry
 * per console, made by the composition root and handed to the line (which adds
 * every session it wraps, for as long as the call exists) and to its readers.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';

type Listener = (callId: string, session: RTCSession) => void;

export class SessionRegistry {
  readonly #sessions = new Map<string, RTCSession>();
  readonly #added = new Set<Listener>();

  /** Called by the session adapter; returns the removal it runs on dispose. */
  add(callId: string, session: RTCSession): () => void {
    this.#sessions.set(callId, session);
    for (const l of [...this.#added]) {
      try {
        l(callId, session);
      } catch {
        // A reader failing must never break call set-up.
      }
    }
    return () => {
      if (this.#sessions.get(callId) === session) this.#sessions.delete(callId);
    };
  }

  get(callId: string): RTCSession | undefined {
    return this.#sessions.get(callId);
  }

  /** Every session added from now on (incoming INVITEs, consult calls). */
  onAdded(listener: Listener): () => void {
    this.#added.add(listener);
    return () => this.#added.delete(listener);
  }

  /** Sessions still registered (leak checks: zero once every call is gone). */
  get size(): number {
    return this.#sessions.size;
  }
}
