/**
 * The agent status service over a fake clock: the wrap-up timer ends the
 * wrap-up at its time, an extension moves it, ending early cancels it (no
 * timer left behind), the history gets one period per status, the platform
 * gets each status (its failure is shown, a late answer is ignored), and an
 * intent the machine refuses is a typed `not-allowed`.
 */
import { describe, expect, it, vi } from 'vitest';
import { createAgentService, type AgentPlatform } from '../../../main/agent/service';
import { silentLogger } from '../../../main/logging/logger';
import { ConsoleError } from '../../../preload/contract';
import { FakeClock } from '../../support/clock';

function setup(o: { wrapUpSec?: number; wrapUpExtendSec?: number; platform?: AgentPlatform; failingRecorder?: boolean } = {}) {
  const clock = new FakeClock(100_000);
  const records: string[] = [];
  const published = vi.fn();
  const times = { wrapUpSec: o.wrapUpSec ?? 30, wrapUpExtendSec: o.wrapUpExtendSec ?? 20 };
  const service = createAgentService({
    clock,
    times: () => times,
    recorder: {
      agentStatusStarted: (e) => {
        if (o.failingRecorder) throw new ConsoleError('storage', 'disk full');
        records.push(`${e.status} (${e.cause}) @${e.at}`);
      },
      agentWrapUpExtended: (e) => records.push(`extended to @${e.endsAt}`),
      agentStatusEnded: (at) => records.push(`end @${at}`),
    },
    platform: o.platform ?? (async () => 'none'),
    publish: published,
    log: silentLogger,
  });
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return { clock, service, records, published, times, settle };
}

describe('agent status service', () => {
  it('records the first period at start, then wrap-up after the last call and available when its time is up', () => {
    const h = setup();
    expect(h.records).toEqual(['available (start) @100000']);
    h.service.callAnswered();
    h.clock.advance(60_000);
    h.service.callEnded(true, 0);
    expect(h.service.state()).toMatchObject({ status: 'wrap-up', wrapUp: { endsAt: 190_000 } });
    expect(h.service.counters().timers).toBe(1);
    h.clock.advance(29_999);
    expect(h.service.state().status).toBe('wrap-up');
    h.clock.advance(1);
    expect(h.service.state()).toMatchObject({ status: 'available', since: 190_000, wrapUp: null });
    expect(h.service.counters().timers).toBe(0);
    expect(h.clock.pending).toBe(0);
    expect(h.records).toEqual(['available (start) @100000', 'wrap-up (call-ended) @160000', 'available (wrap-up-over) @190000']);
    expect(h.published).toHaveBeenCalledTimes(2);
  });

  it('extend adds the configured time to the end; the old timer no longer fires', () => {
    const h = setup();
    h.service.callEnded(true, 0); // ends at 130_000
    h.clock.advance(10_000);
    h.service.extendWrapUp(); // + 20 s
    expect(h.service.state().wrapUp).toMatchObject({ endsAt: 150_000, extensions: 1 });
    expect(h.clock.pending).toBe(1);
    h.clock.advance(20_000); // past the original end
    expect(h.service.state().status).toBe('wrap-up');
    h.clock.advance(20_000);
    expect(h.service.state().status).toBe('available');
    expect(h.records).toContain('extended to @150000');
  });

  it('ending a wrap-up early (or going away) cancels its timer', () => {
    const h = setup();
    h.service.callEnded(true, 0);
    h.service.endWrapUp();
    expect(h.service.state().status).toBe('available');
    expect(h.clock.pending).toBe(0);
    h.service.set('wrap-up');
    expect(h.clock.pending).toBe(1);
    h.service.set('away');
    expect(h.clock.pending).toBe(0);
    expect(h.service.state().status).toBe('away');
  });

  it('a wrap-up the agent chooses lasts one extension when no after-call time is configured', () => {
    const h = setup({ wrapUpSec: 0, wrapUpExtendSec: 45 });
    h.service.callEnded(true, 0);
    expect(h.service.state().status).toBe('available');
    h.service.set('wrap-up');
    expect(h.service.state().wrapUp).toMatchObject({ endsAt: 145_000, cause: 'agent' });
  });

  it('a refused intent is `not-allowed` with the reason', () => {
    const h = setup();
    let error: unknown;
    try {
      h.service.extendWrapUp();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConsoleError);
    expect(error).toMatchObject({ code: 'not-allowed', message: 'Only a wrap-up can be extended.' });
    expect(() => h.service.endWrapUp()).toThrow('There is no wrap-up to end.');
  });

  it('hands each status to the platform: pending, then synced or the failure; an older answer arriving late is ignored', async () => {
    const answers: Array<{ status: string; resolve: (v: 'synced') => void; reject: (e: Error) => void }> = [];
    const h = setup({ platform: (status) => new Promise((resolve, reject) => answers.push({ status, resolve, reject })) });
    expect(h.service.platform().state).toBe('none');
    h.service.set('away');
    expect(h.service.platform().state).toBe('pending');
    h.service.set('available');
    answers[1]!.resolve('synced');
    await h.settle();
    expect(h.service.platform()).toEqual({ state: 'synced', message: null });
    answers[0]!.reject(new Error('too late'));
    await h.settle();
    expect(h.service.platform()).toEqual({ state: 'synced', message: null });
    h.service.set('away');
    answers[2]!.reject(new Error('The platform says no'));
    await h.settle();
    expect(h.service.platform()).toEqual({ state: 'failed', message: 'The platform says no' });
    expect(answers.map((a) => a.status)).toEqual(['away', 'available', 'away']);
  });

  it('a history that cannot write does not stop the status from changing', () => {
    const h = setup({ failingRecorder: true });
    h.service.set('away');
    expect(h.service.state().status).toBe('away');
  });

  it('dispose cancels the timer, closes the open period once, and ignores later facts', () => {
    const h = setup();
    h.service.callEnded(true, 0);
    h.service.dispose();
    h.service.dispose();
    expect(h.clock.pending).toBe(0);
    expect(h.records.filter((r) => r.startsWith('end'))).toEqual(['end @100000']);
    h.service.callAnswered();
    expect(h.service.state().status).toBe('wrap-up');
  });
});
