/**
 * Transfers assembled (issue 5): the transfer service (main/calls/transfer/service.ts)
 * over the call service and the SIP transfer port, its IPC channels
 * (transfer:*), and the two places it must sit in front of the calls' own
 * channels — without touching the call service:
 *  - it watches `calls:changed` (every full snapshot list the call service
 *    pushes) to learn a consult's progress and a leg's end;
 *  - it sees `calls:hangup` first: hanging up a live consult COMPLETES the
 *    transfer (the seed: "the transfer completes when the transferer hangs up"),
 *    so the call service must not simply BYE it.
 * `watchCalls(router)` gives the router startTelephony should use for that.
 */
import { contract, type CallSnapshot, type RequestChannel } from '../../preload/contract';
import type { CallService } from '../calls/call/service';
import { createTransferService, type TransferService } from '../calls/transfer/service';
import type { TransferStepEvent } from '../history/recorder';
import type { Router } from '../ipc/router';
import type { Logger } from '../logging/logger';
import type { MediaClient } from '../media/proxy';
import type { SettingsStore } from '../settings/store';
import { createSipTransferPort } from '../sip/refer-port';

export interface CallsWatch {
  /** The router to give startTelephony: same channels, observed. */
  readonly router: Router;
  onChanged(listener: (calls: CallSnapshot[]) => void): () => void;
  /** Who may take a `calls:hangup` before the call service does (returns true when taken). */
  interceptHangup(fn: ((callId: string) => boolean) | null): void;
}

export function watchCalls(router: Router): CallsWatch {
  const listeners = new Set<(calls: CallSnapshot[]) => void>();
  let interceptor: ((callId: string) => boolean) | null = null;
  const watched: Router = {
    handle(channel, handler) {
      if ((channel as RequestChannel) !== contract.calls.hangup) return router.handle(channel, handler);
      const hangup = contract.calls.hangup;
      router.handle(hangup, (input) => {
        if (interceptor?.(input.callId)) return null;
        return (handler as unknown as (i: typeof input) => null)(input);
      });
    },
    push(channel, payload) {
      router.push(channel, payload);
      if (channel.name === contract.calls.changed.name) {
        for (const l of [...listeners]) l(payload as CallSnapshot[]);
      }
    },
    dispose: () => router.dispose(),
  };
  return {
    router: watched,
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    interceptHangup(fn) {
      interceptor = fn;
    },
  };
}

export interface TransfersOptions {
  router: Router;
  watch: CallsWatch;
  calls: CallService;
  media: MediaClient | null;
  settings: SettingsStore;
  recorder: { transferStep(e: TransferStepEvent): void } | null;
  domain: () => string | null;
  now: () => number;
  log: Logger;
  notice?: (message: string) => void;
}

export interface Transfers {
  readonly service: TransferService;
  stop(): void;
}

export function startTransfers(o: TransfersOptions): Transfers {
  const sip = createSipTransferPort({ media: o.media, log: o.log });
  const service = createTransferService({
    calls: {
      list: () => o.calls.list(),
      onChanged: (l) => o.watch.onChanged(l),
      hold: (id) => o.calls.hold(id),
      unhold: (id) => o.calls.unhold(id),
      swap: (id) => o.calls.swap(id),
      hangup: (id) => o.calls.hangup(id),
      answer: (id) => o.calls.answer(id),
      decline: (id, code) => o.calls.decline(id, code),
      dial: (target) => o.calls.dial(target),
    },
    sip,
    clock: {
      now: o.now,
      setTimeout(fn, ms) {
        // Never keeps the process alive on its own: every transfer timer is also cancelled on each end path.
        const t = setTimeout(fn, ms);
        t.unref?.();
        return () => clearTimeout(t);
      },
    },
    recorder: o.recorder,
    prefs: () => o.settings.file().preferences.transfer,
    domain: o.domain,
    publish: (snapshot) => o.router.push(contract.transfer.changed, snapshot),
    ...(o.notice && { tell: (_callId: string, message: string) => o.notice!(message) }),
    log: o.log,
  });
  o.watch.interceptHangup((callId) => service.interceptHangup(callId));

  const t = contract.transfer;
  o.router.handle(t.list, () => service.list());
  o.router.handle(t.blind, (req) => service.blind(req));
  o.router.handle(t.attended, (req) => service.attended(req));
  o.router.handle(t.complete, ({ callId }) => service.intent(callId, 'complete'));
  o.router.handle(t.cancel, ({ callId }) => service.intent(callId, 'cancel'));
  o.router.handle(t.swap, ({ callId }) => service.intent(callId, 'swap'));
  o.router.handle(t.undo, ({ callId }) => service.intent(callId, 'undo'));
  o.router.handle(t.answerRefer, ({ callId, follow }) => service.answerRefer(callId, follow));

  return {
    service,
    stop() {
      o.watch.interceptHangup(null);
      service.dispose();
      sip.dispose();
    },
  };
}
