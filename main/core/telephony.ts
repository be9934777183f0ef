/**
 * Telephony assembled: the media client (peer-connection proxy) over the media
 * host link, the SIP line for the configured account and the call service.
 * startCore calls this once; the account being saved or removed restarts only
 * the line, never the service, so calls in the list keep their history and a
 * UI reload touches nothing here.
 */
import { readFileSync } from 'node:fs';
import { contract, type LineStatus, type Notice } from '../../preload/contract';
import { createCallService, type CallService } from '../calls/call/service';
import type { CallAlerts, CallRecorder } from '../calls/call/ports';
import type { Router } from '../ipc/router';
import type { Logger } from '../logging/logger';
import type { MediaHostLink } from '../media/link';
import { offerProblem } from '../media/offer-check';
import { createMediaClient, type MediaClient } from '../media/proxy';
import type { SettingsStore } from '../settings/store';
import { createHoldMusicPort } from '../sip/hold-music';
import { createLine, type Line, type LineOptions } from '../sip/line';
import { LineAccountError } from '../sip/line-account';
import type { SessionRegistry } from '../sip/sessions';

export interface TelephonyOptions {
  router: Router;
  settings: SettingsStore;
  /** The hidden media host; without it the line is not started (no audio = no calls). */
  media: MediaHostLink | undefined;
  recorder: CallRecorder;
  /** Where the line registers its SIP sessions; shared with the transfer backend. */
  sessions: SessionRegistry;
  log: Logger;
  now: () => number;
  notice: (level: Notice['level'], message: string) => void;
  /** The desktop shell's call notifications (main/desktop/notifications.ts), once it is attached; absent headless. */
  shellAlerts?: () => Pick<CallAlerts, 'incoming' | 'dismiss' | 'missed'> | null;
  /** Overrides for tests and the lab (time-outs, back-off), and `caFile`: a PEM file of a private CA for wss://. */
  line?: Partial<Omit<LineOptions, 'log' | 'media' | 'now'>> & { caFile?: string };
}

export interface TelephonyCore {
  readonly calls: CallService;
  readonly media: MediaClient | null;
  line(): Line | null;
  lineStatus(): LineStatus;
  /** Every line status as it is published (the tray follows it); returns the unsubscribe. */
  onLineStatus(listener: (status: LineStatus) => void): () => void;
  /** line:reconnect — register again now, or start a line that is not running. */
  reconnect(): LineStatus;
  /** The account was saved or removed: restart the line with the new settings. */
  accountChanged(): Promise<void>;
  stop(): Promise<void>;
}

