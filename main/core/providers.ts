/**
 * The live target providers, built from the settings on demand
 * (main/core/targets.ts asks). Each is given only what it needs: the VoIPBIN
 * provider a REST client with the sealed credentials, the extension's SIP
 * domain, and a way to find the platform's id of one of our calls; the SIP
 * provider the running line (a new line — the account saved — restarts it).
 */
import type { CallService } from '../calls/call/service';
import type { Logger } from '../logging/logger';
import { createVoipbinClient, type VoipbinAuth } from '../platform/voipbin/client';
import { findPlatformCall } from '../platform/voipbin/call-match';
import { createVoipbinProvider } from '../platform/voipbin/provider';
import type { SettingsStore } from '../settings/store';
import type { Line } from '../sip/line';
import { createSipPresenceProvider } from '../sip/presence';
import type { ProviderFactory } from './targets';

export interface ProviderDeps {
  settings: SettingsStore;
  calls: CallService;
  /** The running SIP line; null without an account (or before the media host is up). */
  line: () => Line | null;
  now: () => number;
  log: Logger;
  /** A refusal the agent must read (e.g. a role that cannot transfer). */
  tell: (message: string) => void;
}

const userOf = (sipUri: string) => /^sips?:([^@;]+)@/.exec(sipUri)?.[1] ?? null;
const domainOf = (sipUri: string) => /@([^;:>]+)/.exec(sipUri)?.[1] ?? null;

export function providerFactory(d: ProviderDeps): ProviderFactory {
  return (kind) => {
    if (kind === 'sip') {
      const line = d.line();
      if (!line) return { unavailable: 'Set up the SIP account first: colleagues\u2019 presence comes from its server.' };
      return createSipPresenceProvider(line, d.settings.file().preferences.targets, { log: d.log, now: d.now });
    }
    const p = d.settings.file().provider;
    if (p.kind !== 'voipbin') return { unavailable: 'VoIPBIN is not set up.' };
    const secret = d.settings.providerSecret();
    if (!secret) return { unavailable: `Enter the VoIPBIN ${p.method === 'password' ? 'password' : 'access key'} in Settings.` };
    const account = d.settings.file().account;
    const domain = account ? domainOf(account.sipUri) : null;
    const extension = account ? userOf(account.sipUri) : null;
    if (!domain || !extension) return { unavailable: 'Set up the SIP account of your VoIPBIN extension first: calls and transfers go through it.' };
    const auth: VoipbinAuth = p.method === 'password' ? { kind: 'login', username: p.username ?? '', password: secret } : { kind: 'accesskey', key: secret };
    // The REST paths live under /v1.0 of the API's origin; an address given with it is the same server.
    const client = createVoipbinClient({ baseUrl: p.apiUrl.replace(/\/v1\.0\/?$/, ''), auth });
    const queueAddresses = Object.fromEntries(d.settings.file().preferences.targets.queues.map((q) => [q.name, q.address]));
    const provider = createVoipbinProvider({
      client,
      clock: {
        now: d.now,
        setTimeout(fn, ms) {
          const t = setTimeout(fn, ms);
          t.unref?.();
          return () => clearTimeout(t);
        },
      },
      log: d.log,
      sipDomain: domain,
      queueAddresses,
      platformCallId: async (callId) => {
        const c = d.calls.state(callId);
        if (!c || c.answeredAt === null) return null;
        return findPlatformCall(client, { direction: c.direction, extension, remote: c.remote.number || null, answeredAt: c.answeredAt });
      },
    });
    provider.transferBackend.onRefusal((_callId, message) => d.tell(message));
    return provider;
  };
}
