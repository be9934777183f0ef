/**
 * The shared test doubles of test/support/ behave as their tests assume: a
 * fake that is wrong makes every test built on it prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { contract } from '../../../preload/contract';
import { createRouter } from '../../../main/ipc/router';
import { silentLogger } from '../../../main/logging/logger';
import { fakeTelephony, type FakeLeg } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';
import { seededRandom } from '../../support/random';
import { fakeUiTransport, uiSender } from '../../support/ui-transport';
import { until } from '../../support/until';

describe('until', () => {
  it('resolves with the first truthy value, sync or async', async () => {
    let n = 0;
    await expect(until(() => ++n >= 3 && n, { intervalMs: 1 })).resolves.toBe(3);
    await expect(until(async () => 'ready')).resolves.toBe('ready');
  });

  it('times out saying what it waited for and what it saw', async () => {
    await expect(until(() => false, { timeoutMs: 20, intervalMs: 5, what: 'the moon', detail: () => 'sky empty' })).rejects.toThrow(
      'timed out (20 ms) waiting for the moon; sky empty',
    );
  });

  it('checks inside each wake-up, so a state that lasts one event is still seen', async () => {
    const listeners = new Set<() => void>();
    let state = 'idle';
    const seen = until(() => state === 'ringing' && state, { intervalMs: 10_000, wake: (check) => (listeners.add(check), () => listeners.delete(check)) });
    for (const next of ['ringing', 'established']) {
      state = next;
      for (const l of [...listeners]) l();
    }
    await expect(seen).resolves.toBe('ringing');
    expect(listeners.size).toBe(0);
  });

  it('passes on what the condition throws', async () => {
    await expect(
      until(() => {
        throw new Error('broken');
      }),
    ).rejects.toThrow('broken');
  });
});

describe('FakeClock', () => {
  it('fires due timers in due order, each at its due time; cancelled ones never', () => {
    const clock = new FakeClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    const cancel = clock.setTimeout(() => fired.push('never'), 50);
    cancel();
    expect(clock.pending).toBe(2);
    clock.advance(150);
    expect(fired).toEqual(['a@1100']);
    expect(clock.now()).toBe(1_150);
    clock.advance(100);
    expect(fired).toEqual(['a@1100', 'b@1200']);
    expect(clock.now()).toBe(1_250);
    expect(clock.pending).toBe(0);
  });

  it('fires a timer set by a firing one when it is due within the same advance', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 10);
    }, 10);
    clock.advance(30);
    expect(fired).toEqual([10, 20]);
    expect(clock.now()).toBe(30);
  });

  it('runAll() fires everything at its own time and stops a timer that re-arms forever', () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    clock.setTimeout(() => at.push(clock.now()), 5_000);
    clock.setTimeout(() => at.push(clock.now()), 100);
    clock.runAll();
    expect(at).toEqual([100, 5_000]);
    const again = () => void clock.setTimeout(again, 1);
    again();
    expect(() => clock.runAll(50)).toThrow(/re-arms forever/);
  });
});

describe('fake call legs', () => {
  it('record commands, reach a test trace, and deliver events until disposed', () => {
    const trace: string[] = [];
    const t = fakeTelephony({ onCommand: (c, leg) => trace.push(`${c} ${leg.id}`) });
    let offered: FakeLeg | null = null;
    t.telephony.onIncoming((leg) => (offered = leg as FakeLeg));
    const a = t.ring('a', { replaces: 'x' });
    expect(offered).toBe(a);
    expect(a).toMatchObject({ direction: 'incoming', replaces: 'x', remote: { number: 'a', uri: 'sip:a@lab.test' } });
    a.answer();
    a.decline(486);
    a.dtmf('5', 'info');
    const out = t.telephony.dial('sip:2001@lab.test', { number: '2001', uri: 'sip:2001@lab.test', displayName: null }) as FakeLeg;
    out.hold();
    expect(a.commands).toEqual(['answer', 'decline 486', 'dtmf 5 info']);
    expect(trace).toEqual(['answer a', 'decline 486 a', 'dtmf 5 info a', 'hold out1']);
    const events: string[] = [];
    a.onEvent((e) => events.push(e.type));
    a.emit({ type: 'sip.accepted' });
    a.dispose();
    a.emit({ type: 'sip.accepted' });
    expect(events).toEqual(['sip.accepted']);
    expect(a.disposed).toBe(true);
  });
});

describe('fakeUiTransport', () => {
  it('invokes through the router as the UI page and records pushes', async () => {
    const ui = fakeUiTransport();
    const router = createRouter(ui.transport, { uiUrl: () => uiSender().frameUrl, log: silentLogger });
    router.handle(contract.app.dismissNotice, () => null);
    expect(await ui.invoke('app:dismiss-notice', 'n1')).toEqual({ ok: true, value: null });
    expect(await ui.invoke('app:dismiss-notice', 'n1', { ...uiSender(), isMainFrame: false })).toMatchObject({ ok: false, code: 'untrusted-sender' });
    expect(() => ui.invoke('app:notices')).toThrow('app:notices not handled');
    const notice = { id: 'n1', level: 'info' as const, message: 'hello', at: 1 };
    const pushed = ui.until(() => ui.pushed('app:notice').length > 0, { intervalMs: 10_000 });
    router.push(contract.app.noticeAdded, notice);
    await expect(pushed).resolves.toBe(true);
    expect(ui.pushes).toEqual([{ channel: 'app:notice', payload: notice }]);
  });
});

describe('seededRandom', () => {
  it('replays the same numbers from the same seed, in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(8)()).not.toBe(xs[0]);
  });
});
