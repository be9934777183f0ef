/**
 * Following VoIPBIN's attended transfer — a consult the platform runs on our
 * own leg (docs/voipbin.md): it dials the transferee through a groupcall, puts
 * the caller on music (muted), and bridges the transferee into our call on
 * answer. We complete by leaving the call; cancel is hanging the groupcall up.
 * This turns the groupcall's and the transferee's call events into the
 * consult report the transfer machine reads: ringing, answered, failed (with
 * the platform's hang-up reason as a SIP status), and ended (the transferee
 * hung up after answering, so the platform gives the caller back to us).
 */
import type { ConsultReport } from '../../calls/transfer/backend';
import type { Call, Groupcall, VoipbinEvent } from './schemas';

/** The platform's "no id" (Go's zero UUID) counts as none. */
const NIL = '00000000-0000-0000-0000-000000000000';
export const some = (id: string | null | undefined): id is string => !!id && id !== NIL;

/** The platform's hang-up reason of the transferee → the SIP status the machine reads. */
export const failureCode: Record<string, number> = { busy: 486, noanswer: 480, timeout: 408, failed: 500, cancel: 487 };

export class ConsultFollow {
  readonly groupcallIds = new Set<string>();
  masterGroupcallId: string | null = null;
  /** Transferee calls seen: id → alive. */
  readonly calls = new Map<string, boolean>();
  /** The call that answered (its hang-up ends the consult). */
  answerCallId: string | null = null;
  answered = false;
  ringing = false;
  done = false;
  /** The agent cancelled before the platform named the groupcall: hang it up once it does. */
  cancelWanted = false;
  private lastReason: string | null = null;

  constructor(
    readonly callId: string,
    private readonly report: ConsultReport,
    /** The platform's id of our own leg: once it hangs up (the agent completed, or the call ended) there is nothing left to follow. */
    private readonly transfererId: string,
  ) {}

  /** The 200 named the groupcall (and maybe the transferee's call). */
  named(groupcallId: string | null | undefined, transfereeCallId: string | null | undefined) {
    if (some(groupcallId)) {
      this.groupcallIds.add(groupcallId);
      this.masterGroupcallId = groupcallId;
    }
    if (some(transfereeCallId)) this.calls.set(transfereeCallId, true);
  }

  feed(e: VoipbinEvent) {
    if (this.done) return;
    if (e.resource === 'groupcall') this.onGroupcall(e.data, e.action);
    else if (e.resource === 'call') this.onCall(e.data, e.action);
  }

  /** The agent cancelled (or our leg left): nothing more is reported. */
  stop() {
    this.done = true;
  }

  private answer(callId: string | null) {
    if (this.answered) return;
    this.answered = true;
    this.answerCallId = callId;
    this.report.answered();
  }

  private fail() {
    if (this.done) return;
    this.done = true;
    this.report.failed((this.lastReason && failureCode[this.lastReason]) || 480);
  }

  private onGroupcall(g: Groupcall, action: string | null) {
    const ours = this.groupcallIds.has(g.id) || (some(g.master_groupcall_id) && this.groupcallIds.has(g.master_groupcall_id));
    if (!ours) return;
    this.groupcallIds.add(g.id);
    for (const id of g.call_ids ?? []) if (some(id) && !this.calls.has(id)) this.calls.set(id, true);
    if (some(g.answer_call_id) || action === 'progressing') return this.answer(some(g.answer_call_id) ? g.answer_call_id : null);
    const over = g.status === 'hangup' || action === 'hangup' || action === 'deleted';
    // Once answered, the groupcall has done its job; the answering call's own end says when the consult is over.
    if (over && g.id === this.masterGroupcallId && !this.answered) this.fail();
  }

  private onCall(c: Call, action: string | null) {
    if (c.id === this.transfererId) {
      if (c.status === 'hangup' || action === 'hangup') this.done = true;
      return;
    }
    const ours = this.calls.has(c.id) || (some(c.groupcall_id) && this.groupcallIds.has(c.groupcall_id));
    if (!ours || this.calls.get(c.id) === false) return; // forward only: a late event for an ended call changes nothing
    const status = c.status ?? action;
    if (status === 'progressing') return this.answer(c.id);
    if (status === 'hangup' || action === 'hangup') {
      this.calls.set(c.id, false);
      if (c.hangup_reason) this.lastReason = c.hangup_reason;
      if (this.answered) {
        if (this.answerCallId === null || this.answerCallId === c.id) {
          this.done = true;
          this.report.ended();
        }
        return;
      }
      if ([...this.calls.values()].every((alive) => !alive)) this.fail();
      return;
    }
    if (status === 'terminating' || status === 'canceling') return;
    this.calls.set(c.id, true);
    if (status === 'ringing' && !this.ringing && !this.answered) {
      this.ringing = true;
      this.report.ringing();
    }
  }
}
