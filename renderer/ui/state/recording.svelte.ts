/**
 * Whether calls are being recorded, as main pushes it (history:recording):
 * the banner under the header shows a problem for as long as it lasts — it
 * cannot be dismissed while it is true — and, once main wrote the calls it
 * kept, says so for a short while (or until dismissed). A confirmation is
 * only for a pause this window saw: a reload after it shows nothing.
 */
import type { RecordingStatus } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { describeRecording, type WrittenBack } from './recording-view';

export interface RecordingModelOptions {
  /** How long "recording again" stays (ms). */
  confirmMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export class RecordingModel {
  status = $state.raw<RecordingStatus | null>(null);
  /** The write-back being confirmed (null: none on screen). */
  confirming = $state.raw<WrittenBack | 'back' | null>(null);
  readonly view = $derived(describeRecording(this.status, this.confirming));

  private timer: unknown = null;
  private readonly confirmMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly api: ConsoleApi,
    options: RecordingModelOptions = {},
  ) {
    this.confirmMs = options.confirmMs ?? 10_000;
    this.setTimer = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Subscribes first, then reads, so no change between the two is missed. Returns the unsubscribe. */
  start(): () => void {
    const off = this.api.history.onRecording((status) => this.apply(status));
    void this.api.history.recording().then((r) => {
      // A push may have come first: it is newer than this answer.
      if (r.ok && this.status === null) this.status = r.value;
    });
    return () => {
      off();
      this.dismiss();
    };
  }

  /** Hides "recording again" now. A problem cannot be dismissed: it shows while it lasts. */
  dismiss(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.confirming = null;
  }

  private apply(status: RecordingStatus): void {
    const before = this.status;
    this.status = status;
    if (status.state === 'waiting') return this.dismiss();
    // Recording again after a pause this window saw: say so, with what was written.
    const back = status.writtenBack;
    const wrote = back !== null && back.at !== before?.writtenBack?.at;
    if (before?.state === 'waiting' || (before !== null && wrote)) this.confirm(wrote && back ? back : 'back');
  }

  private confirm(what: WrittenBack | 'back'): void {
    this.dismiss();
    this.confirming = what;
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.confirming = null;
    }, this.confirmMs);
  }
}
