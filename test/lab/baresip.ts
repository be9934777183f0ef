/**
 * A plain-SIP phone in the lab: Debian's baresip (package baresip-core,
 * 1.0.0), registered over UDP through Kamailio, its media plain RTP/AVP with
 * G.711 only — what a desk phone or a PSTN gateway sends. Kamailio relays its
 * media through rtpengine to the WebRTC parties (./rtpengine.ts,
 * kamailio.cfg route MEDIA).
 *
 *  - Tone source: baresip's `ausine` module (a sine at the party's frequency;
 *    it only runs at 48 kHz stereo, hence ausrc_srate/ausrc_channels).
 *  - Recorder: the phone's audio player is the lab's own `labrec` module
 *    (./baresip-recorder.c, compiled here with gcc against libre's headers),
 *    which writes what the phone plays — every call's decoded audio, paced in
 *    real time — to `heard-<n>-<rate>-<ch>.raw` in the party's folder;
 *    `hears()` analyses the last seconds of the players still running with
 *    the lab's own detector (./tones.ts), as a browser peer analyses what it
 *    receives. (baresip's `sndfile` filter cannot do it: 1.0.0 drops a call's
 *    receive filters at the first hold re-INVITE and never puts them back.)
 *  - Control: the `ctrl_tcp` module (netstring-framed JSON commands and
 *    events on a loopback TCP port).
 *  - No sound card: the ringtones go to `aubridge` (a bridge nobody reads), and
 *    `net_interface 127.0.0.1`, since baresip ignores `lo` when it looks for
 *    a network address and would otherwise refuse to start in the lab's
 *    loopback-only namespace.
 *
 * Started in its own process group and stopped by PID (./procs.ts).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describeReport, KNOWN_TONES, matchesExpectation, type HearsExpectation, type HearsReport } from './detector';
import { freePort } from './kamailio';
import { assertLoopbackNamespace } from './netns';
import { LAB_CACHE, LabTimeoutError } from './peer';
import { sleep, stopPid, track } from './procs';
import { analysePcm } from './tones';

export const BARESIP_BIN = '/usr/bin/baresip';
export const BARESIP_MODULES = '/usr/lib/baresip/modules';
/** libre's headers (Debian libre-dev), which the recorder module is compiled against. */
export const LIBRE_HEADERS = '/usr/include/re/re.h';
const RECORDER_SOURCE = resolve(import.meta.dirname, 'baresip-recorder.c');

export class BaresipStartError extends Error {
  override readonly name = 'BaresipStartError';
}

/** One event as ctrl_tcp sends it (baresip 1.0.0 `event_encode_dict`). */
export interface BaresipEvent {
  at: number;
  type: string;
  /** Call id (baresip's own), when the event is a call's. */
  id?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  param?: string;
}

export interface BaresipOptions {
  name: string;
  user: string;
  /** The sine it sends (Hz). */
  toneHz: number;
  domain: string;
  /** Kamailio's UDP port on 127.0.0.1. */
  proxyPort: number;
  logDir: string;
  /** 'answer': the driver accepts every incoming call at once (as an auto-answering phone); 'manual': the test does. */
  incoming?: 'answer' | 'manual';
}

/**
 * The module folder baresip loads from: Debian's modules plus `labrec.so`, compiled once per source
 * hash into the lab cache (built aside and renamed, so a concurrent lab never loads half a file).
 */
function moduleDir(): string {
  const missing = [
    ['gcc', '/usr/bin/gcc', 'build-essential'],
    ['libre headers', LIBRE_HEADERS, 'libre-dev'],
  ].filter(([, path]) => !existsSync(path!));
  if (missing.length > 0) {
    throw new BaresipStartError(
      `the lab's baresip recorder cannot be built: missing ${missing.map(([what, path, pkg]) => `${what} (${path}, Debian ${pkg})`).join(', ')} — .ci/run installs them`,
    );
  }
  const source = readFileSync(RECORDER_SOURCE);
  const hash = createHash('sha1').update(source).digest('hex').slice(0, 12);
  const dir = join(LAB_CACHE, 'baresip', hash);
  const module = join(dir, 'labrec.so');
  if (existsSync(module)) return dir;
  mkdirSync(dir, { recursive: true });
  const tmp = `${module}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-I/usr/include/re', '-o', tmp, RECORDER_SOURCE, '-lpthread'], { stdio: 'pipe' });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
    throw new BaresipStartError(`the lab's baresip recorder (${RECORDER_SOURCE}) did not compile:\n${stderr}`);
  }
  for (const f of readdirSync(BARESIP_MODULES)) {
    if (f.endsWith('.so') && !existsSync(join(dir, f))) symlinkSync(join(BARESIP_MODULES, f), join(dir, f));
  }
  renameSync(tmp, module);
  return dir;
}

