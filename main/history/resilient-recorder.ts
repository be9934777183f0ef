/**
 * The recorder the call and transfer services write through: a history fault
 * never breaks a live call, and never silently loses it either.
 *
 * Each event is written as it happens (its own transaction, as before). When
 * the storage refuses one — disk full, read-only, damaged, I/O error — that
 * event and every later one are kept in memory, in order, and written once
 * the storage takes writes again: on the storage's back-off probe and at
 * every new event. SQLite rolls a failed transaction back whole, so an event
 * that failed was not written, and writing it later writes it once.
 *
 * A call's events are written in the order they happened, so a queued
 * answer or end always follows its call's start. When a damaged file was
 * replaced by a fresh one while a call was up, the call's start (and answer,
 * and the hold it is in) are written again into the new file before its next
 * event, so it is still one whole row there.
 *
 * Memory is bounded: at most `capacity` events wait. Past it, new calls are
 * not kept at all, and calls already kept lose their later holds and
 * transfer steps but keep their end (each kept call stays one whole row);
 * `lost` counts both, and the agent is told.
 */
import type { Logger } from '../logging/logger';
import type { CallEndedEvent, CallRecorder, CallStartedEvent, HoldAudio, TransferStepEvent } from './recorder';
import { storageFaultOf } from './storage-faults';

/** What the recorder writes to: the history repository, or anything shaped like it. */
export interface WritableHistory extends CallRecorder {
  /** Whether the call's start is already in this file (a start is never written twice). */
  hasOpenCall(callId: string): boolean;
}

export interface RecorderTarget {
  /**
   * The history to write to now and which opening of the file it is (a new
   * number after the file was reopened or replaced); null while nothing
   * takes writes.
   */
  writable(): { history: WritableHistory; opening: number } | null;
  /** A write failed for a storage reason. True: the storage changed (a damaged file was replaced), try again now. */
  failed(error: unknown): boolean;
  /** A write succeeded and nothing waits: whatever was wrong is over. */
  recovered(): void;
}

type Hold = { at: number; heard: HoldAudio };

/** `held`: the hold the call was in just before this event (what a replacement file must be given first). */
type RecorderEvent = { held?: Hold | null } & (
  | { kind: 'started'; callId: string; event: CallStartedEvent }
  | { kind: 'answered'; callId: string; at: number }
  | { kind: 'ended'; callId: string; event: CallEndedEvent }
  | { kind: 'hold-started'; callId: string; at: number; heard: HoldAudio }
  | { kind: 'hold-ended'; callId: string; at: number }
  | { kind: 'transfer-step'; callId: string; event: TransferStepEvent }
);

interface Queued {
  event: RecorderEvent;
  /** Tried and failed at least once: a start is checked against the file before it is written again. */
  retried: boolean;
}

/** A call that started in this run and has not ended: enough to start it again in a replacement file. */
interface OpenCall {
  started: CallStartedEvent;
  answeredAt: number | null;
  /** The hold it is in after the last event recorded, if any. */
  hold: Hold | null;
  /** The opening of the file its start was written to (null: not written yet). */
  opening: number | null;
  /** Its start did not fit in memory: none of its events are kept. */
  startDropped: boolean;
  /** Already counted in `lost.calls`. */
  counted: boolean;
}

export interface RecorderCounts {
  waitingEvents: number;
  waitingCalls: number;
  capacity: number;
  lost: { events: number; calls: number };
  writtenBack: { calls: number; events: number; at: number } | null;
}

export interface ResilientRecorderOptions {
  /** Events kept in memory at most while the storage refuses writes. */
  capacity?: number;
  now: () => number;
  log: Logger;
  /** Called after every change of what the counts say (an event queued, lost, written back). */
  changed: () => void;
}

/** 10,000 events: a few days of an agent's calls at a handful of events each, a few megabytes at most. */
export const defaultCapacity = 10_000;

export class ResilientRecorder implements CallRecorder {
  readonly capacity: number;
  private queue: Queued[] = [];
  /** Index of the first waiting event in `queue` (shifting a 10,000-entry array per write would be quadratic). */
  private head = 0;
  private readonly open = new Map<string, OpenCall>();
  private readonly lost = { events: 0, calls: 0 };
  /** Written from memory since the pause began: calls and events. */
  private pause: { calls: Set<string>; events: number } | null = null;
  private lastWrittenBack: RecorderCounts['writtenBack'] = null;

  constructor(
    private readonly target: RecorderTarget,
    private readonly o: ResilientRecorderOptions,
  ) {
    this.capacity = Math.max(1, Math.trunc(o.capacity ?? defaultCapacity));
  }

