/**
 * The switchboard's registrar (RFC 3261 §10.3): which connection holds the
 * binding of each user, until when. Pure: time comes in as `now`, and the
 * switchboard sweeps expired bindings on its own timer.
 *
 * One binding per contact; a user reached at several contacts is routed to
 * the newest. A REGISTER's Expires is clamped into [min, max] and the
 * granted value is what the 200 says (RFC 3261 §10.3 step 7), so a client
 * refreshes in time; asking for less than the minimum gets 423 Interval Too
 * Brief, as a real registrar answers.
 */

export interface Binding {
  user: string;
  /** The Contact URI as the client gave it (a random `….invalid` host over WebSocket). */
  contact: string;
  /** The WebSocket connection the REGISTER arrived on: where requests for the user go. */
  connection: string;
  expiresAt: number;
}

export interface RegisterAsk {
  user: string;
  connection: string;
  /** Each Contact URI with the expiry it asks for (seconds; undefined: the Expires header or the default). */
  contacts: ReadonlyArray<{ uri: string; expires: number | undefined }>;
  /** The Expires header, if any. */
  expires: number | undefined;
  /** `Contact: *` (remove every binding; only with Expires 0). */
  wildcard: boolean;
}

export type RegisterAnswer =
  | { status: 200; bindings: ReadonlyArray<{ contact: string; expiresSec: number }> }
  | { status: 423; minExpires: number }
  | { status: 400; reason: string };

export interface RegistrarOptions {
  minExpiresSec: number;
  maxExpiresSec: number;
  defaultExpiresSec: number;
}

export const defaultRegistrarOptions: RegistrarOptions = { minExpiresSec: 30, maxExpiresSec: 3600, defaultExpiresSec: 600 };

export class Registrar {
  readonly #bindings = new Map<string, Binding[]>();
  readonly #o: RegistrarOptions;

  constructor(options: Partial<RegistrarOptions> = {}) {
    this.#o = { ...defaultRegistrarOptions, ...options };
  }

  register(ask: RegisterAsk, now: number): RegisterAnswer {
    const list = this.#bindings.get(ask.user) ?? [];
    if (ask.wildcard) {
      if (ask.expires !== 0 || ask.contacts.length > 0) return { status: 400, reason: 'Contact: * needs Expires: 0' };
      this.#bindings.delete(ask.user);
      return { status: 200, bindings: [] };
    }
    for (const c of ask.contacts) {
      const asked = c.expires ?? ask.expires ?? this.#o.defaultExpiresSec;
      if (asked > 0 && asked < this.#o.minExpiresSec) return { status: 423, minExpires: this.#o.minExpiresSec };
    }
    for (const c of ask.contacts) {
      const asked = c.expires ?? ask.expires ?? this.#o.defaultExpiresSec;
      const at = list.findIndex((b) => b.contact === c.uri);
      if (at >= 0) list.splice(at, 1);
      if (asked === 0) continue;
      const granted = Math.min(asked, this.#o.maxExpiresSec);
      list.push({ user: ask.user, contact: c.uri, connection: ask.connection, expiresAt: now + granted * 1000 });
    }
    if (list.length > 0) this.#bindings.set(ask.user, list);
    else this.#bindings.delete(ask.user);
    return { status: 200, bindings: this.bindingsOf(ask.user, now).map((b) => ({ contact: b.contact, expiresSec: Math.max(0, Math.round((b.expiresAt - now) / 1000)) })) };
  }

  /** Live bindings of a user, newest last. */
  bindingsOf(user: string, now: number): Binding[] {
    return (this.#bindings.get(user) ?? []).filter((b) => b.expiresAt > now);
  }

  /** Where a request for `user` goes: the newest live binding, or null. */
  lookup(user: string, now: number): Binding | null {
    return this.bindingsOf(user, now).at(-1) ?? null;
  }

  isRegistered(user: string, now: number): boolean {
    return this.lookup(user, now) !== null;
  }

  /** Drops bindings that ran out; returns the users that lost their last one. */
  sweep(now: number): string[] {
    const gone: string[] = [];
    for (const [user, list] of this.#bindings) {
      const live = list.filter((b) => b.expiresAt > now);
      if (live.length === list.length) continue;
      if (live.length === 0) {
        this.#bindings.delete(user);
        gone.push(user);
      } else this.#bindings.set(user, live);
    }
    return gone;
  }

  /** A connection closed: its bindings go with it. Returns the users that lost their last one. */
  dropConnection(connection: string): string[] {
    const gone: string[] = [];
    for (const [user, list] of this.#bindings) {
      const live = list.filter((b) => b.connection !== connection);
      if (live.length === list.length) continue;
      if (live.length === 0) {
        this.#bindings.delete(user);
        gone.push(user);
      } else this.#bindings.set(user, live);
    }
    return gone;
  }

  /** Every user with a live binding. */
  users(now: number): string[] {
    return [...this.#bindings.keys()].filter((u) => this.isRegistered(u, now));
  }

  clear(): void {
    this.#bindings.clear();
  }
}
