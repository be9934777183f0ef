/** calls:* → the call service. Validation already happened in the router (contract schemas). */
import { contract } from '../../preload/contract';
import type { CallService } from '../calls/call/service';
import type { Router } from './router';

export function registerCallHandlers(router: Router, calls: CallService): void {
  const c = contract.calls;
  router.handle(c.list, () => calls.list());
  router.handle(c.dial, ({ target }) => calls.dial(target));
  router.handle(c.answer, ({ callId }) => (calls.answer(callId), null));
  router.handle(c.decline, ({ callId, code }) => (calls.decline(callId, code), null));
  router.handle(c.hangup, ({ callId }) => (calls.hangup(callId), null));
  router.handle(c.hold, ({ callId }) => (calls.hold(callId), null));
  router.handle(c.unhold, ({ callId }) => (calls.unhold(callId), null));
  router.handle(c.mute, ({ callId }) => (calls.mute(callId), null));
  router.handle(c.unmute, ({ callId }) => (calls.unmute(callId), null));
  router.handle(c.dtmf, ({ callId, tones }) => (calls.dtmf(callId, tones), null));
  router.handle(c.swap, ({ callId }) => (calls.swap(callId), null));
}
