/**
 * The demo's call queue ("Support"): callers whose INVITE to the queue's
 * number waits in the switchboard until an agent is free, first come first
 * served. Pure: the switchboard asks `next()` whenever something changed and
 * forwards the INVITE to the member it names; a member that does not take the
 * call (busy, declined, no answer) rests a few seconds before it is offered
 * another, so a caller is never bounced straight back to the same phone.
 *
 * Members are offered calls in two tiers, as contact-center queues do: the
 * agents of the queue first, and — once a caller has waited `overflowSec` —
 * the overflow members too (colleagues who help out when the queue backs up).
 */

export interface QueueMember {
  user: string;
  tier: 'agent' | 'overflow';
}

export interface QueueEntry {
  /** The caller's Call-ID: one entry per INVITE. */
  id: string;
  /** The caller's number and name as their From says. */
  caller: string;
  arrivedAt: number;
  /** The member the call rings at now, or null while it waits. */
  offeredTo: string | null;
  offeredAt: number | null;
}

export interface QueueFigures {
  waiting: number;
  longestWaitSec: number;
  availableAgents: number;
}

export interface QueueOptions {
  /** After a member let a call go, how long before it is offered another (ms). */
  restMs: number;
  /** A caller waiting this long is offered to overflow members too (s). */
  overflowSec: number;
  /** An offer that rings this long is taken back and the caller waits again (ms). */
  ringMs: number;
}

export const defaultQueueOptions: QueueOptions = { restMs: 8_000, overflowSec: 45, ringMs: 20_000 };

export class CallQueue {
  readonly name: string;
  readonly user: string;
  readonly options: QueueOptions;
  #members: QueueMember[];
  readonly #entries: QueueEntry[] = [];
  /** Member → until when it rests after letting a call go. */
  readonly #resting = new Map<string, number>();

  constructor(o: { name: string; user: string; members: QueueMember[]; options?: Partial<QueueOptions> }) {
    this.name = o.name;
    this.user = o.user;
    this.#members = [...o.members];
    this.options = { ...defaultQueueOptions, ...o.options };
  }

  get members(): readonly QueueMember[] {
    return this.#members;
  }

  setMembers(members: QueueMember[]): void {
    this.#members = [...members];
  }

  enqueue(id: string, caller: string, now: number): number {
    if (!this.#entries.some((e) => e.id === id)) this.#entries.push({ id, caller, arrivedAt: now, offeredTo: null, offeredAt: null });
    return this.position(id)!;
  }

  /** The caller left the queue: answered, gave up, or gone. */
  remove(id: string): QueueEntry | undefined {
    const i = this.#entries.findIndex((e) => e.id === id);
    if (i < 0) return undefined;
    return this.#entries.splice(i, 1)[0];
  }

  has(id: string): boolean {
    return this.#entries.some((e) => e.id === id);
  }

  entry(id: string): QueueEntry | undefined {
    return this.#entries.find((e) => e.id === id);
  }

  /** 1 for the caller who will be served next. */
  position(id: string): number | null {
    const i = this.#entries.findIndex((e) => e.id === id);
    return i < 0 ? null : i + 1;
  }

  entries(): readonly QueueEntry[] {
    return this.#entries;
  }

  offered(id: string, member: string, now: number): void {
    const e = this.entry(id);
    if (!e) return;
    e.offeredTo = member;
    e.offeredAt = now;
  }

  /** The member did not take the call: the caller waits again at the same place, the member rests. */
  refused(id: string, now: number): void {
    const e = this.entry(id);
    if (!e || e.offeredTo === null) return;
    this.#resting.set(e.offeredTo, now + this.options.restMs);
    e.offeredTo = null;
    e.offeredAt = null;
  }

  /** Offers ringing longer than ringMs: the switchboard takes them back (CANCEL) and calls refused(). */
  overdue(now: number): QueueEntry[] {
    return this.#entries.filter((e) => e.offeredAt !== null && now - e.offeredAt >= this.options.ringMs);
  }

  #available(member: QueueMember, now: number, isFree: (user: string) => boolean): boolean {
    if ((this.#resting.get(member.user) ?? 0) > now) return false;
    if (this.#entries.some((e) => e.offeredTo === member.user)) return false;
    return isFree(member.user);
  }

  /** The next caller to offer and to whom, or null: the longest-waiting caller gets the first free member of the tier it may reach. */
  next(now: number, isFree: (user: string) => boolean): { entry: QueueEntry; member: string } | null {
    for (const entry of this.#entries) {
      if (entry.offeredTo !== null) continue;
      const overflow = now - entry.arrivedAt >= this.options.overflowSec * 1000;
      const candidates = this.#members.filter((m) => m.tier === 'agent' || overflow);
      const member = candidates.find((m) => this.#available(m, now, isFree));
      if (member) return { entry, member: member.user };
      // Later callers cannot reach anyone this one cannot, except through overflow (which they reach later).
      if (!overflow) return null;
    }
    return null;
  }

  figures(now: number, isFree: (user: string) => boolean): QueueFigures {
    const oldest = this.#entries[0];
    return {
      waiting: this.#entries.length,
      longestWaitSec: oldest ? Math.max(0, Math.floor((now - oldest.arrivedAt) / 1000)) : 0,
      availableAgents: this.#members.filter((m) => m.tier === 'agent' && this.#available(m, now, isFree)).length,
    };
  }

  clear(): void {
    this.#entries.length = 0;
    this.#resting.clear();
  }
}
