import type { CallActionName, CallSnapshot } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';

/** Calls as pushed by main. The UI offers exactly `allowedActions`; it never decides telephony rules. */
export class CallsModel {
  list = $state.raw<CallSnapshot[]>([]);
  target = $state('');
  /** The last refused action or dial, in main's words. */
  error = $state<string | null>(null);
  busy = $state(false);
  /** Ticks once a second for the call timers. */
  now = $state(Date.now());

  constructor(private readonly api: ConsoleApi) {}

  /** Subscribes first, then reads; returns the unsubscribe (listener and ticker). */
  start(): () => void {
    let pushed = false;
    const off = this.api.calls.onChanged((list) => {
      pushed = true;
      this.list = list;
    });
    void this.api.calls.list().then((r) => {
      if (r.ok && !pushed) this.list = r.value;
    });
    const tick = setInterval(() => (this.now = Date.now()), 1000);
    return () => {
      off();
      clearInterval(tick);
    };
  }

  async dial(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    const r = await this.api.calls.dial({ target: this.target });
    this.busy = false;
    if (r.ok) this.target = '';
    else this.error = r.message;
  }

  async act(action: CallActionName, callId: string, tones?: string): Promise<void> {
    this.error = null;
    const c = this.api.calls;
    const r =
      action === 'dtmf'
        ? await c.dtmf({ callId, tones: tones ?? '' })
        : action === 'decline'
          ? await c.decline({ callId })
          : await c[action]({ callId });
    if (!r.ok) this.error = r.message;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m % 60)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

const phaseLabel: Record<CallSnapshot['state'], string> = {
  trying: 'Calling…',
  ringing: 'Ringing',
  'early-media': 'Ringing (audio)',
  answering: 'Connecting…',
  established: 'Connected',
  ended: 'Ended',
};

export function describeCall(c: CallSnapshot): string {
  if (c.state === 'ringing' && c.direction === 'incoming') return c.ring === 'soft' ? 'Incoming (call waiting)' : 'Incoming call';
  if (c.state === 'established') {
    if (c.holdPending) return 'Changing hold…';
    if (c.hold.local && c.hold.remote) return 'On hold (both sides)';
    if (c.hold.local) return 'On hold';
    if (c.hold.remote) return 'They put you on hold';
    return c.muted ? 'Connected (muted)' : 'Connected';
  }
  if (c.state === 'ended') return c.ended?.reason ?? 'Ended';
  return phaseLabel[c.state];
}