/** The layout the recorder module names its files by: `<prefix>-<n>-<rate>-<channels>.raw`. */
function rawLayout(path: string): { rate: number; channels: number } | null {
  const m = /-(\d+)-(\d+)-(\d+)\.raw$/.exec(basename(path));
  return m ? { rate: Number(m[2]), channels: Number(m[3]) } : null;
}

/** The last `seconds` of a growing raw 16-bit file, first channel, as floats. */
function tailSamples(path: string, seconds: number): { samples: Float32Array; rate: number } | null {
  const format = rawLayout(path);
  if (!format) return null;
  const layout = { ...format, dataAt: 0 };
  const frameBytes = 2 * layout.channels;
  const size = statSync(path).size;
  const available = Math.floor((size - layout.dataAt) / frameBytes);
  const frames = Math.min(available, Math.round(seconds * layout.rate));
  if (frames <= 0) return null;
  const buf = Buffer.alloc(frames * frameBytes);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, layout.dataAt + (available - frames) * frameBytes);
  } finally {
    closeSync(fd);
  }
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(i * frameBytes) / 32768;
  return { samples, rate: layout.rate };
}

const silentReport = (): HearsReport => ({ tones: [], music: false, track: null, musicScore: 0, other: false, silence: true, levelDb: -200, peakHz: 0, frames: 0 });

export class Baresip {
  readonly events: BaresipEvent[] = [];
  readonly uri: string;
  #nextToken = 1;
  readonly #waiters = new Set<() => void>();
  readonly #responses = new Map<string, (r: { ok: boolean; data: string }) => void>();
  #incoming: 'answer' | 'manual';
  #stopped = false;

