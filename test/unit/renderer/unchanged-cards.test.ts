/**
 * Cards whose snapshot did not change keep their object across calls:changed
 * pushes (renderer/ui/components/calls/unchanged-cards.ts), so only what
 * changed is rendered again — and every real change, however deep in the
 * snapshot, still reaches its card.
 */
import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../../preload/contract';
import CallsColumn from '../../../renderer/ui/components/calls/CallsColumn.svelte';
import { keepUnchangedCards, sameData } from '../../../renderer/ui/components/calls/unchanged-cards';
import { groupCalls } from '../../../renderer/ui/state/call-view';
import { callSnapshot } from '../../support/call-snapshot';
import { callsColumnProps } from '../../support/calls-column-props';
import { transferSnapshot } from '../../support/transfer-snapshot';

/** What a push delivers: the same facts as fresh objects (as after JSON or a structured clone). */
const fresh = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const ended = callSnapshot({ id: 'old', state: 'ended', answeredAt: 2_000, endedAt: 9_000, ended: { reason: 'Hung up', by: 'remote', code: 200 }, allowedActions: [], ring: null });
const ringing = callSnapshot({ id: 'new' });

describe('sameData', () => {
  it('compares JSON-like data by value, arrays by order, and tells missing keys from null', () => {
    expect(sameData(ended, fresh(ended))).toBe(true);
    expect(sameData({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(sameData({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameData({ a: null }, {})).toBe(false);
    expect(sameData({ a: undefined }, { b: undefined })).toBe(false);
    expect(sameData([], {})).toBe(false);
    expect(sameData(null, {})).toBe(false);
    expect(sameData(1, '1')).toBe(false);
    expect(sameData({ hold: { local: false, remote: false } }, { hold: { local: false, remote: true } })).toBe(false);
  });
});

describe('keepUnchangedCards', () => {
  it('keeps the previous object of each card that did not change, takes the new one of each that did', () => {
    const before = groupCalls([ended, ringing], {});
    const answered = { ...fresh(ringing), state: 'answering' as const, allowedActions: [] };
    const next = keepUnchangedCards(before, groupCalls([fresh(ended), answered], {}));
    expect(next[0]).toBe(before[0]);
    expect(next[1]).not.toBe(before[1]);
    expect(next[1]!.call.state).toBe('answering');
  });

  it('returns the previous list itself when nothing changed, and a new one when cards come, go or move', () => {
    const before = groupCalls([ended, ringing], {});
    expect(keepUnchangedCards(before, groupCalls(fresh([ended, ringing]), {}))).toBe(before);
    const gone = keepUnchangedCards(before, groupCalls(fresh([ringing]), {}));
    expect(gone).toEqual([before[1]]);
    expect(gone[0]).toBe(before[1]);
    const moved = keepUnchangedCards(before, groupCalls(fresh([ringing, ended]), {}));
    expect(moved).not.toBe(before);
    expect(moved.map((g) => g.call.id)).toEqual(['new', 'old']);
    expect(keepUnchangedCards([], [])).toEqual([]);
  });

  it('a change in the transfer or the consult leg is a change of the card', () => {
    const talking = callSnapshot({ id: 'c1', state: 'established', answeredAt: 1_000, ring: null, allowedActions: ['hangup'] });
    const before = groupCalls([talking], { c1: transferSnapshot({ callId: 'c1', allowedActions: [] }) });
    const next = keepUnchangedCards(before, groupCalls([fresh(talking)], { c1: transferSnapshot({ callId: 'c1', allowedActions: ['blind'] }) }));
    expect(next[0]).not.toBe(before[0]);
    expect(next[0]!.transfer?.allowedActions).toEqual(['blind']);
  });
});

describe('calls column over successive pushes', () => {
  const props = (calls: CallSnapshot[]) => callsColumnProps(calls);

  it('a new call gets its card, the unchanged card stays as it was, and a deep change still shows', async () => {
    const talking = callSnapshot({ id: 'c1', state: 'established', answeredAt: 1_000, ring: null, allowedActions: ['hangup', 'hold'] });
    const { rerender } = render(CallsColumn, { props: props([talking]) });
    const first = screen.getByRole('article');
    expect(within(first).getByText('Connected')).toBeTruthy();

    await rerender(props(fresh([talking, ringing])));
    const cards = screen.getAllByRole('article');
    expect(cards.map((c) => c.dataset['callId'])).toEqual(['c1', 'new']);
    expect(cards[0]).toBe(first);
    expect(within(cards[1]!).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Answer', 'Decline']);

    // Only a nested field differs (put on hold by the other side): the card must say so.
    await rerender(props(fresh([{ ...talking, hold: { local: false, remote: true } }, ringing])));
    expect(within(screen.getAllByRole('article')[0]!).getByText('They put you on hold')).toBeTruthy();
  });
});
