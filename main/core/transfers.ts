/**
 * Transfers assembled: the transfer service (main/calls/transfer/service.ts)
 * over the call service's events and the SIP transfer backend
 * (main/sip/transfer-backend.ts). A platform backend plugs in here instead
 * of the SIP one; the machine and the service do not change.
 */
import { contract } from '../../preload/contract';
import type { CallService } from '../calls/call/service';
import type { TransferBackend } from '../calls/transfer/backend';
import { createTransferService, type TransferService, type TransferStepRecord } from '../calls/transfer/service';
import type { Router } from '../ipc/router';
import type { Logger } from '../logging/logger';
import type { MediaClient } from '../media/proxy';
import type { SettingsStore } from '../settings/store';

export interface TransfersOptions {
  router: Router;
  calls: CallService;
  backend: TransferBackend;
  media: MediaClient | null;
  settings: SettingsStore;
  recorder: { transferStep(e: TransferStepRecord): void } | null;
  domain: () => string | null;
  now: () => number;
  log: Logger;
}

export interface Transfers {
  readonly service: TransferService;
  stop(): void;
}

export function startTransfers(o: TransfersOptions): Transfers {
  const service = createTransferService({
    calls: o.calls,
    backend: o.backend,
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
    cue: () => void o.media?.playCue().catch((e: unknown) => o.log.warn('transfer: cue not played', { error: String(e) })),
    log: o.log,
  });
  return {
    service,
    stop() {
      service.dispose();
      o.backend.dispose();
    },
  };
}
