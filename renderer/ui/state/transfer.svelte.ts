import type {
  ErrorCode,
  Result,
  TransferActionName,
  TransferSnapshot,
  TransferStartAction,
  TransferTargetInput,
} from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { t } from '../i18n/index.svelte';
import { actionLabel, targetName } from './outcome';

/**
 * Transfers as main pushes them (transfer:changed), one snapshot per call.
 * What may start or act now is the snapshot's `allowedActions`; this model
 * only sends the agent's choice and keeps main's answer — the snapshot, or
 * main's typed refusal as the call's one error (a new one replaces it).
 */

/** How the agent chose to hand the call on. `blind` is the default blind (`blindDefault`); `plain-blind` is the explicit, unsafe one. */
export type StartKind = 'blind' | 'plain-blind' | 'attended';

/** An action on a transfer under way (the start actions belong to the drop and the picker). */
export type TransferStepAction = Exclude<TransferActionName, TransferStartAction>;

export interface TransferError {
  code: ErrorCode;
  /** Already worded for the agent, naming the target. */
  message: string;
}

/** Which kinds of start main allows for a call right now. */
export interface StartOffer {
  /** The default blind (safe or plain, per `blindDefault`). */
  blind: boolean;
  /** The explicit plain blind, offered beside a safe default. */
  plainBlind: boolean;
  attended: boolean;
  blindDefault: TransferSnapshot['blindDefault'];
  /** Attended is the phone system's consult on this very call: hanging up before the answer drops the caller. */
  consultOnLeg: boolean;
}

const startActions: readonly TransferActionName[] = ['blind', 'safe-blind', 'attended'];
/** How often the undo countdown ticks: often enough that a second never shows twice as long. */
const countdownTickMs = 250;

