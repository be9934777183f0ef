/**
 * Kamailio (Debian 5.6) as the lab's registrar and stateful proxy for SIP over
 * WebSocket on a loopback port chosen per run. Config: ./kamailio.cfg (beside this file, not in a kamailio/ folder: a folder of that name would shadow this module for tsx).
 * Runs in the foreground (-DD -E) as our child, in its own process group and
 * its own runtime dir, logging to test-results/lab/. Stopped by PID.
 * Presence and pua insist on a database: they get Debian's db_text tables,
 * copied fresh into the runtime dir at every (re)start so a restart forgets
 * publications and subscriptions just as it forgets registrations.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assertLoopbackNamespace } from './netns';
import { sleep, stopPid, track } from './procs';

export const KAMAILIO_BIN = '/usr/sbin/kamailio';
export const KAMAILIO_CFG = resolve(import.meta.dirname, 'kamailio.cfg');
export const LAB_DOMAIN = 'lab.invalid';
export const LAB_LOG_DIR = resolve(import.meta.dirname, '../../test-results/lab');
/** Debian's db_text schema files (package kamailio); presence and pua read only these tables. */
export const DBTEXT_SCHEMA_DIR = '/usr/share/kamailio/dbtext/kamailio';
const DBTEXT_TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'pua'];

export class KamailioStartError extends Error {
  override readonly name = 'KamailioStartError';
}

export interface KamailioOptions {
  /** Fixed port (default: a free loopback port). */
  port?: number;
  /** Used in the log file name. */
  name?: string;
  startTimeoutMs?: number;
  /** Where the log goes (default test-results/lab/). */
  logDir?: string;
  /**
   * rtpengine's ng control address (`udp:127.0.0.1:<port>`, ./rtpengine.ts): Kamailio then also
   * listens on UDP (the same port number) for plain-SIP phones and relays their media through
   * rtpengine, re-INVITEs included. Absent: WebSocket only, no media relay, as before.
   */
  rtpengine?: string;
}

export interface Kamailio {
  readonly port: number;
  readonly wsUrl: string;
  readonly domain: string;
  readonly logFile: string;
  pid(): number | undefined;
  /** Stop and start again on the same port (usrloc is in memory: it starts empty). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

export async function startKamailio(opts: KamailioOptions = {}): Promise<Kamailio> {
  assertLoopbackNamespace();
  const port = opts.port ?? (await freePort());
  const name = opts.name ?? 'lab';
  const logDir = opts.logDir ?? LAB_LOG_DIR;
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `kamailio-${name}.log`);
  const log: WriteStream = createWriteStream(logFile, { flags: 'w' });
  const runDir = mkdtempSync(join(tmpdir(), 'lab-kamailio-'));
  let child: ChildProcess | undefined;
  let tail = '';

  const dbDir = join(runDir, 'db');
  const launch = async (): Promise<void> => {
    const started = Date.now();
    log.write(`\n===== start ${new Date().toISOString()} port ${port} =====\n`);
    rmSync(dbDir, { recursive: true, force: true });
    mkdirSync(dbDir);
    for (const t of DBTEXT_TABLES) copyFileSync(join(DBTEXT_SCHEMA_DIR, t), join(dbDir, t));
    const c = spawn(
      KAMAILIO_BIN,
      [
        '-f', KAMAILIO_CFG, '-DD', '-E',
        '-A', `LAB_PORT=${port}`,
        '-A', `LAB_DB="text://${dbDir}"`,
        '-A', `LAB_SELF="sip:127.0.0.1:${port}"`,
        '-A', `LAB_SELF_TCP="sip:127.0.0.1:${port};transport=tcp"`,
        ...(opts.rtpengine ? ['-A', `LAB_RTPENGINE="${opts.rtpengine}"`] : []),
        '-Y', runDir, '-P', join(runDir, 'kamailio.pid'), '-w', runDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    child = c;
    if (c.pid === undefined) throw new KamailioStartError(`cannot spawn ${KAMAILIO_BIN}`);
    track(c.pid, 'kamailio', true);
    const onData = (d: Buffer): void => {
      log.write(d);
      tail = (tail + d.toString()).slice(-4000);
    };
    c.stdout?.on('data', onData);
    c.stderr?.on('data', onData);
    const deadline = started + (opts.startTimeoutMs ?? 10_000);
    while (Date.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new KamailioStartError(`kamailio exited during start (code ${c.exitCode}); log ${logFile}:\n${tail}`);
      }
      if (await canConnect(port)) {
        log.write(`===== accepting connections after ${Date.now() - started} ms =====\n`);
        return;
      }
      await sleep(20);
    }
    await stopPid(c.pid, { group: true, child: c });
    throw new KamailioStartError(`kamailio did not accept connections on 127.0.0.1:${port} within the time-out; log ${logFile}:\n${tail}`);
  };

  const halt = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c?.pid !== undefined) await stopPid(c.pid, { group: true, child: c, graceMs: 2000 });
    // Wait until the port is released so a restart can bind it again.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && (await canConnect(port))) await sleep(20);
  };

  await launch();
  let stopped = false;
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}`,
    domain: LAB_DOMAIN,
    logFile,
    pid: () => child?.pid,
    async restart() {
      if (stopped) throw new KamailioStartError('kamailio was stopped');
      await halt();
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      await new Promise<void>((r) => log.end(r));
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
