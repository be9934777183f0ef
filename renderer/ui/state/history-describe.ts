/**
 * What a history row and a call's detail say, in the agent's words: the
 * party, who transferred the call to the agent, the outcome (with where a
 * transfer went), the one-line summary a
 * screen reader reads for a row, the number a call-back dials, and the
 * detail's timeline — ringing, answer, each hold with what the caller heard,
 * each transfer with its steps, the end — in time order. Reads main's
 * records; decides nothing main decided.
 */
import type { CallDetail, CallOutcome, CallSummary, HoldPeriod, TransferStep } from '../../../preload/contract';

/** The outcomes the filter offers, in the contract's order (the renderer imports only its types). */
export const outcomeChoices: readonly CallOutcome[] = ['answered', 'missed', 'declined', 'busy', 'no-answer', 'cancelled', 'failed', 'transferred', 'interrupted'];
import { formatDateTime, formatDuration, locale, t, type MessageKey } from '../i18n/index.svelte';
import { cached, hourStyle } from '../i18n/formatters';

/** A time of day to the second ("14:05:07"): transfer steps are seconds apart. */
export function formatStepTime(at: number): string {
  const tag = locale.tag;
  return cached(`s|${tag}`, () => new Intl.DateTimeFormat(tag, { hour: hourStyle(tag), minute: '2-digit', second: '2-digit' })).format(at);
}

export function partyName(c: CallSummary): string {
  return c.remote.displayName ?? c.remote.number ?? c.remote.uri ?? t('history.party.unknown');
}

/** The number or address a call-back dials: the number as signalled, else the SIP address. */
export function callbackNumber(c: CallSummary): string | null {
  return c.remote.number ?? c.remote.uri ?? null;
}

/** A SIP address without its scheme and parameters, for display (`sip:2000@pbx;x=y` → `2000@pbx`). */
export function shortTarget(target: string): string {
  return target.replace(/^sips?:/i, '').replace(/[;?].*$/, '');
}

export function outcomeText(c: CallSummary): string {
  if (c.outcome === null) return t('history.outcome.ongoing');
  if (c.outcome === 'transferred' && c.transferTarget) return t('history.outcome.transferredTo', { target: shortTarget(c.transferTarget) });
  return t(`history.outcome.${c.outcome}` as MessageKey);
}

export function directionText(c: CallSummary): string {
  return t(`history.direction.${c.direction}`);
}

/**
 * Who transferred the call to the agent, as the row names them: their name,
 * else their number, else their address; null for a call that did not arrive
 * by transfer.
 */
export function transferrerName(c: CallSummary): string | null {
  const by = c.transferredBy;
  if (!by) return null;
  return by.displayName ?? by.number ?? (by.uri !== null ? shortTarget(by.uri) : null);
}

/** The detail's sentence: "Transferred to you by Anna Berg (2001)", the address only when a name is known too. */
export function transferredByText(c: CallSummary): string | null {
  const by = c.transferredBy;
  const name = transferrerName(c);
  if (!by || name === null) return null;
  const address = by.displayName !== null ? (by.number ?? (by.uri !== null ? shortTarget(by.uri) : null)) : null;
  return address !== null && address !== name
    ? t('history.detail.transferredByAddress', { name, address })
    : t('history.detail.transferredBy', { name });
}

/** A transfer was tried but the call did not end by it: the row marks where it was tried. */
export function triedTransferTarget(c: CallSummary): string | null {
  return c.transferred && c.outcome !== 'transferred' && c.transferTarget ? shortTarget(c.transferTarget) : null;
}

/** Everything a row shows, as one sentence (the row's accessible name); `when` if the row has formatted the start already. */
export function rowSummary(c: CallSummary, when = formatDateTime(c.startedAt)): string {
  const parts = [
    t('history.row.summary', {
      direction: directionText(c),
      party: c.remote.displayName && c.remote.number ? `${c.remote.displayName} ${c.remote.number}` : partyName(c),
      when,
      outcome: outcomeText(c),
    }),
  ];
  const via = transferrerName(c);
  if (via !== null) parts.push(t('history.row.transferredBy', { name: via }));
  if (c.durationMs !== null) parts.push(t('history.row.duration', { duration: formatDuration(c.durationMs) }));
  if (c.held) parts.push(t('history.marker.held'));
  const tried = triedTransferTarget(c);
  if (tried) parts.push(t('history.marker.transfer', { target: tried }));
  if (c.disposition) parts.push(t('history.row.disposition', { code: c.disposition }));
  return parts.join(', ');
}

export type TimelineEntry =
  | { kind: 'start'; at: number; text: string }
  | { kind: 'answered'; at: number; text: string }
  | { kind: 'hold'; at: number; text: string; endedAt: number | null }
  | { kind: 'transfer'; at: number; text: string; transferId: string; steps: TimelineStep[] }
  | { kind: 'end'; at: number; text: string; detail: string | null };

export interface TimelineStep {
  at: number;
  text: string;
  /** `SIP 486 Busy Here` when the step carried a code or reason. */
  sip: string | null;
}

function heardText(h: HoldPeriod): string {
  return h.heard === 'music' ? t('history.heard.music', { music: h.music ?? '' }) : t(`history.heard.${h.heard}`);
}

function stepSip(s: TransferStep): string | null {
  if (s.sipCode === null && !s.detail) return null;
  return [s.sipCode !== null ? t('history.sip', { code: String(s.sipCode) }) : null, s.detail].filter(Boolean).join(' ');
}

/** The call's life in time order; a transfer is one entry with its steps, placed at its first step. */
export function buildTimeline(d: CallDetail): TimelineEntry[] {
  const c = d.call;
  const entries: TimelineEntry[] = [
    { kind: 'start', at: c.ringingAt ?? c.startedAt, text: t(c.direction === 'incoming' ? 'history.time.ringing' : 'history.time.placed') },
  ];
  if (c.answeredAt !== null) entries.push({ kind: 'answered', at: c.answeredAt, text: t('history.time.answered') });
  for (const h of d.holds) {
    entries.push({
      kind: 'hold',
      at: h.startedAt,
      endedAt: h.endedAt,
      text:
        h.endedAt === null
          ? t('history.time.holdOpen', { heard: heardText(h) })
          : t('history.time.hold', { duration: formatDuration(h.endedAt - h.startedAt), heard: heardText(h) }),
    });
  }
  const transfers = new Map<string, TransferStep[]>();
  for (const s of d.transfers) {
    const list = transfers.get(s.transferId) ?? [];
    list.push(s);
    transfers.set(s.transferId, list);
  }
  for (const [transferId, steps] of transfers) {
    const first = steps[0]!;
    entries.push({
      kind: 'transfer',
      at: first.at,
      transferId,
      text: t('history.time.transfer', { mode: t(`history.mode.${first.mode}`), target: shortTarget(first.target) }),
      steps: steps.map((s) => ({ at: s.at, text: t(`history.step.${s.step}`), sip: stepSip(s) })),
    });
  }
  if (c.endedAt !== null) {
    const sip = [c.sipCode !== null ? t('history.sip', { code: String(c.sipCode) }) : null, c.sipReason].filter(Boolean).join(' ');
    const by = c.endedBy ? t(`history.time.endedBy.${c.endedBy}`) : null;
    entries.push({
      kind: 'end',
      at: c.endedAt,
      text: t('history.time.ended', { outcome: outcomeText(c) }),
      detail: [by, sip || null].filter(Boolean).join(' · ') || null,
    });
  }
  // Stable: equal times keep the order above (start, answer, holds, transfers, end).
  return entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map(({ e }) => e);
}