export class TransferModel {
  byCall = $state.raw<Record<string, TransferSnapshot>>({});
  /** The last refusal per call, worded with its target. */
  errors = $state.raw<Record<string, TransferError>>({});
  /** Calls with a request in flight (a second click waits for main's answer). */
  busy = $state.raw<Record<string, boolean>>({});
  /** Clock of the undo countdown; ticks only while a transfer waits in its undo window. */
  now = $state(Date.now());
  /** Transfers in their undo window, oldest deadline first. */
  readonly pending = $derived(
    Object.values(this.byCall)
      .filter((s) => s.phase === 'pending' && s.undoDeadline !== null)
      .sort((a, b) => (a.undoDeadline ?? 0) - (b.undoDeadline ?? 0)),
  );
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly api: ConsoleApi) {}

  /** Subscribes first, then reads; returns the unsubscribe (listeners and the countdown). */
  start(): () => void {
    const pushed: string[] = [];
    const offChanged = this.api.transfer.onChanged((s) => {
      pushed.push(s.callId);
      this.apply(s);
    });
    // A call that is gone takes its transfer (and its outcome line) with it.
    const offCalls = this.api.calls.onChanged((calls) => this.keepOnly(calls.map((c) => c.id)));
    void this.api.transfer.list().then((r) => {
      if (!r.ok) return;
      const fresh = r.value.filter((s) => !pushed.includes(s.callId));
      this.byCall = { ...this.byCall, ...Object.fromEntries(fresh.map((s) => [s.callId, s])) };
      this.syncCountdown();
    });
    return () => {
      offChanged();
      offCalls();
      this.stopCountdown();
    };
  }

  snapshot(callId: string): TransferSnapshot | undefined {
    return this.byCall[callId];
  }

  /** What main allows this call to start now; nothing at all before main sent its snapshot. */
  offer(callId: string): StartOffer {
    const s = this.byCall[callId];
    const allowed = s?.allowedActions ?? [];
    const blindDefault = s?.blindDefault ?? 'safe';
    return {
      blind: allowed.includes(blindDefault === 'safe' ? 'safe-blind' : 'blind'),
      plainBlind: blindDefault === 'safe' && allowed.includes('blind'),
      attended: allowed.includes('attended'),
      blindDefault,
      consultOnLeg: s?.consultOnLeg ?? false,
    };
  }

  /** Main would accept some start for this call now. */
  canStart(callId: string): boolean {
    return (this.byCall[callId]?.allowedActions ?? []).some((a) => startActions.includes(a));
  }

  /**
   * Sends the agent's start. A default blind omits `safe` (main applies the
   * agent's setting); a plain blind says `safe: false`. Resolves true when
   * main accepted it.
   */
  startTransfer(callId: string, target: TransferTargetInput, kind: StartKind, label: string): Promise<boolean> {
    const tr = this.api.transfer;
    return this.run(callId, label, () =>
      kind === 'attended'
        ? tr.attended({ callId, target })
        : kind === 'plain-blind'
          ? tr.blind({ callId, target, safe: false })
          : tr.blind({ callId, target }),
    );
  }

  act(callId: string, action: TransferStepAction): Promise<boolean> {
    const tr = this.api.transfer;
    const s = this.byCall[callId];
    const what = actionLabel(action, s?.phase ?? 'idle');
    return this.run(callId, null, () => {
      switch (action) {
        case 'undo':
          return tr.undo({ callId });
        case 'complete':
          return tr.complete({ callId });
        case 'cancel':
          return tr.cancel({ callId });
        case 'swap':
          return tr.swap({ callId });
        case 'follow-refer':
          return tr.answerRefer({ callId, follow: true });
        case 'decline-refer':
          return tr.answerRefer({ callId, follow: false });
      }
    }, what);
  }

  dismissError(callId: string): void {
    if (!(callId in this.errors)) return;
    const { [callId]: _gone, ...rest } = this.errors;
    this.errors = rest;
  }

  private async run(
    callId: string,
    target: string | null,
    send: () => Promise<Result<TransferSnapshot>>,
    action?: string,
  ): Promise<boolean> {
    if (this.busy[callId]) return false;
    this.busy = { ...this.busy, [callId]: true };
    const r = await send();
    const { [callId]: _done, ...rest } = this.busy;
    this.busy = rest;
    if (r.ok) {
      this.dismissError(callId);
      this.apply(r.value);
      return true;
    }
    const message =
      action !== undefined
        ? t('transfer.error.action', { action, message: r.message })
        : t('transfer.error', { target: targetName(target ?? this.byCall[callId]?.target?.label), message: r.message });
    this.errors = { ...this.errors, [callId]: { code: r.code, message } };
    return false;
  }

  private apply(s: TransferSnapshot): void {
    // A new transfer of the call makes the last refusal stale.
    if (s.transferId !== null && s.transferId !== this.byCall[s.callId]?.transferId) this.dismissError(s.callId);
    this.byCall = { ...this.byCall, [s.callId]: s };
    this.syncCountdown();
  }

  private keepOnly(callIds: readonly string[]): void {
    const kept = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).filter(([id]) => callIds.includes(id)));
    if (Object.keys(this.byCall).some((id) => !callIds.includes(id))) this.byCall = kept(this.byCall);
    if (Object.keys(this.errors).some((id) => !callIds.includes(id))) this.errors = kept(this.errors);
    this.syncCountdown();
  }

  /** The clock runs exactly while some transfer waits in its undo window. */
  private syncCountdown(): void {
    const waiting = Object.values(this.byCall).some((s) => s.phase === 'pending' && s.undoDeadline !== null);
    if (waiting && this.ticker === null) {
      this.now = Date.now();
      this.ticker = setInterval(() => (this.now = Date.now()), countdownTickMs);
    } else if (!waiting) this.stopCountdown();
  }

  private stopCountdown(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** Whole seconds left in a transfer's undo window (0 once it has passed). */
  secondsLeft(s: TransferSnapshot): number {
    return s.undoDeadline === null ? 0 : Math.max(0, Math.ceil((s.undoDeadline - this.now) / 1000));
  }
}
