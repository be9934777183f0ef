/**
 * What the agent is told about a hand-over a phone cannot do seamlessly: the
 * note before Complete (main's `completion`, shown by the transfer strip),
 * the new steps (released, taken as a new call) and outcome lines, in English
 * and German. renderer/ui/state/outcome.ts, TransferStrip.svelte.
 */
import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TransferSnapshot } from '../../../preload/contract';
import TransferStrip from '../../../renderer/ui/components/transfer/TransferStrip.svelte';
import { locale } from '../../../renderer/ui/i18n/index.svelte';
import { describeCompletion, describeOutcome, describeStep, outcomeTone } from '../../../renderer/ui/state/outcome';
import { transferSnapshot } from '../../support/transfer-snapshot';

const consulting = (completion: TransferSnapshot['completion'], over: Partial<TransferSnapshot> = {}): TransferSnapshot =>
  transferSnapshot({
    transferId: 't1',
    mode: 'attended',
    safe: true,
    phase: 'consulting',
    target: { kind: 'number', label: '2002', uri: 'sip:2002@pbx.test' },
    legs: { caller: { callId: 'c1', state: 'up', held: true, music: true }, consult: { callId: 'c2', state: 'up', held: false, music: false } },
    allowedActions: ['complete', 'cancel', 'swap'],
    completion,
    ...over,
  });

afterEach(() => (locale.choice = 'en'));

describe('describeCompletion', () => {
  it('says nothing for the usual seamless swap, and what will happen otherwise, naming the target', () => {
    expect(describeCompletion(consulting(null))).toBe('');
    expect(describeCompletion(consulting({ via: 'caller', expect: 'swap', unable: null }))).toBe('');
    expect(describeCompletion(consulting({ via: 'caller', expect: 'new-call', unable: 'caller' }))).toBe(
      'The caller’s phone cannot swap calls: 2002’s phone will ring again with the caller',
    );
    expect(describeCompletion(consulting({ via: 'caller', expect: 'new-call', unable: 'transferee' }))).toBe(
      '2002’s phone cannot swap calls: it will ring again with the caller',
    );
    expect(describeCompletion(consulting({ via: 'caller', expect: 'new-call', unable: 'both' }))).toBe(
      'Neither phone can swap calls: 2002’s phone will ring again with the caller',
    );
    expect(describeCompletion(consulting({ via: 'transferee', expect: 'swap', unable: null }))).toBe(
      'The caller’s phone takes no transfer requests: 2002’s phone will take the caller over instead',
    );
    expect(describeCompletion(consulting({ via: 'transferee', expect: 'new-call', unable: 'caller' }))).toBe(
      'The caller’s phone cannot swap calls: 2002 will reach the caller as a new call, which may ring',
    );
  });

  it('is translated', () => {
    locale.choice = 'de';
    expect(describeCompletion(consulting({ via: 'caller', expect: 'new-call', unable: 'caller' }))).toBe(
      'Das Telefon des Anrufers kann Anrufe nicht tauschen: bei 2002 klingelt es mit dem Anrufer erneut',
    );
  });
});

describe('steps and outcomes of a hand-over that was not seamless', () => {
  it('words the released step with its note, the new-call step, and the new-call outcome as a warning', () => {
    expect(describeStep({ step: 'released', at: 1, sipCode: 100, note: 'released at NOTIFY 100; outcome not known' })).toBe(
      'Released (outcome not known) (SIP 100) — released at NOTIFY 100; outcome not known',
    );
    expect(describeStep({ step: 'new-call', at: 1, sipCode: 200, note: null })).toBe('Taken as a new call (SIP 200)');
    const newCall = { result: 'new-call' as const, target: '2002', reason: null, at: 1 };
    expect(describeOutcome(newCall)).toBe('Transferred to 2002 as a new call — their phone rang again instead of swapping calls');
    expect(outcomeTone(newCall)).toBe('warn');
    locale.choice = 'de';
    expect(describeStep({ step: 'released', at: 1, sipCode: null, note: null })).toBe('Übergeben (Ausgang nicht bekannt)');
  });
});

describe('TransferStrip', () => {
  it('shows the note while the consult is up, before Complete', () => {
    render(TransferStrip, { props: { snapshot: consulting({ via: 'caller', expect: 'new-call', unable: 'caller' }), onaction: vi.fn() } });
    expect(screen.getByTestId('transfer-completion').textContent).toBe(
      'The caller’s phone cannot swap calls: 2002’s phone will ring again with the caller',
    );
    expect(screen.getByRole('button', { name: 'Complete transfer' })).toBeTruthy();
  });

  it('shows no note for a seamless swap, nor once the transfer is over', () => {
    const seamless = render(TransferStrip, { props: { snapshot: consulting({ via: 'caller', expect: 'swap', unable: null }), onaction: vi.fn() } });
    expect(screen.queryByTestId('transfer-completion')).toBeNull();
    seamless.unmount();
    const over = consulting(
      { via: 'caller', expect: 'new-call', unable: 'caller' },
      { phase: 'done', allowedActions: [], outcome: { result: 'new-call', target: '2002', reason: null, at: 2 } },
    );
    render(TransferStrip, { props: { snapshot: over, onaction: vi.fn() } });
    expect(screen.queryByTestId('transfer-completion')).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('Transferred to 2002 as a new call');
  });
});
