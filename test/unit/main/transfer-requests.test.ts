/**
 * From an IPC request to a machine event and from a machine refusal to the
 * typed error the UI shows — the thin layer the call service's handlers use.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../../main/calls/transfer/machine';
import {
  attendedRequestEvent,
  blindRequestEvent,
  intentEvent,
  refusalToConsoleError,
  type RequestContext,
} from '../../../main/calls/transfer/requests';
import { ConsoleError } from '../../../preload/contract/result';
import { preferencesSchema } from '../../../preload/contract/settings';
import { attendedTransferRequestSchema, blindTransferRequestSchema } from '../../../preload/contract/transfer';
import { CONSULT_DIALOG, Harness, SAFE } from './transfer-fixtures';

const ctx: RequestContext = {
  transferId: 'T1',
  at: 1000,
  domain: 'pbx.test',
  prefs: preferencesSchema.parse({}).transfer,
  callerHeld: false,
};

describe('transfer requests → machine events', () => {
  it('blind: target resolved on the account domain, options from preferences with the per-transfer override', () => {
    const req = blindTransferRequestSchema.parse({ callId: 'C', target: { kind: 'number', number: '2001' }, safe: false });
    expect(blindRequestEvent(req, ctx)).toEqual({
      type: 'request.blind',
      at: 1000,
      transferId: 'T1',
      target: { kind: 'number', label: '2001', uri: 'sip:2001@pbx.test' },
      options: { safe: false, undoMs: 3000, referTimeoutMs: 30_000, completeTimeoutMs: 8000, consultTimeoutMs: 30_000 },
      callerHeld: false,
    });
  });

  it('the caller\u2019s hold (read from its call) rides along, so a take-back knows to resume it', () => {
    const blind = blindTransferRequestSchema.parse({ callId: 'C', target: { kind: 'number', number: '2001' } });
    const attended = attendedTransferRequestSchema.parse({ callId: 'C', target: { kind: 'number', number: '2001' } });
    const held = { ...ctx, callerHeld: true };
    expect(blindRequestEvent(blind, held)).toMatchObject({ type: 'request.blind', callerHeld: true });
    expect(attendedRequestEvent(attended, held)).toMatchObject({ type: 'request.attended', callerHeld: true });
    // The machine starts out holding the caller (and still asks for the hold: the executor answers at once).
    const event = blindRequestEvent(blind, { ...held, prefs: { ...held.prefs, undoWindowSec: 0 } });
    const out = transition(new Harness().state, event);
    expect(out.state.transfer).toMatchObject({ holdsCaller: true, afterHold: 'dialConsult', supervised: true });
    expect(out.effects.map((e) => e.type)).toEqual(['history.transferStep', 'call.hold', 'history.transferStep', 'timer.start']);
  });

  it('blind: a target that cannot be dialled is a typed invalid-target', () => {
    const req = blindTransferRequestSchema.parse({ callId: 'C', target: { kind: 'number', number: '+0123' } });
    expect(() => blindRequestEvent(req, ctx)).toThrow(ConsoleError);
    try {
      blindRequestEvent(req, ctx);
    } catch (error) {
      expect((error as ConsoleError).code).toBe('invalid-target');
    }
  });

  it('attended to a target: dials a consult', () => {
    const req = attendedTransferRequestSchema.parse({ callId: 'C', target: { kind: 'colleague', name: 'Bob', address: 'sip:bob@pbx.test' } });
    const event = attendedRequestEvent(req, ctx);
    expect(event).toMatchObject({ type: 'request.attended', target: { kind: 'colleague', label: 'Bob', uri: 'sip:bob@pbx.test' } });
    expect(transition(new Harness().state, event).state.phase).toBe('pending');
  });

  it('attended to an existing call: the consult is that call, the target its dialog\u2019s URI', () => {
    const req = attendedTransferRequestSchema.parse({ callId: 'C', consultCallId: 'K' });
    const event = attendedRequestEvent(req, ctx, { dialog: CONSULT_DIALOG, label: 'Bob' });
    expect(event).toEqual({
      type: 'request.attended',
      at: 1000,
      transferId: 'T1',
      options: { safe: true, undoMs: 3000, referTimeoutMs: 30_000, completeTimeoutMs: 8000, consultTimeoutMs: 30_000 },
      callerHeld: false,
      target: { kind: 'uri', label: 'Bob', uri: 'sip:2001@pbx.test' },
      existing: { callId: 'K', dialog: CONSULT_DIALOG },
    });
  });

  it('attended to a call that is gone: typed not-found', () => {
    const req = attendedTransferRequestSchema.parse({ callId: 'C', consultCallId: 'K' });
    expect(() => attendedRequestEvent(req, ctx)).toThrow(/not an answered call/);
  });

  it('intents map one to one', () => {
    expect(['complete', 'cancel', 'swap', 'undo'].map((i) => intentEvent(i as 'undo', 5).type)).toEqual([
      'agent.complete',
      'agent.cancel',
      'agent.swap',
      'agent.undo',
    ]);
  });
});

describe('machine refusals → typed IPC errors', () => {
  it('undo after send is not-allowed with a sentence the agent understands', () => {
    const h = new Harness();
    h.feed(h.s.blind(SAFE));
    let error: ConsoleError | null = null;
    try {
      h.feed(intentEvent('undo', h.s.now + 1));
    } catch (e) {
      error = refusalToConsoleError(e);
    }
    expect(error).toBeInstanceOf(ConsoleError);
    expect(error?.code).toBe('not-allowed');
    expect(error?.message).toBe('The transfer was already sent and can no longer be undone.');
  });

  it('a second transfer on the same call is busy', () => {
    const h = new Harness();
    h.feed(h.s.blind(SAFE));
    try {
      h.feed(h.s.attended(SAFE));
      expect.unreachable();
    } catch (e) {
      expect(refusalToConsoleError(e).code).toBe('busy');
    }
  });

  it('anything that is not a refusal is re-thrown (a bug, not an agent error)', () => {
    const bug = new TypeError('boom');
    expect(() => refusalToConsoleError(bug)).toThrow(bug);
  });
});
