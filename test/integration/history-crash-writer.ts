/**
 * Child process for history-crash.test.ts: records calls as fast as it can
 * until it is killed with SIGKILL. Usage: node --import tsx history-crash-writer.ts <db> <run>
 *
 * Each loop writes one batch of BATCH complete calls in ONE transaction
 * (queue = `r<run>-b<n>`, so the parent can check all-or-nothing), then one
 * call event by event in separate transactions (the real-time pattern; a kill
 * between them leaves an open call for the next start to mark interrupted).
 * Before the loop it starts a call that never ends: the call up when the
 * console dies.
 */
import { HistoryRepository } from '../../main/history/repository';

const BATCH = 25;
const [, , dbPath, runArg] = process.argv;
const run = Number(runArg);
const repo = new HistoryRepository(dbPath!);

let t = 1_790_000_000_000 + run * 1_000_000_000;
const next = () => (t += 7);

repo.callStarted({ callId: `live-${run}`, direction: 'inbound', localLine: 'sip:1001@pbx', remote: { number: '+1 (202) 555-0100' }, at: next() });
repo.callAnswered(`live-${run}`, next());
repo.holdStarted(`live-${run}`, next(), { music: 'builtin:lounge' });
process.stdout.write('ready\n');

for (let b = 0; ; b++) {
  const queue = `r${run}-b${b}`;
  repo.batch(() => {
    for (let i = 0; i < BATCH; i++) {
      const callId = `${queue}-${i}`;
      repo.callStarted({
        callId,
        direction: i % 2 ? 'outbound' : 'inbound',
        localLine: 'sip:1001@pbx',
        remote: { number: `+1202555${String(i).padStart(4, '0')}`, displayName: `Caller ${i}` },
        queue,
        at: next(),
      });
      repo.callRinging(callId, next());
      repo.callAnswered(callId, next());
      repo.holdStarted(callId, next(), 'silence');
      repo.holdEnded(callId, next());
      repo.transferStep({ callId, transferId: `${callId}-t`, step: 'requested', mode: 'blind', target: 'sip:2000@pbx', at: next() });
      repo.transferStep({ callId, transferId: `${callId}-t`, step: 'completed', mode: 'blind', target: 'sip:2000@pbx', sipCode: 200, at: next() });
      repo.callEnded({ callId, at: next(), outcome: 'transferred', endedBy: 'local' });
    }
  });
  // Reported after the commit returns (stdout to a pipe is synchronous on Linux): the parent checks no committed batch is lost.
  process.stdout.write(`committed ${b}\n`);
  const single = `${queue}-single`;
  repo.callStarted({ callId: single, direction: 'outbound', localLine: 'sip:1001@pbx', remote: { number: '2025550199' }, queue: 'single', at: next() });
  repo.callRinging(single, next());
  repo.callAnswered(single, next());
  repo.callEnded({ callId: single, at: next(), outcome: 'answered', endedBy: 'remote' });
}
