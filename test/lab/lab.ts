/**
 * startLab(): Kamailio + one Chromium/SIP.js process per party, all on
 * loopback inside a loopback-only network namespace (refuses otherwise).
 *
 *   const lab = await startLab({ name: 'basic', peers: [{ name: 'caller', signal: 'caller' }, …] });
 *   const caller = lab.peer('caller');
 *   … lab.wsUrl / lab.domain for the console under test …
 *   await lab.stop();
 *
 * Everything it starts is stopped by PID: on stop(), at the global time-out,
 * and on SIGINT/SIGTERM/exit (./procs.ts).
 */
import { join } from 'node:path';
import { Baresip, type BaresipOptions } from './baresip';
import { LAB_LOG_DIR, startKamailio, type Kamailio } from './kamailio';
import { assertLoopbackNamespace } from './netns';
import { Peer, PeerHost, LabTimeoutError, type PeerOptions } from './peer';
import { startRtpengine, type Rtpengine } from './rtpengine';

export { labUnavailable, netnsStatus } from './netns';
export { Peer, LabTimeoutError, LabPeerError, type CallId } from './peer';
export { Baresip, type BaresipEvent } from './baresip';
export * from './detector';

export interface LabPeerSpec {
  name: string;
  user?: string;
  signal: PeerOptions['signal'];
  incoming?: PeerOptions['incoming'];
  /** Register at start (default true). */
  register?: boolean;
}

export interface LabOptions {
  /** Names the log files under test-results/lab/<name>/. */
  name?: string;
  peers: LabPeerSpec[];
  /** The whole lab is torn down after this, whatever happens (default 10 min). */
  globalTimeoutMs?: number;
  /**
   * Plain-SIP phones too: rtpengine relays media between them and the WebRTC
   * parties, and Kamailio also listens on UDP (./rtpengine.ts, kamailio.cfg).
   */
  mediaRelay?: boolean;
}

/** A plain-SIP phone (baresip): its name, user and the tone it sends. */
export type LabPhoneSpec = Pick<BaresipOptions, 'name' | 'user' | 'toneHz' | 'incoming'>;

export interface Lab {
  readonly wsUrl: string;
  readonly domain: string;
  readonly port: number;
  readonly logDir: string;
  peer(name: string): Peer;
  readonly peers: readonly Peer[];
  /** Start another party later (e.g. a transferee). */
  addPeer(spec: LabPeerSpec): Promise<Peer>;
  /** Start a plain-SIP phone (baresip) and wait until it is registered; needs `mediaRelay`. */
  addPhone(spec: LabPhoneSpec): Promise<Baresip>;
  readonly phones: readonly Baresip[];
  /** The media relay, when the lab has one. */
  readonly rtpengine: Rtpengine | null;
  /** Stop Kamailio and start it again on the same port (registrations are lost: peers re-register). */
  restartKamailio(): Promise<void>;
  kamailioLog: string;
  /** Between scenarios: every peer hangs up, must end with no call/analyser left, forgets past incoming calls. */
  reset(): Promise<void>;
  /** Run `fn`, failing with a LabTimeoutError after `ms` (per-scenario time-out). */
  scenario<T>(title: string, ms: number, fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export async function startLab(opts: LabOptions): Promise<Lab> {
  assertLoopbackNamespace();
  const name = opts.name ?? 'lab';
  const logDir = join(LAB_LOG_DIR, name);
  // The relay first: Kamailio pings it at start and leaves it disabled for a while if it does not answer.
  const rtpengine: Rtpengine | null = opts.mediaRelay ? await startRtpengine({ name, logDir }) : null;
  let kamailio: Kamailio;
  try {
    kamailio = await startKamailio({ name, logDir, ...(rtpengine ? { rtpengine: rtpengine.control } : {}) });
  } catch (e) {
    await rtpengine?.stop();
    throw e;
  }
  let host: PeerHost | undefined;
  const peers: Peer[] = [];
  const phones: Baresip[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    clearTimeout(globalTimer);
    await Promise.all(peers.map((p) => p.stop().catch(() => undefined)));
    await Promise.all(phones.map((p) => p.stop().catch(() => undefined)));
    await host?.stop().catch(() => undefined);
    await kamailio.stop();
    await rtpengine?.stop();
  };
  const globalTimer = setTimeout(() => {
    console.warn(`[lab ${name}] global time-out: tearing the lab down`);
    void stop();
  }, opts.globalTimeoutMs ?? 600_000);
  globalTimer.unref();

  const addPeer = async (spec: LabPeerSpec): Promise<Peer> => {
    if (!host) throw new Error('lab not started');
    const p = await Peer.start({ ...spec, wsUrl: kamailio.wsUrl, domain: kamailio.domain, host, logDir });
    peers.push(p);
    if (spec.register !== false) await p.register();
    return p;
  };

  try {
    host = await PeerHost.start();
    // Chromium start-up dominates: start the parties in parallel (~2.5 s for three).
    const started = await Promise.all(
      opts.peers.map((spec) => Peer.start({ ...spec, wsUrl: kamailio.wsUrl, domain: kamailio.domain, host: host!, logDir })),
    );
    peers.push(...started);
    await Promise.all(started.map((p, i) => (opts.peers[i]!.register === false ? undefined : p.register())));
  } catch (e) {
    await stop();
    throw e;
  }

  const addPhone = async (spec: LabPhoneSpec): Promise<Baresip> => {
    if (!rtpengine) throw new Error('a plain-SIP phone needs a lab started with mediaRelay: true');
    const phone = await Baresip.start({ ...spec, domain: kamailio.domain, proxyPort: kamailio.port, logDir });
    phones.push(phone);
    await phone.registered();
    return phone;
  };

  return {
    wsUrl: kamailio.wsUrl,
    domain: kamailio.domain,
    port: kamailio.port,
    logDir,
    kamailioLog: kamailio.logFile,
    peers,
    peer(n: string): Peer {
      const p = peers.find((x) => x.name === n);
      if (!p) throw new Error(`no lab peer named ${n} (have ${peers.map((x) => x.name).join(', ')})`);
      return p;
    },
    addPeer,
    addPhone,
    phones,
    rtpengine,
    restartKamailio: () => kamailio.restart(),
    async reset() {
      await Promise.all([...peers.map((p) => p.reset()), ...phones.map((p) => p.reset())]);
    },
    async scenario<T>(title: string, ms: number, fn: () => Promise<T>): Promise<T> {
      let t: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, rej) => {
        t = setTimeout(() => rej(new LabTimeoutError(`scenario "${title}" exceeded ${ms} ms`)), ms);
      });
      try {
        return await Promise.race([fn(), timeout]);
      } finally {
        clearTimeout(t);
      }
    },
    stop,
  };
}