export function startTelephony(o: TelephonyOptions): TelephonyCore {
  const log = o.log;
  const media = o.media ? createMediaClient(o.media, { log: log.scope('media') }) : null;
  const restoreGlobals = media?.installGlobals() ?? null;

  const calls = createCallService({
    recorder: o.recorder,
    alerts: {
      ringer(mode) {
        if (!media) return;
        void (mode === 'off' ? media.stopRinging() : media.startRinging(mode)).catch((e: unknown) =>
          log.warn('calls: ringer failed', { mode, error: String(e) }),
        );
      },
      incoming: (callId, remote, volume) => {
        log.info('calls: incoming', { callId, from: remote.uri });
        o.shellAlerts?.()?.incoming(callId, remote, volume);
      },
      dismiss: (callId) => o.shellAlerts?.()?.dismiss(callId),
      // A missed call is the history's (its unseen-missed count on the tab), not a notice that piles up;
      // the desktop shell may still tell an agent who is away from the window.
      missed: (callId, remote) => o.shellAlerts?.()?.missed(callId, remote),
      problem: (_callId, message) => o.notice('warning', message),
    },
    music: createHoldMusicPort(media, o.sessions),
    clock: {
      now: o.now,
      setTimeout(fn, ms) {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
    },
    preferences: () => o.settings.file().preferences.calls,
    publish: (list) => o.router.push(contract.calls.changed, list),
    log: log.scope('calls'),
  });
  const offGone = media?.onGone((reason) => calls.mediaGone(reason)) ?? (() => {});

  let line: Line | null = null;
  let detach: (() => void) | null = null;
  let offStatus: (() => void) | null = null;
  let status: LineStatus = { state: 'unconfigured', aor: null, reason: null, since: o.now() };
  const statusListeners = new Set<(status: LineStatus) => void>();
  const publishStatus = (next: LineStatus) => {
    status = next;
    o.router.push(contract.line.changed, status);
    for (const l of [...statusListeners]) l(status);
  };

  /** A line that is not running: pushed only when it differs from what the UI has (no push at start-up). */
  const idle = (state: 'unconfigured' | 'unregistered', aor: string | null, push: boolean) => {
    if (status.state === state && status.aor === aor && status.reason === null) return;
    const next: LineStatus = { state, aor, reason: null, since: o.now() };
    if (push) publishStatus(next);
    else status = next;
  };

  /**
   * A stored account the SIP stack cannot take (an older console's file, one edited by hand):
   * the line fails with the reason and the console runs on, so the agent can fix it in Settings.
   */
  const cannotStart = (aor: string, reason: NonNullable<LineStatus['reason']>, push: boolean) => {
    const next: LineStatus = { state: 'failed', aor, reason, since: o.now() };
    if (push) publishStatus(next);
    else status = next;
  };

  const startLine = (push: boolean) => {
    const account = o.settings.file().account;
    if (!account) return idle('unconfigured', null, push);
    if (!media) {
      log.warn('sip: no media host link; the line is not started');
      return idle('unregistered', account.sipUri, push);
    }
    const audio = () => o.settings.file().preferences.audio;
    const { caFile: coreCaFile, ...lineOptions } = o.line ?? {};
    // The admin's account setting wins over the core option (lab/tests); a file that vanished
    // after it was saved fails the line with reason 'tls' naming the file, never a crash.
    const caFile = account.caFile ?? coreCaFile;
    let ca: string | undefined;
    if (caFile) {
      try {
        ca = readFileSync(caFile, 'utf8');
      } catch (e) {
        publishStatus({
          state: 'failed',
          aor: account.sipUri,
          reason: { code: 'tls', message: `The CA certificate file ${caFile} could not be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).` },
          since: o.now(),
        });
        return;
      }
    }
    let created: Line;
    try {
      created = createLine(
        {
          wsUrl: account.wsUrl,
          sipUri: account.sipUri,
          authorizationUser: account.authorizationUser,
          password: o.settings.password(),
          displayName: account.displayName,
          acceptSelfSigned: account.acceptSelfSigned,
          ca,
        },
        {
          ...lineOptions,
          sessions: o.sessions,
          log: log.scope('sip'),
          now: o.now,
          media: {
            microphone: () =>
              media.acquireMicrophone({
                deviceId: audio().inputDeviceId,
                echoCancellation: audio().echoCancellation,
                noiseSuppression: audio().noiseSuppression,
                autoGainControl: audio().autoGainControl,
              }) as unknown as Promise<MediaStream>,
            release: (stream) => media.releaseStream(stream as never),
            // Chromium in the media host would refuse it only once the agent answers: refuse it before it rings.
            offerProblem,
          },
        },
      );
    } catch (e) {
      const reason =
        e instanceof LineAccountError
          ? e.reason
          : { code: 'server-error' as const, message: `The SIP line could not be started (${String(e)}). Check the account in Settings → Account.` };
      log.warn('sip: the stored account cannot start a line', { code: reason.code, error: String(e) });
      return cannotStart(account.sipUri, reason, push);
    }
    line = created;
    offStatus = line.onStatus(publishStatus);
    detach = calls.attach(line);
    line.start();
  };
  const stopLine = async () => {
    const current = line;
    line = null;
    detach?.();
    offStatus?.();
    detach = offStatus = null;
    if (current) await current.stop();
  };

  startLine(false);

  let stopped = false;
  return {
    calls,
    media,
    line: () => line,
    lineStatus: () => status,
    onLineStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    reconnect() {
      if (line) line.reconnect();
      else startLine(true);
      return status;
    },
    async accountChanged() {
      await stopLine();
      startLine(true);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      statusListeners.clear();
      calls.dispose();
      await stopLine();
      offGone();
      media?.dispose();
      restoreGlobals?.();
    },
  };
}
