import type { TransferActionName, TransferSnapshot, TransferTargetInput } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';

/**
 * Transfers as pushed by main (transfer:changed), one snapshot per call. The
 * UI offers exactly the snapshot's `allowedActions` and shows main's reason and
 * timeline; it never decides what a transfer may do.
 */
export class TransferModel {
  byCall = $state.raw<Record<string, TransferSnapshot>>({});
  /** What the agent typed per call (number or SIP address). */
  targets = $state<Record<string, string>>({});
  /** The last refusal, per call, in main's words. */
  errors = $state<Record<string, string>>({});
  busy = $state(false);

  constructor(private readonly api: ConsoleApi) {}

  /** Subscribes first, then reads; returns the unsubscribe. */
  start(): () => void {
    let pushed = false;
    const off = this.api.transfer.onChanged((s) => {
      pushed = true;
      this.byCall = { ...this.byCall, [s.callId]: s };
    });
    void this.api.transfer.list().then((r) => {
      if (r.ok && !pushed) this.byCall = Object.fromEntries(r.value.map((s) => [s.callId, s]));
    });
    return off;
  }

  /** A number goes as a number, anything starting with sip:/sips: as an address; main validates both. */
  static targetOf(text: string): TransferTargetInput {
    const t = text.trim();
    return /^sips?:/i.test(t) ? { kind: 'uri', uri: t } : { kind: 'number', number: t };
  }

  private async run(callId: string, fn: () => Promise<{ ok: true; value: TransferSnapshot } | { ok: false; message: string }>) {
    if (this.busy) return;
    this.busy = true;
    const { [callId]: _dropped, ...rest } = this.errors;
    this.errors = rest;
    const r = await fn();
    this.busy = false;
    if (r.ok) this.byCall = { ...this.byCall, [callId]: r.value };
    else this.errors = { ...this.errors, [callId]: r.message };
  }

  blind(callId: string, safe: boolean): Promise<void> {
    const target = TransferModel.targetOf(this.targets[callId] ?? '');
    return this.run(callId, () => this.api.transfer.blind({ callId, target, safe }));
  }

  attended(callId: string): Promise<void> {
    const target = TransferModel.targetOf(this.targets[callId] ?? '');
    return this.run(callId, () => this.api.transfer.attended({ callId, target }));
  }

  act(callId: string, action: TransferActionName): Promise<void> {
    const t = this.api.transfer;
    return this.run(callId, () => {
      switch (action) {
        case 'undo':
          return t.undo({ callId });
        case 'complete':
          return t.complete({ callId });
        case 'cancel':
          return t.cancel({ callId });
        case 'swap':
          return t.swap({ callId });
        case 'follow-refer':
          return t.answerRefer({ callId, follow: true });
        case 'decline-refer':
          return t.answerRefer({ callId, follow: false });
      }
    });
  }
}

const phaseText: Record<TransferSnapshot['phase'], string> = {
  idle: '',
  pending: 'Transfer starts shortly — Undo is still possible',
  referring: 'Transferring…',
  'consult-dialing': 'Calling the transferee — the caller hears music',
  consulting: 'Talking to the transferee privately — the caller hears music',
  completing: 'Completing the transfer…',
  'refer-offered': 'The other side asks to transfer this call',
  following: 'Following the other side\u2019s transfer…',
  done: 'Transfer finished',
};

export function describeTransfer(s: TransferSnapshot): string {
  return phaseText[s.phase];
}

export const actionLabel: Record<TransferActionName, string> = {
  undo: 'Undo',
  complete: 'Complete transfer',
  cancel: 'Cancel transfer',
  swap: 'Swap',
  'follow-refer': 'Accept transfer',
  'decline-refer': 'Decline transfer',
};