  callStarted(event: CallStartedEvent): void {
    this.open.set(event.callId, { started: event, answeredAt: null, hold: null, opening: null, startDropped: false, counted: false });
    this.record({ kind: 'started', callId: event.callId, event });
  }
  callAnswered(callId: string, at: number): void {
    const call = this.open.get(callId);
    if (call && call.answeredAt === null) call.answeredAt = at;
    this.record({ kind: 'answered', callId, at });
  }
  callEnded(event: CallEndedEvent): void {
    this.record({ kind: 'ended', callId: event.callId, event });
  }
  holdStarted(callId: string, at: number, heard: HoldAudio): void {
    this.record({ kind: 'hold-started', callId, at, heard });
  }
  holdEnded(callId: string, at: number): void {
    this.record({ kind: 'hold-ended', callId, at });
  }
  transferStep(event: TransferStepEvent): void {
    this.record({ kind: 'transfer-step', callId: event.callId, event });
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  counts(): RecorderCounts {
    const calls = new Set<string>();
    for (let i = this.head; i < this.queue.length; i++) calls.add(this.queue[i]!.event.callId);
    return {
      waitingEvents: this.waiting,
      waitingCalls: calls.size,
      capacity: this.capacity,
      lost: { ...this.lost },
      writtenBack: this.lastWrittenBack,
    };
  }

  /**
   * Writes the waiting events in order, as far as the storage lets it.
   * Returns true when nothing waits any more.
   */
  flush(): boolean {
    if (this.waiting === 0) return true;
    while (this.waiting > 0) {
      const item = this.queue[this.head]!;
      const result = this.write(item.event, item.retried);
      if (result === 'fault') {
        item.retried = true;
        return false;
      }
      this.queue[this.head] = undefined as unknown as Queued;
      this.head++;
      if (result === 'written' && this.pause) {
        this.pause.calls.add(item.event.callId);
        this.pause.events++;
      }
    }
    this.queue = [];
    this.head = 0;
    if (this.pause) {
      this.lastWrittenBack = { calls: this.pause.calls.size, events: this.pause.events, at: this.o.now() };
      this.o.log.info('history: events kept in memory were written', { calls: this.pause.calls.size, events: this.pause.events });
      this.pause = null;
    }
    this.target.recovered();
    this.o.changed();
    return true;
  }

  /** The console stops: what still waits cannot be written any more (logged, with how much). */
  abandon(): number {
    const left = this.waiting;
    if (left > 0) this.o.log.error('history: events could not be written before the console stopped', { events: left });
    this.queue = [];
    this.head = 0;
    this.open.clear();
    return left;
  }

  private record(event: RecorderEvent): void {
    const call = this.open.get(event.callId);
    if (call) {
      event.held = call.hold;
      if (event.kind === 'hold-started') call.hold = { at: event.at, heard: event.heard };
      if (event.kind === 'hold-ended') call.hold = null;
    }
    if (this.open.get(event.callId)?.startDropped) {
      // Its start did not fit: the rest of it is counted as lost, not written as a row without a start.
      this.enqueue(event, false);
      this.o.changed();
      return;
    }
    if (this.waiting === 0) {
      const result = this.write(event, false);
      if (result === 'written') this.target.recovered();
      if (result !== 'fault') return;
      this.pause ??= { calls: new Set(), events: 0 };
      this.enqueue(event, true);
      this.o.changed();
      return;
    }
    this.enqueue(event, false);
    // Every new event is a chance to find the storage back.
    if (!this.flush()) this.o.changed();
  }

  private enqueue(event: RecorderEvent, retried: boolean): void {
    const call = this.open.get(event.callId);
    const full = this.waiting >= this.capacity;
    // A call's end is kept past the bound when its start was kept: the row it makes is then whole.
    const keepEnd = event.kind === 'ended' && call !== undefined && !call.startDropped;
    if (call?.startDropped || (full && !keepEnd)) {
      if (this.lost.events === 0) this.o.log.error('history: memory for unrecorded events is full; events are being lost', { capacity: this.capacity });
      this.lost.events++;
      if (call && !call.counted) {
        call.counted = true;
        this.lost.calls++;
      }
      if (event.kind === 'started' && call) call.startDropped = true;
      if (event.kind === 'ended') this.open.delete(event.callId);
      return;
    }
    this.queue.push({ event, retried });
  }

  /** An event was written (or refused for good): forget an ended call. */
  private settle(event: RecorderEvent): void {
    if (event.kind === 'ended') this.open.delete(event.callId);
  }

  private write(event: RecorderEvent, retried: boolean): 'written' | 'dropped' | 'fault' {
    for (let attempt = 0; attempt < 2; attempt++) {
      const target = this.target.writable();
      if (!target) return 'fault';
      try {
        this.apply(target.history, target.opening, event, retried || attempt > 0);
        this.settle(event);
        return 'written';
      } catch (e) {
        if (storageFaultOf(e) === null) {
          // Not the disk's fault (an unknown call, a refused value): waiting would not help.
          this.o.log.error(`history: ${event.kind} not recorded`, { callId: event.callId, error: String(e) });
          this.settle(event);
          return 'dropped';
        }
        if (!this.target.failed(e)) return 'fault';
      }
    }
    return 'fault';
  }

  private apply(history: WritableHistory, opening: number, event: RecorderEvent, retried: boolean): void {
    const call = this.open.get(event.callId);
    if (event.kind === 'started') {
      // A start that failed may still be in the file when the failure was ambiguous: never two rows for one call.
      if (!(retried && history.hasOpenCall(event.callId))) history.callStarted(event.event);
      if (call) call.opening = opening;
      return;
    }
    if (call && call.opening !== null && call.opening !== opening && !history.hasOpenCall(event.callId)) {
      // Started in a file that was replaced: start it again here (answered, and held if it is), so this
      // file has the call whole; what it did before in the old file (earlier holds, transfer steps) stays there.
      history.callStarted(call.started);
      if (call.answeredAt !== null) history.callAnswered(event.callId, call.answeredAt);
      if (event.held) history.holdStarted(event.callId, event.held.at, event.held.heard);
    }
    if (call) call.opening = opening;
    switch (event.kind) {
      case 'answered':
        return history.callAnswered(event.callId, event.at);
      case 'ended':
        return history.callEnded(event.event);
      case 'hold-started':
        return history.holdStarted(event.callId, event.at, event.heard);
      case 'hold-ended':
        return history.holdEnded(event.callId, event.at);
      case 'transfer-step':
        return history.transferStep(event.event);
    }
  }
}
