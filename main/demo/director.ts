/**
 * The demo's director: decides what the people in the demo do and tells the
 * parties page (renderer/demo/) to do it over real SIP. Callers arrive at
 * the Support queue at the chosen pace, wait, give up after a while, hang up
 * when left on hold too long, and say goodbye after a long talk; colleagues
 * pick up or not by their habits, step away from their desk, take outside
 * calls of their own and sometimes hand those on to the agent (blind, or
 * after a consult with Replaces). The rolls are ./scripts.ts; this file
 * keeps the timers and the bookkeeping, from the page's reports.
 *
 * Time comes from `clock` and chance from `random`, so a test can run the
 * director deterministically; `auto: false` switches the colleagues'
 * spontaneous behaviour off (a test then says what each does).
 */
import type { DirectorCommand, HearsReport, IncomingMode, PartyReport, PartySpec } from '../../renderer/demo/protocol';
import type { Logger } from '../logging/logger';
import { partyReportSchema } from './director-protocol';
import { AGENT_USER, CALLERS, COLLEAGUES, SUPPORT_QUEUE, VOICES, type CallerPersona, type Colleague } from './roster';
import * as scripts from './scripts';
import type { DirectorLink } from './switchboard';

export interface DirectorClock {
  now(): number;
  /** Runs `fn` after `ms`; returns the cancel. */
  after(fn: () => void, ms: number): () => void;
}

export interface DirectorOptions {
  sipUrl: string;
  domain: string;
  pace: scripts.Pace;
  random: scripts.Random;
  clock: DirectorClock;
  log: Logger;
  /** Colleagues step away and take outside calls on their own (off in tests). */
  auto: boolean;
  /** Pure test tones the parties' ears should recognise (the lab's agent tone in tests); none in the app. */
  tones?: number[];
}

export interface CallView {
  id: string;
  direction: 'in' | 'out';
  phase: 'calling' | 'ringing' | 'established' | 'ended';
  remote: string;
  status: number | null;
  referred: boolean;
  replaced: boolean;
  held: boolean;
}

interface PartyState {
  spec: PartySpec;
  kind: 'colleague' | 'caller';
  registered: boolean;
  calls: Map<string, CallView>;
  timers: Map<string, () => void>;
}

interface ColleagueState extends PartyState {
  colleague: Colleague;
  away: boolean;
  /** A mode a test or trainer set; the habits do not overrule it. */
  pinned: IncomingMode | null;
  /** An outside call on its way to them, and what they will do with it. */
  ownCall: { caller: string; ending: 'hang-up' | 'blind' | 'attended' } | null;
}

