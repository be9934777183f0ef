/**
 * How the line status reads in the header. Pure, so the wording is tested
 * without a DOM. Every state has a text and a shape, never only a colour
 * (WCAG 1.4.1): agents with colour-blindness read the same information.
 */
import type { LineStatus } from '../../../preload/contract';

export type LineTone = 'ok' | 'busy' | 'problem' | 'idle';

export interface LineView {
  /** Short text shown next to the indicator. */
  label: string;
  /** Longer sentence for the tooltip and screen readers. */
  detail: string;
  tone: LineTone;
}

const aorText = (aor: string | null) => (aor ? aor.replace(/^sips?:/, '') : '');

export function describeLine(status: LineStatus | null): LineView {
  if (!status) return { label: 'Starting…', detail: 'Line status: reading from the console.', tone: 'idle' };
  const who = aorText(status.aor);
  switch (status.state) {
    case 'unconfigured':
      return { label: 'No SIP account', detail: 'Line status: no SIP account is set up. Open Settings to add one.', tone: 'idle' };
    case 'unregistered':
      return { label: 'Not registered', detail: `Line status: ${who} is configured but not registered.`, tone: 'idle' };
    case 'connecting':
      return { label: 'Connecting…', detail: `Line status: connecting to the SIP server for ${who}.`, tone: 'busy' };
    case 'registering':
      return { label: 'Registering…', detail: `Line status: registering ${who}.`, tone: 'busy' };
    case 'registered':
      return { label: `Ready · ${who}`, detail: `Line status: registered as ${who}; calls can come in.`, tone: 'ok' };
    case 'reconnecting':
      return {
        label: 'Reconnecting…',
        detail: `Line status: connection lost, reconnecting${status.reason ? ` (${status.reason.message})` : ''}.`,
        tone: 'busy',
      };
    case 'failed':
      return {
        label: `Line down${status.reason ? ` · ${status.reason.message}` : ''}`,
        detail: `Line status: not registered${status.reason ? ` — ${status.reason.message}` : ''}.`,
        tone: 'problem',
      };
  }
}
