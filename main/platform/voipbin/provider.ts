/**
 * The VoIPBIN target provider (main/targets/provider.ts): queues with their
 * waiting callers, longest wait and available agents, colleagues with their
 * presence, and the agent's own status — loaded from the REST API, then kept
 * live from the event websocket without reloading (a reconnect reloads, since
 * nothing says what was missed). It also carries the platform's blind
 * transfer backend (transfer-backend.ts), fed by the same socket.
 *
 * Status: the platform moves an agent to ringing and busy on its own, never
 * back to available, and has no wrap-up. The console keeps wrap-up itself and
 * sends it as `busy` by default: queue routing offers calls to available
 * agents only, so busy keeps new callers away while the agent finishes the
 * last one, and it is what the platform already shows after a call — `away`
 * would tell supervisors the agent left the desk. `wrapUpAs` can say `away`.
 */
import type { AgentStatus, ColleagueInfo, Presence, QueueInfo, TargetsView } from '../../../preload/contract/targets';
import type { Clock } from '../../calls/call/ports';
import type { Logger } from '../../logging/logger';
import type { TargetProvider } from '../../targets/provider';
import { VoipbinError, type VoipbinClient } from './client';
import { createVoipbinEvents, type EventsState, type VoipbinEvents, type VoipbinEventsOptions } from './events';
import { epochOf, type Agent, type PlatformAgentStatus, type Queue, type Queuecall, type VoipbinEvent } from './schemas';
import { createVoipbinTransferBackend, type VoipbinTransferBackend } from './transfer-backend';

export interface VoipbinProviderOptions {
  client: VoipbinClient;
  clock: Clock;
  log: Logger;
  /** The account's SIP domain, `<customer-id>.registrar.voipbin.net`: colleagues' extensions are dialled there. */
  sipDomain: string;
  /** Our call id → the platform's call id (the transfer backend's port; see call-match.ts). */
  platformCallId: (callId: string) => Promise<string | null>;
  /** What a transfer to a queue dials, by queue id or name: a VoIPBIN queue has no address of its own. */
  queueAddresses?: Record<string, string>;
  /** How the console's wrap-up is sent to the platform (default busy; see above). */
  wrapUpAs?: 'busy' | 'away';
  /** Socket tuning (tests shorten the back-off). */
  events?: Partial<Pick<VoipbinEventsOptions, 'backoff' | 'subscribeGraceMs' | 'silenceMs'>>;
  /** Delay before a failed load is tried again (doubling up to 60 s). */
  reloadMs?: number;
}

export interface VoipbinProvider extends TargetProvider {
  readonly transferBackend: VoipbinTransferBackend;
  /** The socket's state, for diagnostics and tests. */
  eventsState(): EventsState;
}

const presenceOf: Record<string, Presence> = { available: 'available', ringing: 'ringing', busy: 'busy', away: 'away', offline: 'offline' };
const stillWaiting = new Set(['initiating', 'waiting']);
const resources = ['queue', 'queuecall', 'agent', 'call', 'groupcall'] as const;

