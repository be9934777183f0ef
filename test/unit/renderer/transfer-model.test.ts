/**
 * The transfer model (renderer/ui/state/transfer.svelte.ts): snapshots from
 * transfer:list and transfer:changed, what a call may start read from
 * `allowedActions`, the exact requests sent (default blind omits `safe`,
 * plain blind says `safe: false`, attended names the target), main's refusal
 * kept as the call's one error naming the target, and nothing left running
 * after stop.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Result, TransferSnapshot } from '../../../preload/contract';
import { TransferModel } from '../../../renderer/ui/state/transfer.svelte';
import { fakeConsoleApi, settle } from '../../support/console-api';
import { callSnapshot } from '../../support/call-snapshot';
import { transferSnapshot } from '../../support/transfer-snapshot';

const snapshot = (over: Partial<TransferSnapshot> = {}): TransferSnapshot => transferSnapshot(over);
const ok = (value: TransferSnapshot): Result<TransferSnapshot> => ({ ok: true, value });

afterEach(() => vi.useRealTimers());

describe('TransferModel', () => {
  it('reads every call\u2019s snapshot, lets a push win over the list, and says what each call may start', async () => {
    const fake = fakeConsoleApi({
      answers: { 'transfer:list': () => ({ ok: true, value: [snapshot(), snapshot({ callId: 'c2', allowedActions: ['attended'], blindDefault: 'plain' })] }) },
    });
    const model = new TransferModel(fake.api);
    const stop = model.start();
    await settle();
    expect(Object.keys(model.byCall)).toEqual(['c1', 'c2']);
    expect(model.offer('c1')).toEqual({ blind: true, plainBlind: true, attended: true, blindDefault: 'safe', consultOnLeg: false });
    expect(model.offer('c2')).toEqual({ blind: false, plainBlind: false, attended: true, blindDefault: 'plain', consultOnLeg: false });
    expect(model.canStart('c2')).toBe(true);
    await fake.emit('transfer:changed', snapshot({ callId: 'c2', allowedActions: [] }));
    expect(model.canStart('c2')).toBe(false);
    expect(model.canStart('unknown')).toBe(false);
    stop();
    expect(fake.listeners('transfer:changed')).toBe(0);
    expect(fake.listeners('calls:changed')).toBe(0);
  });

  it('sends a default blind without `safe`, a plain blind with `safe: false`, and attended with the target', async () => {
    const fake = fakeConsoleApi({
      answers: {
        'transfer:blind': () => ok(snapshot({ phase: 'referring' })),
        'transfer:attended': () => ok(snapshot({ phase: 'consult-dialing' })),
      },
    });
    const model = new TransferModel(fake.api);
    const target = { kind: 'colleague' as const, name: 'Anna', address: '2002' };
    expect(await model.startTransfer('c1', target, 'blind', 'Anna')).toBe(true);
    expect(await model.startTransfer('c1', { kind: 'number', number: '4711' }, 'plain-blind', '4711')).toBe(true);
    expect(await model.startTransfer('c1', target, 'attended', 'Anna')).toBe(true);
    expect(fake.raw.transfer.blind.mock.calls).toEqual([[{ callId: 'c1', target }], [{ callId: 'c1', target: { kind: 'number', number: '4711' }, safe: false }]]);
    expect(fake.raw.transfer.blind.mock.calls[0][0]).not.toHaveProperty('safe');
    expect(fake.raw.transfer.attended.mock.calls).toEqual([[{ callId: 'c1', target }]]);
    expect(model.byCall.c1.phase).toBe('consult-dialing');
  });

  it('keeps main\u2019s refusal as the call\u2019s one error, naming the target; success clears it', async () => {
    let answer: Result<TransferSnapshot> = { ok: false, code: 'not-allowed', message: 'another transfer is under way' };
    const fake = fakeConsoleApi({ answers: { 'transfer:blind': () => answer, 'transfer:undo': () => ({ ok: false, code: 'not-allowed', message: 'too late' }) } });
    const model = new TransferModel(fake.api);
    expect(await model.startTransfer('c1', { kind: 'number', number: '2002' }, 'blind', '2002')).toBe(false);
    expect(model.errors.c1).toEqual({ code: 'not-allowed', message: 'Transfer to 2002 failed: another transfer is under way' });
    expect(await model.startTransfer('c1', { kind: 'queue', name: 'Sales', address: '2000' }, 'blind', 'Sales')).toBe(false);
    expect(model.errors.c1.message).toBe('Transfer to Sales failed: another transfer is under way');
    expect(await model.act('c1', 'undo')).toBe(false);
    expect(model.errors.c1.message).toBe('Undo did not work: too late');
    answer = ok(snapshot({ phase: 'referring' }));
    expect(await model.startTransfer('c1', { kind: 'number', number: '2002' }, 'blind', '2002')).toBe(true);
    expect(model.errors.c1).toBeUndefined();
  });

  it('drops a refusal once main pushes a new transfer of that call', async () => {
    const fake = fakeConsoleApi({ answers: { 'transfer:list': () => ({ ok: true, value: [] }), 'transfer:blind': () => ({ ok: false, code: 'busy', message: 'wait' }) } });
    const model = new TransferModel(fake.api);
    const stop = model.start();
    await settle();
    await model.startTransfer('c1', { kind: 'number', number: '2002' }, 'blind', '2002');
    await fake.emit('transfer:changed', snapshot({ allowedActions: [] }));
    expect(model.errors.c1?.message).toBe('Transfer to 2002 failed: wait');
    await fake.emit('transfer:changed', snapshot({ transferId: 't7', phase: 'pending', allowedActions: ['undo'] }));
    expect(model.errors.c1).toBeUndefined();
    stop();
  });

  it('sends each action to its channel and ignores a second press while the first is in flight', async () => {
    let release: (r: Result<TransferSnapshot>) => void = () => {};
    const fake = fakeConsoleApi({
      answers: {
        'transfer:complete': () => new Promise<Result<TransferSnapshot>>((r) => (release = r)),
        'transfer:answer-refer': () => ok(snapshot()),
        'transfer:swap': () => ok(snapshot()),
        'transfer:cancel': () => ok(snapshot()),
      },
    });
    const model = new TransferModel(fake.api);
    const first = model.act('c1', 'complete');
    expect(model.busy.c1).toBe(true);
    expect(await model.act('c1', 'complete')).toBe(false);
    release(ok(snapshot({ phase: 'completing' })));
    expect(await first).toBe(true);
    expect(fake.raw.transfer.complete).toHaveBeenCalledTimes(1);
    await model.act('c1', 'follow-refer');
    await model.act('c1', 'decline-refer');
    await model.act('c1', 'swap');
    await model.act('c1', 'cancel');
    expect(fake.raw.transfer.answerRefer.mock.calls).toEqual([[{ callId: 'c1', follow: true }], [{ callId: 'c1', follow: false }]]);
    expect(fake.raw.transfer.swap).toHaveBeenCalledWith({ callId: 'c1' });
    expect(fake.raw.transfer.cancel).toHaveBeenCalledWith({ callId: 'c1' });
  });

  it('forgets a call\u2019s transfer once the call is gone, and stops its countdown clock with it', async () => {
    vi.useFakeTimers();
    const fake = fakeConsoleApi({ answers: { 'transfer:list': () => ({ ok: true, value: [] }) } });
    const model = new TransferModel(fake.api);
    const stop = model.start();
    await settle();
    await fake.emit('transfer:changed', snapshot({ phase: 'pending', undoDeadline: Date.now() + 3000 }));
    expect(model.pending.map((s) => s.callId)).toEqual(['c1']);
    expect(vi.getTimerCount()).toBe(1);
    await fake.emit('calls:changed', [callSnapshot({ id: 'c2' })]);
    expect(model.byCall).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
    await fake.emit('transfer:changed', snapshot({ phase: 'pending', undoDeadline: Date.now() + 3000 }));
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
