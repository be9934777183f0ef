/**
 * Routing across the agent's transfers: which machine an event from a call
 * belongs to, and which calls may start a transfer (one per call at a time,
 * counting a call that is another transfer's consult).
 */
import { describe, expect, it } from 'vitest';
import { consultOwner, routesFor, transferBlocker } from '../../../main/calls/transfer/book';
import { createTransferState } from '../../../main/calls/transfer/machine';
import { CALLER, CONSULT, Harness, SAFE } from './transfer-fixtures';

function consultingHarness() {
  const h = new Harness();
  for (const e of [h.s.attended(SAFE), h.s.held(), h.s.consultStarted(), h.s.consultAnswered()]) h.feed(e);
  return h;
}

describe('transfer book', () => {
  it('routes a consult call\u2019s events to the caller\u2019s machine and its own', () => {
    const c = consultingHarness().state;
    const k = createTransferState(CONSULT);
    const routes = routesFor([c, k], CONSULT);
    expect(routes.asConsult).toBe(c);
    expect(routes.asCaller).toBe(k);
    expect(routesFor([c, k], CALLER)).toEqual({ asCaller: c, asConsult: undefined });
    expect(consultOwner([c, k], CONSULT)).toBe(c);
    expect(consultOwner([c, k], 'X')).toBeUndefined();
  });

  it('a consult id is only routed while the transfer holds it (not after cancel)', () => {
    const h = consultingHarness();
    h.feed(h.s.agent('agent.cancel'));
    expect(routesFor([h.state], CONSULT).asConsult).toBeUndefined();
  });

  it('while the consult waits for the caller\u2019s hold, or is dialled without an id yet, nothing is routed to it', () => {
    const h = new Harness();
    h.feed(h.s.attended(SAFE));
    expect(routesFor([h.state], CONSULT).asConsult).toBeUndefined();
    expect(transferBlocker([h.state], CALLER)).toBe('this call already has a transfer under way');
    h.feed(h.s.held());
    expect(routesFor([h.state], CONSULT).asConsult).toBeUndefined();
    h.feed(h.s.consultStarted());
    expect(routesFor([h.state], CONSULT).asConsult).toBe(h.state);
  });

  it('one transfer per call: the caller and its consult may not start another; free calls may', () => {
    const c = consultingHarness().state;
    const k = createTransferState(CONSULT);
    const other = createTransferState('X');
    expect(transferBlocker([c, k, other], CALLER)).toBe('this call already has a transfer under way');
    expect(transferBlocker([c, k, other], CONSULT)).toBe('this call is the consult of another transfer');
    expect(transferBlocker([c, k, other], 'X')).toBeNull();
    expect(transferBlocker([c, k, other], 'X', CONSULT)).toBe('the other call is the consult of another transfer');
    expect(transferBlocker([c, k, other], 'X', CALLER)).toBe('the other call already has a transfer under way');
  });

  it('a call whose transfer completed (done) cannot start another', () => {
    const h = new Harness();
    for (const e of [h.s.blind(SAFE), h.s.held(), h.s.consultStarted(), h.s.consultAnswered(), h.s.notify(200), h.s.consultEnded()]) h.feed(e);
    expect(h.phase).toBe('done');
    expect(transferBlocker([h.state], CALLER)).toBe('this call has ended');
  });

  it('after a failed transfer (idle with a reason) the call may try again', () => {
    const h = new Harness();
    for (const e of [h.s.blind(SAFE), h.s.held(), h.s.consultStarted(), h.s.consultFailed(486)]) h.feed(e);
    expect(h.phase).toBe('idle');
    expect(transferBlocker([h.state], CALLER)).toBeNull();
  });
});