export interface Director {
  /** The parties page connected its control channel. */
  attach(link: DirectorLink): void;
  /** Resolves once the page is connected and every colleague registered. */
  whenReady(timeoutMs: number): Promise<void>;
  /** A caller dials the Support queue now; returns the caller's party id, or null when everyone is already calling. */
  sendCaller(): string | null;
  pace(): scripts.Pace;
  setPace(pace: scripts.Pace): void;
  colleagues(): ReadonlyArray<{ colleague: Colleague; away: boolean; registered: boolean }>;
  setAway(colleagueId: string, away: boolean): void;
  /** How a colleague treats calls from now on (null: back to their habits). */
  setIncoming(colleagueId: string, mode: IncomingMode | null): void;
  /** An outside caller rings a colleague, who then hangs up or hands the caller to the agent. */
  outsideCall(colleagueId: string, ending: 'hang-up' | 'blind' | 'attended'): string | null;
  /**
   * The colleague hands the call they are on to the agent now (blind, or after a consult that lasts
   * `consultMs` once answered: by default the colleague's habit, 3–6 s).
   */
  handOn(colleagueId: string, attended: boolean, consultMs?: number): void;
  /** The party hangs up (every call it has). */
  hangUp(partyId: string): void;
  /** What a party hears on its current call (null: no call, or no answer from the page). */
  hears(partyId: string): Promise<HearsReport | null>;
  calls(partyId: string): CallView[];
  /** Live callers' party ids with the persona they play. */
  callers(): ReadonlyArray<{ id: string; persona: CallerPersona }>;
  /** Every report from the page, after it was checked (tests watch them); returns the unsubscribe. */
  onReport(listener: (report: PartyReport) => void): () => void;
  /** Presence or parties changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  resources(): { timers: number; parties: number; pendingQuestions: number };
  stop(): void;
}

const HEARS_TIMEOUT_MS = 3000;

export function createDirector(o: DirectorOptions): Director {
  const log = o.log;
  const random = o.random;
  const parties = new Map<string, PartyState>();
  const reportListeners = new Set<(r: PartyReport) => void>();
  const changeListeners = new Set<() => void>();
  const questions = new Map<number, (r: HearsReport | null) => void>();
  const globalTimers = new Map<string, () => void>();
  let link: DirectorLink | null = null;
  let offLink: Array<() => void> = [];
  let pageReady = false;
  let pace = o.pace;
  let callerCount = 0;
  let questionCount = 0;
  let stopped = false;
  const readyWaiters = new Set<() => void>();

  const send = (c: DirectorCommand) => link?.send(c);
  const changed = () => {
    for (const l of [...changeListeners]) l();
  };

  const timer = (timers: Map<string, () => void>, key: string, fn: () => void, ms: number) => {
    timers.get(key)?.();
    timers.set(
      key,
      o.clock.after(() => {
        timers.delete(key);
        if (!stopped) fn();
      }, ms),
    );
  };
  const cancel = (timers: Map<string, () => void>, key: string) => {
    timers.get(key)?.();
    timers.delete(key);
  };

  const colleagueStates = new Map<string, ColleagueState>(
    COLLEAGUES.map((c) => [
      c.id,
      {
        spec: { id: c.id, user: c.user, name: c.name, voice: c.voice, register: true },
        kind: 'colleague' as const,
        registered: false,
        calls: new Map(),
        timers: new Map(),
        colleague: c,
        away: false,
        pinned: null,
        ownCall: null,
      },
    ]),
  );
  for (const s of colleagueStates.values()) parties.set(s.spec.id, s);

  const modeOf = (s: ColleagueState): IncomingMode => s.pinned ?? scripts.colleagueIncoming(s.colleague.habits, s.away, random);
  const live = (s: PartyState) => [...s.calls.values()].filter((c) => c.phase !== 'ended');
  const isReady = () => pageReady && [...colleagueStates.values()].every((s) => s.registered);

  // ─── spontaneous behaviour ────────────────────────────────────────────────

  const scheduleArrival = () => {
    const ms = scripts.nextArrivalMs(pace, random);
    if (ms === null) return cancel(globalTimers, 'arrival');
    timer(
      globalTimers,
      'arrival',
      () => {
        sendCaller();
        scheduleArrival();
      },
      ms,
    );
  };

  const schedulePresence = (s: ColleagueState) => {
    if (!o.auto) return;
    const ms = scripts.presenceChangeMs(s.colleague.habits, s.away, random);
    if (ms === null) return;
    timer(
      s.timers,
      'presence',
      () => {
        // Nobody walks away in the middle of a call.
        if (!s.away && live(s).length > 0) return schedulePresence(s);
        setAway(s.spec.id, !s.away);
        schedulePresence(s);
      },
      ms,
    );
  };

  const scheduleOwnCall = (s: ColleagueState) => {
    if (!o.auto) return;
    const ms = scripts.ownCallMs(s.colleague.habits, random);
    if (ms === null) return;
    timer(
      s.timers,
      'own-call',
      () => {
        if (!s.away && live(s).length === 0 && !s.ownCall) outsideCall(s.spec.id, scripts.ownCallEnding(s.colleague.habits, random));
        scheduleOwnCall(s);
      },
      ms,
    );
  };

  // ─── callers ──────────────────────────────────────────────────────────────

  const freePersona = (): CallerPersona | null => {
    const busy = new Set([...parties.values()].filter((p) => p.kind === 'caller').map((p) => p.spec.user));
    const busyVoices = new Set([...parties.values()].filter((p) => p.kind === 'caller').map((p) => p.spec.voice.f0));
    const free = CALLERS.filter((c) => !busy.has(c.user));
    // A voice nobody on the line has yet, so every caller can be told apart.
    const fresh = free.filter((c) => !busyVoices.has(c.voice.f0));
    const pool = fresh.length > 0 ? fresh : free;
    return pool.length > 0 ? pool[Math.floor(random() * pool.length)]! : null;
  };

  const newCaller = (persona: CallerPersona): PartyState => {
    const spec: PartySpec = { id: `caller-${++callerCount}`, user: persona.user, name: persona.name, voice: persona.voice, register: false };
    const state: PartyState = { spec, kind: 'caller', registered: false, calls: new Map(), timers: new Map() };
    parties.set(spec.id, state);
    // A caller's own phone is busy while they call: a second call to them is refused.
    send({ type: 'party', party: spec, incoming: { kind: 'reject', status: 486, afterMs: 0 } });
    return state;
  };

  function sendCaller(): string | null {
    if (stopped || !link) return null;
    const persona = freePersona();
    if (!persona) return null;
    const s = newCaller(persona);
    send({ type: 'call', party: s.spec.id, to: SUPPORT_QUEUE.user });
    timer(s.timers, 'patience', () => send({ type: 'hangup', party: s.spec.id }), scripts.queuePatienceMs(random));
    log.info('demo: a caller rings the Support queue', { caller: s.spec.id });
    changed();
    return s.spec.id;
  }

  function outsideCall(colleagueId: string, ending: 'hang-up' | 'blind' | 'attended'): string | null {
    const s = colleagueStates.get(colleagueId);
    const persona = freePersona();
    if (!s || !persona || !link || stopped) return null;
    const caller = newCaller(persona);
    s.ownCall = { caller: caller.spec.user, ending };
    if (!s.pinned) send({ type: 'incoming', party: s.spec.id, mode: { kind: 'answer', afterMs: 2500 } });
    send({ type: 'call', party: caller.spec.id, to: s.spec.user });
    timer(caller.timers, 'patience', () => send({ type: 'hangup', party: caller.spec.id }), scripts.queuePatienceMs(random));
    log.info('demo: an outside call for a colleague', { colleague: colleagueId, ending });
    return caller.spec.id;
  }

  function setAway(colleagueId: string, away: boolean) {
    const s = colleagueStates.get(colleagueId);
    if (!s || s.away === away) return;
    s.away = away;
    if (!s.pinned) send({ type: 'incoming', party: s.spec.id, mode: modeOf(s) });
    changed();
  }

  // ─── reports ──────────────────────────────────────────────────────────────

  const onCaller = (s: PartyState, r: Extract<PartyReport, { type: 'call' }>) => {
    if (r.phase === 'established') {
      cancel(s.timers, 'patience');
      // Talking now (with the agent or, transferred, a colleague): they say goodbye in a while.
      if (!s.timers.has('talk')) timer(s.timers, 'talk', () => send({ type: 'hangup', party: s.spec.id }), scripts.callerTalkMs(random));
    }
    if (r.phase === 'ended' && live(s).length === 0) {
      for (const cancelTimer of s.timers.values()) cancelTimer();
      s.timers.clear();
      parties.delete(s.spec.id);
      send({ type: 'dismiss', party: s.spec.id });
      changed();
    }
  };

  const onColleague = (s: ColleagueState, call: CallView, r: Extract<PartyReport, { type: 'call' }>) => {
    if (r.phase === 'established' && r.direction === 'in') {
      const own = s.ownCall && s.ownCall.caller === call.remote ? s.ownCall : null;
      if (own) {
        s.ownCall = null;
        timer(
          s.timers,
          `call:${call.id}`,
          () => {
            if (own.ending === 'hang-up') send({ type: 'hangup', party: s.spec.id, call: call.id });
            else send({ type: 'transfer', party: s.spec.id, to: AGENT_USER, attended: own.ending === 'attended', consultMs: scripts.consultMs(random) });
          },
          scripts.ownCallTalkMs(random),
        );
      } else if (call.remote !== AGENT_USER) {
        // A caller handed to them (or an overflow call): they help, then hang up.
        timer(s.timers, `call:${call.id}`, () => send({ type: 'hangup', party: s.spec.id, call: call.id }), scripts.colleagueTalkMs(random));
      }
      // A consult from the agent lasts as long as the agent wants it to.
    }
    if (r.phase === 'ended') {
      cancel(s.timers, `call:${call.id}`);
      if (s.ownCall && call.remote === s.ownCall.caller) s.ownCall = null;
      // Ready for the next call, in whatever mood they are in by now.
      if (live(s).length === 0) send({ type: 'incoming', party: s.spec.id, mode: modeOf(s) });
    }
  };

  const onReport = (raw: unknown) => {
    const parsed = partyReportSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn('demo: unreadable report from the parties page dropped');
      return;
    }
    const r = parsed.data;
    for (const l of [...reportListeners]) l(r);
    switch (r.type) {
      case 'ready':
        pageReady = true;
        send({ type: 'hello', sipUrl: o.sipUrl, domain: o.domain, voices: [...VOICES], tones: o.tones ?? [] });
        for (const s of colleagueStates.values()) send({ type: 'party', party: s.spec, incoming: modeOf(s) });
        return;
      case 'party-ready': {
        const s = parties.get(r.party);
        if (!s) return;
        s.registered = r.registered;
        if (isReady()) for (const w of [...readyWaiters]) w();
        changed();
        return;
      }
      case 'call': {
        const s = parties.get(r.party);
        if (!s) return;
        const call: CallView = {
          id: r.call,
          direction: r.direction,
          phase: r.phase,
          remote: r.remote,
          status: r.status ?? null,
          referred: r.referred ?? false,
          replaced: r.replaced ?? false,
          held: s.calls.get(r.call)?.held ?? false,
        };
        if (r.phase === 'ended') s.calls.delete(r.call);
        else s.calls.set(r.call, call);
        if (s.kind === 'caller') onCaller(s, r);
        else onColleague(s as ColleagueState, call, r);
        changed();
        return;
      }
      case 'held': {
        const s = parties.get(r.party);
        const call = s?.calls.get(r.call);
        if (!s || !call) return;
        call.held = r.held;
        if (s.kind === 'caller') {
          if (r.held) timer(s.timers, 'hold', () => send({ type: 'hangup', party: s.spec.id }), scripts.holdPatienceMs(random));
          else cancel(s.timers, 'hold');
        }
        return;
      }
      case 'heard': {
        const answer = questions.get(r.request);
        questions.delete(r.request);
        answer?.(r.report);
        return;
      }
      case 'problem':
        log.warn('demo: the parties page reports a problem', { party: r.party, message: r.message });
        return;
    }
  };

  return {
    attach(next) {
      for (const off of offLink) off();
      link = next;
      pageReady = false;
      for (const s of colleagueStates.values()) s.registered = false;
      offLink = [
        next.onMessage(onReport),
        next.onClose(() => {
          if (link !== next) return;
          link = null;
          pageReady = false;
          log.warn('demo: the parties page disconnected');
          changed();
        }),
      ];
      if (pace !== 'manual') scheduleArrival();
      for (const s of colleagueStates.values()) {
        schedulePresence(s);
        scheduleOwnCall(s);
      }
    },
    whenReady(timeoutMs) {
      if (isReady()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const cancelTimeout = o.clock.after(() => {
          readyWaiters.delete(done);
          reject(new Error('The demo parties did not come up in time.'));
        }, timeoutMs);
        const done = () => {
          if (!isReady()) return;
          readyWaiters.delete(done);
          cancelTimeout();
          resolve();
        };
        readyWaiters.add(done);
      });
    },
    sendCaller,
    pace: () => pace,
    setPace(next) {
      pace = next;
      if (link) scheduleArrival();
      changed();
    },
    colleagues: () => [...colleagueStates.values()].map((s) => ({ colleague: s.colleague, away: s.away, registered: s.registered })),
    setAway,
    setIncoming(colleagueId, mode) {
      const s = colleagueStates.get(colleagueId);
      if (!s) return;
      s.pinned = mode;
      send({ type: 'incoming', party: s.spec.id, mode: modeOf(s) });
    },
    outsideCall,
    handOn(colleagueId, attended, consultMs = scripts.consultMs(random)) {
      const s = colleagueStates.get(colleagueId);
      if (!s) return;
      for (const key of [...s.timers.keys()]) if (key.startsWith('call:')) cancel(s.timers, key);
      send({ type: 'transfer', party: s.spec.id, to: AGENT_USER, attended, consultMs });
    },
    hangUp(partyId) {
      if (parties.has(partyId)) send({ type: 'hangup', party: partyId });
    },
    hears(partyId) {
      if (!link) return Promise.resolve(null);
      const request = ++questionCount;
      return new Promise((resolve) => {
        const cancelTimeout = o.clock.after(() => {
          questions.delete(request);
          resolve(null);
        }, HEARS_TIMEOUT_MS);
        questions.set(request, (report) => {
          cancelTimeout();
          resolve(report);
        });
        send({ type: 'hears', party: partyId, request });
      });
    },
    calls: (partyId) => [...(parties.get(partyId)?.calls.values() ?? [])],
    callers: () =>
      [...parties.values()]
        .filter((p) => p.kind === 'caller')
        .map((p) => ({ id: p.spec.id, persona: CALLERS.find((c) => c.user === p.spec.user)! })),
    onReport(listener) {
      reportListeners.add(listener);
      return () => void reportListeners.delete(listener);
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    resources: () => ({
      timers: globalTimers.size + [...parties.values()].reduce((n, p) => n + p.timers.size, 0),
      parties: [...parties.values()].filter((p) => p.kind === 'caller').length,
      pendingQuestions: questions.size,
    }),
    stop() {
      if (stopped) return;
      stopped = true;
      for (const c of globalTimers.values()) c();
      globalTimers.clear();
      for (const p of parties.values()) {
        for (const c of p.timers.values()) c();
        p.timers.clear();
      }
      for (const answer of questions.values()) answer(null);
      questions.clear();
      for (const off of offLink) off();
      offLink = [];
      link = null;
      readyWaiters.clear();
      reportListeners.clear();
      changeListeners.clear();
      for (const [id, p] of parties) if (p.kind === 'caller') parties.delete(id);
    },
  };
}
