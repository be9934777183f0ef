/**
 * A fake SIP call leg (the `CallLeg` port, main/calls/call/ports.ts) and a fake
 * `Telephony` handing them out: commands are recorded as short lines
 * ('answer', 'decline 486', 'hold', 'dtmf 5 info', 'mute true', …) and the test
 * plays the far end by emitting call-machine events on the leg.
 */
import type { CallDirection, CallEvent, RemoteParty } from '../../main/calls/call/machine';
import type { CallLeg, DialOptions, Telephony } from '../../main/calls/call/ports';

/** The remote party a fake leg has unless told otherwise: number = the leg's id, at lab.test. */
export const remoteFor = (id: string): RemoteParty => ({ number: id, uri: `sip:${id}@lab.test`, displayName: null });

export class FakeLeg implements CallLeg {
  /** Every command the call service gave this leg, in order. */
  readonly commands: string[] = [];
  readonly listeners = new Set<(e: CallEvent) => void>();
  disposed = false;
  /** An incoming INVITE with Replaces: the id of our call it replaces. */
  replaces: string | null = null;
  /** An incoming INVITE's Referred-By. */
  referredBy: string | null = null;
  /** What the call service asked for when it dialled this leg (a supervised safe blind's leg, …). */
  dialOptions: DialOptions = {};

  constructor(
    readonly id: string,
    readonly direction: CallDirection,
    readonly remote: RemoteParty = remoteFor(id),
    /** Also told of every command (a test's own trace across legs). */
    private readonly onCommand?: (command: string, leg: FakeLeg) => void,
  ) {}

  answer() {
    this.#record('answer');
  }
  decline(code: 486 | 603) {
    this.#record(`decline ${code}`);
  }
  hangup() {
    this.#record('hangup');
  }
  hold() {
    this.#record('hold');
  }
  unhold() {
    this.#record('unhold');
  }
  dtmf(tones: string, mode: 'info' | 'rfc2833') {
    this.#record(`dtmf ${tones} ${mode}`);
  }
  mute(on: boolean) {
    this.#record(`mute ${on}`);
  }
  onEvent(listener: (e: CallEvent) => void) {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
  dispose() {
    this.disposed = true;
    this.listeners.clear();
  }

  /** The far end (or JsSIP) did something: tell every listener. */
  emit(event: CallEvent) {
    for (const l of [...this.listeners]) l(event);
  }

  #record(command: string) {
    this.commands.push(command);
    this.onCommand?.(command, this);
  }
}

export interface FakeTelephony {
  readonly telephony: Telephony;
  /** Every leg handed out (dialled or ringing), in order. */
  readonly legs: FakeLeg[];
  leg(id: string): FakeLeg;
  /** A call comes in: a new incoming leg, handed to the service's onIncoming listener. */
  ring(id: string, o?: { remote?: RemoteParty; replaces?: string; referredBy?: string }): FakeLeg;
  /** The WebSocket to the SIP server is up (true) or down. */
  setConnected(connected: boolean): void;
}

/**
 * Dialled legs are `out0`, `out1`, … (numbered over all legs so far), with the
 * remote party the service asked for. `onCommand` goes to every leg.
 */
export function fakeTelephony(options: { domain?: string | null; onCommand?: (command: string, leg: FakeLeg) => void } = {}): FakeTelephony {
  const legs: FakeLeg[] = [];
  let incoming: ((leg: CallLeg) => void) | null = null;
  let connected = true;
  const add = (leg: FakeLeg) => {
    legs.push(leg);
    return leg;
  };
  const telephony: Telephony = {
    dial: (_uri, remote, dialOptions = {}) => {
      const leg = add(new FakeLeg(`out${legs.length}`, 'outgoing', remote, options.onCommand));
      leg.dialOptions = { ...dialOptions };
      return leg;
    },
    onIncoming(listener) {
      incoming = listener;
      return () => {
        incoming = null;
      };
    },
    isConnected: () => connected,
    domain: () => (options.domain === undefined ? 'lab.test' : options.domain),
  };
  return {
    telephony,
    legs,
    leg(id) {
      const leg = legs.find((l) => l.id === id);
      if (!leg) throw new Error(`no leg ${id}`);
      return leg;
    },
    ring(id, o = {}) {
      if (!incoming) throw new Error('nothing listens for incoming calls (service not attached?)');
      const leg = add(new FakeLeg(id, 'incoming', o.remote, options.onCommand));
      leg.replaces = o.replaces ?? null;
      leg.referredBy = o.referredBy ?? null;
      incoming(leg);
      return leg;
    },
    setConnected(c) {
      connected = c;
    },
  };
}