export function createVoipbinProvider(o: VoipbinProviderOptions): VoipbinProvider {
  const log = o.log;
  const wrapUpAs = o.wrapUpAs ?? 'busy';
  const changeListeners = new Set<(view: TargetsView) => void>();
  const hubEvents = new Set<(e: VoipbinEvent) => void>();
  const hubStates = new Set<(s: EventsState) => void>();

  let state: TargetsView['state'] = 'connecting';
  let reason: string | null = null;
  let updatedAt = o.clock.now();
  let me: Agent | null = null;
  let agentStatus: AgentStatus | null = null;
  const queues = new Map<string, Queue>();
  const queuecalls = new Map<string, Queuecall>();
  const agents = new Map<string, Agent>();
  let events: VoipbinEvents | null = null;
  let offSocket: (() => void)[] = [];
  let loadGeneration = 0;
  let reloadDelay = o.reloadMs ?? 2_000;
  let cancelReload: (() => void) | null = null;
  let started = false;
  let stopped = false;

  const transferBackend = createVoipbinTransferBackend({
    client: o.client,
    events: {
      onEvent: (l) => (hubEvents.add(l), () => void hubEvents.delete(l)),
      onState: (l) => (hubStates.add(l), () => void hubStates.delete(l)),
    },
    platformCallId: o.platformCallId,
    extensionDomain: o.sipDomain,
    log: log.scope('voipbin-transfer'),
  });

  // ── the view ──

  const agentAddress = (a: Agent): string => {
    const addresses = a.addresses ?? [];
    const ext = addresses.find((x) => x.type === 'extension');
    if (ext) return `sip:${ext.target_name || ext.target}@${o.sipDomain}`;
    const tel = addresses.find((x) => x.type === 'tel');
    if (tel) return tel.target;
    const sip = addresses.find((x) => x.type === 'sip');
    if (sip) return sip.target.startsWith('sip:') ? sip.target : `sip:${sip.target}`;
    return '';
  };

  const queueInfo = (q: Queue, now: number, available: Agent[]): QueueInfo => {
    const waitingIds = new Set(q.wait_queuecall_ids ?? []);
    for (const qc of queuecalls.values()) if (qc.queue_id === q.id && stillWaiting.has(qc.status ?? '')) waitingIds.add(qc.id);
    let longest: number | null = 0;
    let waiting = 0;
    for (const id of waitingIds) {
      const qc = queuecalls.get(id);
      if (qc && !stillWaiting.has(qc.status ?? '')) continue; // left the queue; the queue's own list has not caught up yet
      waiting += 1;
      const since = epochOf(qc?.tm_create);
      if (since === null) longest = null;
      else if (longest !== null) longest = Math.max(longest, Math.floor(Math.max(0, now - since) / 1000));
    }
    const tags = q.tag_ids ?? [];
    return {
      id: q.id,
      name: q.name || q.id,
      address: o.queueAddresses?.[q.id] ?? (q.name ? o.queueAddresses?.[q.name] : undefined) ?? null,
      waiting,
      longestWaitSec: waiting === 0 ? 0 : longest,
      // Queue routing offers a call to available agents carrying the queue's tags.
      availableAgents: available.filter((a) => tags.every((t) => (a.tag_ids ?? []).includes(t))).length,
    };
  };

  const compute = (): TargetsView => {
    const now = o.clock.now();
    const available = [...agents.values()].filter((a) => a.status === 'available');
    const qs = [...queues.values()].map((q) => queueInfo(q, now, available)).sort((a, b) => a.name.localeCompare(b.name));
    const colleagues: ColleagueInfo[] = [...agents.values()]
      .filter((a) => a.id !== me?.id)
      .map((a) => ({ id: a.id, name: a.name || a.username || a.id, address: agentAddress(a), presence: presenceOf[a.status ?? ''] ?? 'unknown' }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { provider: 'voipbin', state, reason, queues: qs, colleagues, agentStatus, updatedAt };
  };

  const view = (): TargetsView => {
    try {
      return compute();
    } catch (e) {
      log.error('voipbin provider: view failed', { error: String(e) });
      return { provider: 'voipbin', state: 'failed', reason: 'The VoIPBIN view could not be built; reconnect.', queues: [], colleagues: [], agentStatus, updatedAt };
    }
  };

  const changed = () => {
    if (stopped) return;
    updatedAt = o.clock.now();
    const v = view();
    for (const l of [...changeListeners]) {
      try {
        l(v);
      } catch (e) {
        log.error('voipbin provider: a change listener threw', { error: String(e) });
      }
    }
  };

  const setState = (s: TargetsView['state'], r: string | null) => {
    state = s;
    reason = r;
    changed();
  };

  /** The platform's status → the console's, keeping the console's own wrap-up while the platform shows what it was sent as. */
  const adoptStatus = (platform: string | null | undefined) => {
    if (agentStatus === 'wrap-up' && (platform === wrapUpAs || platform === 'busy')) return;
    agentStatus = platform === 'available' || platform === 'away' || platform === 'offline' ? platform : platform === 'busy' || platform === 'ringing' ? 'busy' : agentStatus;
  };

  // ── loading ──

  const scheduleReload = () => {
    cancelReload?.();
    const ms = reloadDelay;
    reloadDelay = Math.min(60_000, reloadDelay * 2);
    cancelReload = o.clock.setTimeout(() => {
      cancelReload = null;
      void load();
    }, ms);
  };

  const load = async () => {
    if (stopped) return;
    const mine = ++loadGeneration;
    try {
      const self = await o.client.me();
      if (stopped || mine !== loadGeneration) return;
      me = self;
      adoptStatus(self.status);
      const [qs, qcs, ags] = await Promise.all([o.client.queues(), o.client.queuecalls(), o.client.agents()]);
      if (stopped || mine !== loadGeneration) return;
      queues.clear();
      for (const q of qs) if (!q.tm_delete || epochOf(q.tm_delete) === null) queues.set(q.id, q);
      queuecalls.clear();
      for (const qc of qcs) queuecalls.set(qc.id, qc);
      agents.clear();
      for (const a of ags) agents.set(a.id, a);
      reloadDelay = o.reloadMs ?? 2_000;
      if (!events) openEvents(self);
      const socket = events?.state().state;
      setState(socket === 'open' ? 'live' : 'connecting', socket === 'open' ? null : 'Connecting to VoIPBIN live updates…');
    } catch (e) {
      if (stopped || mine !== loadGeneration) return;
      const message = e instanceof Error ? e.message : String(e);
      log.warn('voipbin provider: load failed', { error: message });
      const final = e instanceof VoipbinError && (e.kind === 'unauthenticated' || e.kind === 'forbidden');
      setState('failed', final ? message : `${message} Trying again.`);
      if (!final) scheduleReload();
    }
  };

  const openEvents = (self: Agent) => {
    const cid = self.customer_id;
    if (!cid) {
      setState('failed', 'VoIPBIN did not say which customer this agent belongs to; live updates are off.');
      return;
    }
    const ev = createVoipbinEvents({
      url: () => o.client.eventsUrl(),
      credentialsRefused: () => o.client.invalidateToken(),
      topics: resources.map((r) => `customer_id:${cid}:${r}`),
      clock: o.clock,
      log: log.scope('voipbin-events'),
      ...o.events,
    });
    events = ev;
    offSocket = [ev.onEvent(onEvent), ev.onState(onSocketState)];
    ev.start();
  };

  const onSocketState = (s: EventsState) => {
    for (const l of [...hubStates]) l(s);
    switch (s.state) {
      case 'open':
        // A reconnect missed whatever happened meanwhile: reload the lists (the view says connecting until then).
        if (s.reconnected) {
          setState('connecting', 'Reconnected to VoIPBIN; reloading…');
          void load();
        } else if (me) setState('live', null);
        return;
      case 'retrying':
        setState('connecting', `Live VoIPBIN updates lost (${s.reason}); reconnecting in ${Math.ceil(s.inMs / 1000)} s. Figures may be out of date.`);
        return;
      case 'failed':
        setState('failed', s.reason);
        return;
      case 'idle':
      case 'connecting':
      case 'closed':
        return;
    }
  };

  const onEvent = (e: VoipbinEvent) => {
    for (const l of [...hubEvents]) l(e);
    const gone = e.action === 'deleted' || epochOf((e.data as { tm_delete?: string | null }).tm_delete) !== null;
    switch (e.resource) {
      case 'queue':
        if (gone) queues.delete(e.data.id);
        else queues.set(e.data.id, { ...queues.get(e.data.id), ...e.data });
        return changed();
      case 'queuecall': {
        const before = queuecalls.get(e.data.id);
        // Keep a finished one with its final status (not deleted): the queue's list may still name it.
        const next = { ...before, ...e.data, queue_id: e.data.queue_id ?? before?.queue_id };
        if (gone) next.status = 'done';
        queuecalls.set(e.data.id, next);
        return changed();
      }
      case 'agent':
        if (gone) agents.delete(e.data.id);
        else agents.set(e.data.id, { ...agents.get(e.data.id), ...e.data });
        if (me && e.data.id === me.id && !gone && e.data.status) adoptStatus(e.data.status);
        return changed();
      case 'call':
      case 'groupcall':
        return; // the transfer backend's
    }
  };

  return {
    kind: 'voipbin',
    transferBackend,
    view,
    eventsState: () => events?.state() ?? { state: 'idle' },
    onChange(listener) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    async setAgentStatus(status: AgentStatus) {
      const platform: PlatformAgentStatus = status === 'wrap-up' ? wrapUpAs : status;
      await o.client.setMyStatus(platform);
      agentStatus = status;
      changed();
    },
    start() {
      if (started || stopped) return;
      started = true;
      setState('connecting', 'Connecting to VoIPBIN…');
      void load();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      loadGeneration += 1;
      cancelReload?.();
      cancelReload = null;
      for (const off of offSocket) off();
      offSocket = [];
      events?.close();
      transferBackend.dispose();
      o.client.close();
      changeListeners.clear();
      hubEvents.clear();
      hubStates.clear();
    },
  };
}
