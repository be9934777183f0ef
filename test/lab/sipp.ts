/**
 * SIPp (Debian's sip-tester, /usr/bin/sipp) as the lab's sender of SIP no
 * real phone sends: a scenario file written per test, run once over TCP to
 * the lab's Kamailio, which relays it to the console's WebSocket line. Its
 * exit code says whether every expected response came (0), and its
 * `-trace_msg` log shows exactly what went each way. Started and stopped by
 * PID like every lab process (./procs.ts), with a time-out of its own.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_LOG_DIR } from './kamailio';
import { stopPid, track, untrack } from './procs';

export const SIPP_BIN = '/usr/bin/sipp';

export function sippAvailable(): boolean {
  return existsSync(SIPP_BIN);
}

export interface SippRun {
  /** 0: every step of the scenario happened as written. */
  code: number | null;
  /** Everything SIPp sent and received (its -trace_msg file). */
  messages: string;
  stderr: string;
}

/**
 * Runs `scenario` (SIPp XML, `<scenario>` element and all) once against
 * 127.0.0.1:`port` over one TCP connection. `name` names its log files in
 * test-results/lab/<lab>/.
 */
export async function runSipp(o: {
  lab: string;
  name: string;
  /** Kamailio's port. */
  port: number;
  /** SIPp's own port (a free one: see kamailio.ts freePort). */
  localPort: number;
  scenario: string;
  timeoutMs?: number;
  service?: string;
  /** Calls placed at once (default 1). */
  calls?: number;
}): Promise<SippRun> {
  const dir = join(LAB_LOG_DIR, o.lab, 'sipp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${o.name}.xml`);
  writeFileSync(file, o.scenario);
  const msgFile = join(dir, `${o.name}-messages.log`);
  writeFileSync(msgFile, '');
  const errorFile = join(dir, `${o.name}-errors.log`);
  writeFileSync(errorFile, '');
  const timeoutSec = Math.ceil((o.timeoutMs ?? 20_000) / 1000);
  const child = spawn(
    SIPP_BIN,
    [
      `127.0.0.1:${o.port}`,
      '-t', 't1',
      '-i', '127.0.0.1',
      '-p', String(o.localPort),
      '-sf', file,
      '-s', o.service ?? '1001',
      '-m', String(o.calls ?? 1),
      '-l', String(o.calls ?? 1),
      '-r', String(o.calls ?? 1),
      '-timeout', `${timeoutSec}s`,
      '-timeout_error',
      '-nostdin',
      '-trace_msg', '-message_file', msgFile,
      '-trace_err', '-error_file', errorFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  if (child.pid === undefined) throw new Error(`cannot spawn ${SIPP_BIN}`);
  track(child.pid, `sipp ${o.name}`, true);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => {
    const guard = setTimeout(() => {
      void stopPid(child.pid!, { group: true, child }).then(() => resolve(null));
    }, (timeoutSec + 5) * 1000);
    child.once('exit', (c) => {
      clearTimeout(guard);
      resolve(c);
    });
  });
  untrack(child.pid);
  return { code, messages: readFileSync(msgFile, 'utf8'), stderr: `${stderr}${readFileSync(errorFile, 'utf8')}` };
}

/** SIPp's XML around `body` (one scenario). */
export const scenario = (name: string, body: string) => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
${body}
${body.includes('assign_to="seen"') ? '<Reference variables="seen"/>' : ''}
</scenario>
`;

/**
 * Inside a `<recv>`: fails the SIPp call unless the received message contains `text` (a regular
 * expression), e.g. the console's own reason phrase, so it is known who answered.
 */
export const expectText = (text: string) => `<action><ereg regexp="${text}" search_in="msg" check_it="true" assign_to="seen"/></action>`;

/** A WebRTC-shaped offer (ICE credentials, DTLS fingerprint, opus): one the media host can answer. */
export const WEBRTC_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk9q',
  'a=ice-pwd:c4Jd8Yq2ZtR0pLm5NvW7sB3e',
  'a=fingerprint:sha-256 3C:4A:B1:0F:9E:52:77:6D:0A:E4:95:2B:C8:11:DF:63:28:90:AB:5C:7E:3D:41:F6:08:BB:92:CD:17:E5:6A:04',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
].join('\n');

/** What a classic desk phone offers: plain RTP, no ICE, no DTLS. */
export const PLAIN_RTP_SDP = [
  'v=0',
  'o=phone 1 1 IN IP4 127.0.0.1',
  's=call',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 8',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=sendrecv',
].join('\n');

/**
 * The head of an initial INVITE from SIPp's user 2002 to sip:1001@lab.invalid
 * (`[call_number]` keeps Call-IDs apart). `cseq` as written; `extra` header
 * lines are added before the body.
 */
export function inviteFrom2002(o: { cseq?: string; body?: string; extra?: string[]; displayName?: string } = {}): string {
  const body = o.body ?? WEBRTC_SDP;
  return `<send retrans="500">
  <![CDATA[
INVITE sip:1001@lab.invalid SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${o.displayName ?? 'Sipp Caller'}" <sip:2002@lab.invalid>;tag=[pid]SIPpTag00[call_number]
To: <sip:1001@lab.invalid>
Call-ID: [call_id]
CSeq: ${o.cseq ?? '1 INVITE'}
Contact: <sip:2002@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
${(o.extra ?? []).join('\n')}${o.extra?.length ? '\n' : ''}Content-Type: application/sdp
Content-Length: [len]

${body}
]]>
</send>`;
}
