/** The calls:* channels → the call service. Validation already happened in the router (contract schemas). */
import { contract } from '../../../preload/contract';
import type { Router } from '../../ipc/router';
import type { CallService } from './service';

export function registerCallHandlers(router: Router, service: CallService): void {
  const c = contract.calls;
  router.handle(c.list, () => service.list());
  router.handle(c.dial, ({ target }) => service.dial(target));
  router.handle(c.answer, ({ callId }) => (service.answer(callId), null));
  router.handle(c.decline, ({ callId, code }) => (service.decline(callId, code), null));
  router.handle(c.hangup, ({ callId }) => (service.hangup(callId), null));
  router.handle(c.hold, ({ callId }) => (service.hold(callId), null));
  router.handle(c.unhold, ({ callId }) => (service.unhold(callId), null));
  router.handle(c.mute, ({ callId }) => (service.mute(callId), null));
  router.handle(c.unmute, ({ callId }) => (service.unmute(callId), null));
  router.handle(c.dtmf, ({ callId, tones }) => (service.dtmf(callId, tones), null));
  router.handle(c.swap, ({ callId }) => (service.swap(callId), null));
}