  private constructor(
    readonly name: string,
    readonly user: string,
    readonly recordings: string,
    private readonly child: ChildProcess,
    private readonly control: Socket,
    private readonly log: WriteStream,
    private readonly runDir: string,
    o: BaresipOptions,
  ) {
    this.uri = `sip:${user}@${o.domain}`;
    this.#incoming = o.incoming ?? 'answer';
    let pending = Buffer.alloc(0);
    control.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // Netstrings: <length>:<json>,
      for (;;) {
        const colon = pending.indexOf(0x3a);
        if (colon < 0) break;
        const length = Number(pending.subarray(0, colon).toString('ascii'));
        if (!Number.isInteger(length) || pending.length < colon + 1 + length + 1) break;
        const json = pending.subarray(colon + 1, colon + 1 + length).toString('utf8');
        pending = pending.subarray(colon + 1 + length + 1);
        this.#message(json);
      }
    });
  }

  static async start(o: BaresipOptions): Promise<Baresip> {
    assertLoopbackNamespace();
    if (!existsSync(BARESIP_BIN)) throw new BaresipStartError(`${BARESIP_BIN} is missing: install Debian's baresip-core (.ci/run does)`);
    const modules = moduleDir();
    mkdirSync(o.logDir, { recursive: true });
    const runDir = mkdtempSync(join(tmpdir(), `lab-baresip-${o.name}-`));
    const recordings = join(runDir, 'recordings');
    mkdirSync(recordings);
    const sipPort = await freePort();
    const ctrlPort = await freePort();
    writeFileSync(
      join(runDir, 'config'),
      [
        'poll_method\t\tepoll',
        `sip_listen\t\t127.0.0.1:${sipPort}`,
        // baresip skips loopback interfaces when it looks for its address: name the address itself.
        'net_interface\t\t127.0.0.1',
        `audio_source\t\tausine,${o.toneHz}`,
        // What the phone plays is recorded (./baresip-recorder.c); the ringtones go to a bridge nobody reads.
        `audio_player\t\tlabrec,${join(recordings, 'heard')}`,
        `audio_alert\t\taubridge,nowhere-${o.name}`,
        // ausine runs at 48 kHz stereo only.
        'ausrc_srate\t\t48000',
        'ausrc_channels\t\t2',
        'auplay_srate\t\t48000',
        'auplay_channels\t\t1',
        `module_path\t\t${modules}`,
        // G.711 only: what a plain desk phone or gateway offers.
        'module\t\t\tg711.so',
        'module\t\t\tausine.so',
        'module\t\t\taubridge.so',
        'module\t\t\tlabrec.so',
        'module_app\t\taccount.so',
        'module_app\t\tmenu.so',
        'module_app\t\tctrl_tcp.so',
        `ctrl_tcp_listen\t\t127.0.0.1:${ctrlPort}`,
        '',
      ].join('\n'),
    );
    // Manual answer mode in baresip itself: the driver answers (or not), so a test decides.
    writeFileSync(
      join(runDir, 'accounts'),
      `<sip:${o.user}@${o.domain};transport=udp>;outbound="sip:127.0.0.1:${o.proxyPort};transport=udp";regint=300;answermode=manual\n`,
    );
    writeFileSync(join(runDir, 'contacts'), '');
    const log = createWriteStream(join(o.logDir, `baresip-${o.name}.log`), { flags: 'w' });
    const child = spawn(BARESIP_BIN, ['-f', runDir], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid === undefined) throw new BaresipStartError(`cannot spawn ${BARESIP_BIN}`);
    track(child.pid, `baresip ${o.name}`, true);
    let tail = '';
    const onData = (d: Buffer) => {
      log.write(d);
      tail = (tail + d.toString()).slice(-3000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const fail = async (why: string) => {
      await stopPid(child.pid!, { group: true, child });
      rmSync(runDir, { recursive: true, force: true });
      throw new BaresipStartError(`baresip ${o.name}: ${why}; log:\n${tail}`);
    };
    const deadline = Date.now() + 10_000;
    let control: Socket | null = null;
    while (!control) {
      if (child.exitCode !== null || child.signalCode !== null) await fail(`exited during start (code ${child.exitCode})`);
      control = await new Promise<Socket | null>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: ctrlPort });
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(null));
      });
      if (!control) {
        if (Date.now() > deadline) await fail('its control port never opened');
        await sleep(50);
      }
    }
    const phone = new Baresip(o.name, o.user, recordings, child, control, log, runDir, o);
    child.once('exit', () => phone.#wake());
    return phone;
  }

  #message(json: string) {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(json) as Record<string, unknown>;
    } catch {
      this.log.write(`[driver] unreadable control message: ${json}\n`);
      return;
    }
    if (m.response === true) {
      const token = String(m.token ?? '');
      this.#responses.get(token)?.({ ok: m.ok === true, data: String(m.data ?? '') });
      this.#responses.delete(token);
      return;
    }
    if (m.event !== true) return;
    const e: BaresipEvent = {
      at: Date.now(),
      type: String(m.type),
      ...(typeof m.id === 'string' ? { id: m.id } : {}),
      ...(m.direction === 'incoming' || m.direction === 'outgoing' ? { direction: m.direction } : {}),
      ...(typeof m.peeruri === 'string' ? { peeruri: m.peeruri } : {}),
      ...(typeof m.param === 'string' ? { param: m.param } : {}),
    };
    this.events.push(e);
    this.log.write(`[driver] event ${JSON.stringify(e)}\n`);
    if (e.type === 'CALL_INCOMING' && this.#incoming === 'answer') void this.command('accept');
    this.#wake();
  }

  #wake() {
    for (const w of [...this.#waiters]) w();
  }

  /** A ctrl_tcp command (menu's long names: dial, accept, hangup, hold, resume, …); resolves with baresip's answer. */
  command(command: string, params?: string): Promise<{ ok: boolean; data: string }> {
    const token = String(this.#nextToken++);
    const json = JSON.stringify({ command, token, ...(params !== undefined ? { params } : {}) });
    this.log.write(`[driver] command ${json}\n`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#responses.delete(token);
        reject(new LabTimeoutError(`baresip ${this.name}: no answer to "${command}"`));
      }, 5000);
      this.#responses.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.control.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  setIncoming(mode: 'answer' | 'manual') {
    this.#incoming = mode;
  }

  /** Waits for an event after `since` (epoch ms) that `pred` accepts. */
  async waitForEvent(pred: (e: BaresipEvent) => boolean, ms: number, what: string, since = 0): Promise<BaresipEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.events.find((e) => e.at >= since && pred(e));
      if (hit) return hit;
      if (this.#stopped || this.child.exitCode !== null) throw new LabTimeoutError(`baresip ${this.name} stopped while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new LabTimeoutError(`baresip ${this.name}: no ${what} within ${ms} ms; events: ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.#waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, Math.min(left, 250));
        this.#waiters.add(done);
      });
    }
  }

  /**
   * Registered with Kamailio (REGISTER 200). Asked with `reginfo`: baresip usually registers before
   * the driver's control connection is up, and ctrl_tcp tells events only to connected clients.
   */
  async registered(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const info = await this.command('reginfo');
      // The status is coloured with terminal escapes (ESC[32mOK ESC[;m).
      const colours = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
      if (/\bOK\b/.test(info.data.replace(colours, ' '))) return;
      if (Date.now() > deadline) throw new LabTimeoutError(`baresip ${this.name} not registered within ${ms} ms: ${info.data.trim()}`);
      await sleep(100);
    }
  }

  /** Calls `target` (a SIP URI); resolves with baresip's call id once it is placed. */
  async call(target: string): Promise<string> {
    const since = Date.now();
    const r = await this.command('dial', target);
    if (!r.ok) throw new Error(`baresip ${this.name} refused to dial ${target}: ${r.data}`);
    const e = await this.waitForEvent((x) => x.direction === 'outgoing' && x.id !== undefined, 10_000, 'the outgoing call', since);
    return e.id!;
  }

  /** The call's lifecycle as its events tell it. */
  state(id: string): 'ringing' | 'established' | 'closed' | 'unknown' {
    let s: ReturnType<Baresip['state']> = 'unknown';
    for (const e of this.events) {
      if (e.id !== id) continue;
      if (e.type === 'CALL_INCOMING' || e.type === 'CALL_RINGING' || e.type === 'CALL_PROGRESS') s = s === 'unknown' ? 'ringing' : s;
      if (e.type === 'CALL_ESTABLISHED') s = 'established';
      if (e.type === 'CALL_CLOSED') s = 'closed';
    }
    return s;
  }

  waitForCallState(id: string, state: 'established' | 'closed', ms = 15_000) {
    return this.waitForEvent(
      (e) => e.id === id && (state === 'established' ? e.type === 'CALL_ESTABLISHED' : e.type === 'CALL_CLOSED'),
      ms,
      `call ${id} ${state}`,
    );
  }

  /** Calls not closed, in the order they appeared. */
  liveCalls(): string[] {
    const ids = [...new Set(this.events.filter((e) => e.id !== undefined).map((e) => e.id!))];
    return ids.filter((id) => this.state(id) !== 'closed');
  }

  /** The recordings of players still running (written to within the last second): one per call playing. */
  activeStreams(now = Date.now()): string[] {
    if (!existsSync(this.recordings)) return [];
    return readdirSync(this.recordings)
      .filter((f) => f.endsWith('.raw'))
      .map((f) => join(this.recordings, f))
      .filter((p) => now - statSync(p).mtimeMs < 1000);
  }

  /**
   * What this phone hears now: the last `seconds` of every call it plays,
   * analysed by the lab's detector. Several calls at once are heard
   * together, as the person at the phone would; no call at all is silence.
   */
  hears(seconds = 2.5): HearsReport {
    const reports = this.activeStreams()
      .map((p) => tailSamples(p, seconds))
      .filter((x): x is { samples: Float32Array; rate: number } => x !== null && x.samples.length >= x.rate)
      .map((x) => analysePcm(x.samples, x.rate, KNOWN_TONES, seconds));
    if (reports.length === 0) return silentReport();
    if (reports.length === 1) return reports[0]!;
    const tones = [...new Set(reports.flatMap((r) => r.tones))].sort((a, b) => a - b);
    const track = reports.find((r) => r.track !== null)?.track ?? null;
    return {
      ...reports[0]!,
      tones,
      track,
      music: track !== null,
      other: reports.some((r) => r.other),
      silence: reports.every((r) => r.silence),
      musicScore: Math.max(...reports.map((r) => r.musicScore)),
    };
  }

  /** Polls until two consecutive reports match, else a LabTimeoutError naming what it does hear. */
  async expectHears(expected: HearsExpectation, ms = 10_000): Promise<HearsReport> {
    const deadline = Date.now() + ms;
    let last = silentReport();
    let matched = 0;
    for (;;) {
      last = this.hears();
      matched = matchesExpectation(last, expected) ? matched + 1 : 0;
      if (matched >= 2) return last;
      if (Date.now() > deadline) {
        throw new LabTimeoutError(`baresip ${this.name} should hear ${JSON.stringify(expected)} but hears ${describeReport(last)}`);
      }
      await sleep(300);
    }
  }

  async hangupAll(): Promise<void> {
    for (let i = 0; i < 4 && this.liveCalls().length > 0; i++) {
      await this.command('hangup').catch(() => undefined);
      await sleep(200);
    }
  }

  /** Between scenarios: every call hung up, and none left. */
  async reset(): Promise<void> {
    await this.hangupAll();
    const deadline = Date.now() + 10_000;
    while (this.liveCalls().length > 0) {
      if (Date.now() > deadline) throw new LabTimeoutError(`baresip ${this.name} still has calls ${this.liveCalls().join(', ')}`);
      await sleep(100);
    }
    this.#incoming = 'answer';
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.control.destroy();
    if (this.child.pid !== undefined) await stopPid(this.child.pid, { group: true, child: this.child, graceMs: 1500 });
    this.#wake();
    await new Promise<void>((r) => this.log.end(r));
    rmSync(this.runDir, { recursive: true, force: true });
  }
}
