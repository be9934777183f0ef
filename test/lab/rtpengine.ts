/**
 * rtpengine (Debian's rtpengine-daemon) as the lab's media relay between
 * plain-SIP phones (RTP/AVP, no ICE, no DTLS: baresip) and the WebRTC
 * parties (the console, SIP.js): Kamailio asks it over the ng control
 * protocol to rewrite each offer and answer (kamailio.cfg, route MEDIA), and
 * it bridges RTP ⇄ DTLS-SRTP with ICE.
 *
 * Userspace forwarding only (`--table=-1`): the lab runs in a loopback-only
 * network namespace where no kernel module is loaded, and `--no-fallback`
 * is NOT given — with it rtpengine would refuse to start without the module.
 * Foreground, logging to stderr (captured to test-results/lab/<lab>/),
 * config file `none` so /etc/rtpengine is never read, its own port range.
 * Stopped by PID (./procs.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort, LAB_LOG_DIR } from './kamailio';
import { assertLoopbackNamespace } from './netns';
import { sleep, stopPid, track } from './procs';

export const RTPENGINE_BIN = '/usr/bin/rtpengine';

export class RtpengineStartError extends Error {
  override readonly name = 'RtpengineStartError';
}

export interface Rtpengine {
  /** Where Kamailio's rtpengine module talks to it: `udp:127.0.0.1:<port>`. */
  readonly control: string;
  readonly ngPort: number;
  readonly logFile: string;
  /** Calls it currently relays (from `list numsessions` over ng): leak checks. */
  sessions(): Promise<number>;
  stop(): Promise<void>;
}

/** One ng request (bencode) on a fresh UDP socket; the reply's bencoded text. */
async function ng(port: number, bencoded: string, timeoutMs = 1000): Promise<string> {
  const socket = createSocket('udp4');
  const cookie = Math.random().toString(36).slice(2, 10);
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rtpengine did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.on('message', (msg) => {
        const text = msg.toString('latin1');
        if (!text.startsWith(`${cookie} `)) return;
        clearTimeout(timer);
        resolve(text.slice(cookie.length + 1));
      });
      socket.send(`${cookie} ${bencoded}`, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

export async function startRtpengine(o: { name?: string; logDir?: string; startTimeoutMs?: number } = {}): Promise<Rtpengine> {
  assertLoopbackNamespace();
  if (!existsSync(RTPENGINE_BIN)) {
    throw new RtpengineStartError(`${RTPENGINE_BIN} is missing: install Debian's rtpengine-daemon (.ci/run does)`);
  }
  const name = o.name ?? 'lab';
  const logDir = o.logDir ?? LAB_LOG_DIR;
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `rtpengine-${name}.log`);
  const log: WriteStream = createWriteStream(logFile, { flags: 'w' });
  // The ng port is UDP; freePort() finds a free TCP port, which on a fresh loopback is free for UDP too.
  const ngPort = await freePort();
  // RTP ports: a block of its own above the range Chromium and baresip pick from.
  const portMin = 40_000 + (ngPort % 200) * 100;
  const args = [
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--log-level=6',
    '--table=-1',
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${ngPort}`,
    `--port-min=${portMin}`,
    `--port-max=${portMin + 99}`,
    '--delete-delay=0',
    '--timeout=120',
  ];
  const child: ChildProcess = spawn(RTPENGINE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid === undefined) throw new RtpengineStartError(`cannot spawn ${RTPENGINE_BIN}`);
  track(child.pid, 'rtpengine', true);
  let tail = '';
  const onData = (d: Buffer) => {
    log.write(d);
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const stop = async () => {
    if (child.pid !== undefined) await stopPid(child.pid, { group: true, child, graceMs: 2000 });
    await new Promise<void>((r) => log.end(r));
  };

  const deadline = Date.now() + (o.startTimeoutMs ?? 10_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new RtpengineStartError(`rtpengine exited during start (code ${child.exitCode}); log ${logFile}:\n${tail}`);
    }
    try {
      if ((await ng(ngPort, 'd7:command4:pinge', 300)).includes('pong')) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new RtpengineStartError(`rtpengine did not answer ng pings on 127.0.0.1:${ngPort}; log ${logFile}:\n${tail}`);
    }
    await sleep(50);
  }

  return {
    control: `udp:127.0.0.1:${ngPort}`,
    ngPort,
    logFile,
    async sessions() {
      const reply = await ng(ngPort, 'd7:command4:list5:limiti1000ee');
      // d4:callsl…e6:result2:oke — count the call ids listed.
      const list = /5:callsl(.*)e6:result/.exec(reply)?.[1] ?? '';
      let n = 0;
      for (let i = 0; i < list.length; ) {
        const m = /^(\d+):/.exec(list.slice(i));
        if (!m) break;
        i += m[0].length + Number(m[1]);
        n++;
      }
      return n;
    },
    stop,
  };
}
