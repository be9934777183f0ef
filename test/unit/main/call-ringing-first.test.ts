/**
 * Ringing first: when an INVITE arrives, the call service pushes the ringing
 * call to the UI before it does anything the agent does not need in order to
 * see it ring — the history write, the notification, the ringer, the services
 * that follow call facts. Each of those may be slow (a disk, the OS, an RPC to
 * the media host); none may stand between the INVITE and the card.
 */
import { describe, expect, it } from 'vitest';
import { createCallService } from '../../../main/calls/call/service';
import { silentLogger } from '../../../main/logging/logger';
import { fakeTelephony } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';

function rig() {
  const order: string[] = [];
  const telephony = fakeTelephony();
  const service = createCallService({
    recorder: {
      callStarted: () => order.push('history.started'),
      callAnswered: () => order.push('history.answered'),
      callEnded: () => order.push('history.ended'),
      holdStarted: () => {},
      holdEnded: () => {},
    },
    alerts: {
      ringer: (m) => order.push(`ringer ${m}`),
      incoming: () => order.push('notify.incoming'),
      dismiss: () => order.push('notify.dismiss'),
      missed: () => order.push('notify.missed'),
      problem: () => {},
    },
    music: { set: () => Promise.resolve(null) },
    clock: new FakeClock(),
    preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
    publish: (list) => order.push(`push ${list.map((c) => `${c.id}:${c.state}`).join(' ')}`),
    log: silentLogger,
  });
  service.onFact((f) => order.push(`fact ${f.type}`));
  service.attach(telephony.telephony);
  return { order, telephony, service };
}

describe('ringing first', () => {
  it('the ringing push comes before the history write, the notification, the ringer and the facts', () => {
    const { order, telephony } = rig();
    telephony.ring('a');
    expect(order[0]).toBe('push a:ringing');
    expect(order.slice(1)).toEqual(['history.started', 'notify.incoming', 'ringer loud', 'fact arrived']);
  });

  it('a second call (call waiting) is pushed before its own history and its soft ringer', () => {
    const { order, telephony, service } = rig();
    telephony.ring('a');
    service.answer('a');
    telephony.leg('a').emit({ type: 'sip.accepted' });
    order.length = 0;
    telephony.ring('b');
    expect(order[0]).toBe('push a:established b:ringing');
    expect(order.indexOf('history.started')).toBeGreaterThan(0);
    expect(order.indexOf('notify.incoming')).toBeGreaterThan(0);
    expect(order.indexOf('ringer soft')).toBeGreaterThan(0);
  });

  it('a recorder that throws does not stop the call from ringing (it was already pushed)', () => {
    const order: string[] = [];
    const telephony = fakeTelephony();
    const service = createCallService({
      recorder: {
        callStarted: () => {
          throw new Error('disk full');
        },
        callAnswered: () => {},
        callEnded: () => {},
        holdStarted: () => {},
        holdEnded: () => {},
      },
      alerts: { ringer: (m) => order.push(`ringer ${m}`), incoming: () => order.push('notify.incoming'), dismiss: () => {}, missed: () => {}, problem: () => {} },
      music: { set: () => Promise.resolve(null) },
      clock: new FakeClock(),
      preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
      publish: (list) => order.push(`push ${list.map((c) => c.state).join(' ')}`),
      log: silentLogger,
    });
    service.attach(telephony.telephony);
    telephony.ring('a');
    expect(order).toEqual(['push ringing', 'notify.incoming', 'ringer loud']);
    expect(service.list()[0]?.allowedActions).toEqual(['answer', 'decline']);
  });
});
