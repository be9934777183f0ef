/**
 * Child process for history-crash.test.ts: records calls as fast as it can
 * until it is killed with SIGKILL. Usage: node --import tsx history-crash-writer.ts <db> <run>
 *
 * It writes the way the console does: one event, one transaction. Each loop
 * records one whole call event by event (queue = `r<run>`, call id
 * `r<run>-c<n>`) and reports `committed <n>` once its end has returned, so
 * the parent can check that nothing reported is lost and that the call the
 * kill interrupted holds only whole events. Before the loop it starts a call
 * that never ends: the call up when the console dies.
 */
import { HistoryRepository } from '../../main/history/repository';

const [, , dbPath, runArg] = process.argv;
const run = Number(runArg);
const repo = new HistoryRepository(dbPath!);

let t = 1_790_000_000_000 + run * 1_000_000_000;
const next = () => (t += 7);

repo.callStarted({ callId: `live-${run}`, direction: 'incoming', localLine: 'sip:1001@pbx', remote: { number: '+1 (202) 555-0100' }, at: next() });
repo.callAnswered(`live-${run}`, next());
repo.holdStarted(`live-${run}`, next(), { music: 'builtin:lounge' });
process.stdout.write('ready\n');

const queue = `r${run}`;
for (let n = 0; ; n++) {
  const callId = `${queue}-c${n}`;
  repo.callStarted({
    callId,
    direction: n % 2 ? 'outgoing' : 'incoming',
    localLine: 'sip:1001@pbx',
    remote: { number: `+1202555${String(n % 10_000).padStart(4, '0')}`, displayName: `Caller ${n}` },
    queue,
    at: next(),
  });
  repo.callAnswered(callId, next());
  repo.holdStarted(callId, next(), 'silence');
  repo.holdEnded(callId, next());
  // Held again when it ends: the end must close this hold in the same transaction.
  repo.holdStarted(callId, next(), { music: 'builtin:lounge' });
  repo.transferStep({ callId, transferId: `${callId}-t`, step: 'requested', mode: 'blind', target: 'sip:2000@pbx', at: next() });
  repo.transferStep({ callId, transferId: `${callId}-t`, step: 'completed', mode: 'blind', target: 'sip:2000@pbx', sipCode: 200, at: next() });
  repo.callEnded({ callId, at: next(), outcome: 'transferred', endedBy: n % 2 ? 'agent' : 'remote' });
  // Reported after the commit returns (stdout to a pipe is synchronous on Linux): the parent checks no reported call is lost.
  process.stdout.write(`committed ${n}\n`);
}
