/**
 * How the line status reads: in the header (`describeLine`) and beside the
 * account form (`describeLineOutcome`, the line's real outcome after a save,
 * with what to do about a failure). Pure, so the wording is tested without a
 * DOM. Every state has a text and a shape, never only a colour (WCAG 1.4.1):
 * agents with colour-blindness read the same information.
 *
 * The words come from the message catalogue; main's own `reason.message` (the
 * precise cause, in English) is shown as is beside them.
 */
import type { LineStatus } from '../../../preload/contract';
import { t, type MessageKey } from '../i18n/index.svelte';

export type LineTone = 'ok' | 'busy' | 'problem' | 'idle';
type FailureCode = NonNullable<LineStatus['reason']>['code'];

export interface LineView {
  /** Short text shown next to the indicator. */
  label: string;
  /** Longer sentence for the tooltip and screen readers. */
  detail: string;
  tone: LineTone;
}

const aorText = (aor: string | null) => (aor ? aor.replace(/^sips?:/, '') : '');

export function describeLine(status: LineStatus | null): LineView {
  if (!status) return { label: t('line.label.starting'), detail: t('line.detail.starting'), tone: 'idle' };
  const who = aorText(status.aor);
  const reason = status.reason?.message;
  switch (status.state) {
    case 'unconfigured':
      return { label: t('line.label.unconfigured'), detail: t('line.detail.unconfigured'), tone: 'idle' };
    case 'unregistered':
      return { label: t('line.label.unregistered'), detail: t('line.detail.unregistered', { who }), tone: 'idle' };
    case 'connecting':
      return { label: t('line.label.connecting'), detail: t('line.detail.connecting', { who }), tone: 'busy' };
    case 'registering':
      return { label: t('line.label.registering'), detail: t('line.detail.registering', { who }), tone: 'busy' };
    case 'registered':
      return { label: t('line.label.registered', { who }), detail: t('line.detail.registered', { who }), tone: 'ok' };
    case 'reconnecting':
      return {
        label: t('line.label.reconnecting'),
        detail: reason ? t('line.detail.reconnectingBecause', { reason }) : t('line.detail.reconnecting'),
        tone: 'busy',
      };
    case 'failed':
      return {
        label: reason ? t('line.label.failedBecause', { reason }) : t('line.label.failed'),
        detail: reason ? t('line.detail.failedBecause', { reason }) : t('line.detail.failed'),
        tone: 'problem',
      };
  }
}

/** The line as the account form shows it: what happened, main's precise cause, and what to do. */
export interface LineOutcome {
  tone: LineTone;
  /** One line: "Registered as 1001@pbx.example.com", "Not registered". */
  title: string;
  /** Main's own words for the cause, when it gave some. */
  cause: string | null;
  /** What the agent can do about it, when there is something. */
  advice: string | null;
  /** The line may be started again from here (line:reconnect). */
  canRetry: boolean;
}

const adviceFor: Readonly<Record<FailureCode, MessageKey>> = {
  'wrong-credentials': 'line.advice.wrong-credentials',
  forbidden: 'line.advice.forbidden',
  'not-found': 'line.advice.not-found',
  timeout: 'line.advice.timeout',
  unreachable: 'line.advice.unreachable',
  tls: 'line.advice.tls',
  'server-error': 'line.advice.server-error',
  'no-password': 'line.advice.no-password',
};

/** Null while there is nothing to say: no status read yet, or no account. */
export function describeLineOutcome(status: LineStatus | null): LineOutcome | null {
  if (!status) return null;
  const who = aorText(status.aor);
  const cause = status.reason?.message ?? null;
  switch (status.state) {
    case 'unconfigured':
      return null;
    case 'unregistered':
      return { tone: 'idle', title: t('line.outcome.unregistered'), cause, advice: t('line.advice.unregistered'), canRetry: true };
    case 'connecting':
      return { tone: 'busy', title: t('line.outcome.connecting'), cause: null, advice: null, canRetry: false };
    case 'registering':
      return { tone: 'busy', title: t('line.outcome.registering', { who }), cause: null, advice: null, canRetry: false };
    case 'registered':
      return { tone: 'ok', title: t('line.outcome.registered', { who }), cause: null, advice: null, canRetry: false };
    case 'reconnecting':
      return { tone: 'busy', title: t('line.outcome.reconnecting'), cause, advice: null, canRetry: false };
    case 'failed':
      return {
        tone: 'problem',
        title: t('line.outcome.failed'),
        cause,
        advice: t(status.reason ? adviceFor[status.reason.code] : 'line.advice.unknown'),
        canRetry: true,
      };
  }
}
