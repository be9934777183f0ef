/**
 * Bare SIP.js-to-SIP.js baselines in the lab (Kamailio on loopback, one
 * Chromium per party): REGISTER time, call-setup time, hold re-INVITE, blind
 * REFER → NOTIFY 200. The console's own benchmarks run the same helpers
 * (test/lab/measure.ts) in their run and report the ratio.
 *
 *   npm run bench -- lab-baseline        (LAB_BENCH_RUNS=N, default 20)
 *
 * The lab needs a loopback-only network namespace: outside one, run() re-runs
 * this benchmark under `unshare --net` (root, as CI is) and reports SKIPPED
 * loudly if that is impossible. Results also go to test-results/lab/lab-baseline.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLab } from '../lab/lab';
import { formatStats, measureBlindRefer, measureCallSetup, measureFreshRegister, measureHold, measureRegister, stats } from '../lab/measure';
import { netnsStatus } from '../lab/netns';

export * from '../lab/measure';

const ROOT = resolve(import.meta.dirname, '../..');

export async function run(): Promise<void> {
  if (!netnsStatus().ok) {
    if (process.env.LAB_BENCH_REEXEC === '1') throw new Error(`lab-baseline: still not in a loopback-only namespace: ${netnsStatus().reason}`);
    const r = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec npx tsx test/bench/index.ts lab-baseline'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, LAB_BENCH_REEXEC: '1' },
    });
    if (r.status !== 0) console.warn(`\n!!! lab-baseline SKIPPED or failed: could not run under \`unshare --net\` (status ${r.status}; needs root). ${netnsStatus().reason}\n`);
    return;
  }
  const runs = Number(process.env.LAB_BENCH_RUNS ?? 20);
  const t0 = Date.now();
  const lab = await startLab({
    name: 'bench-baseline',
    peers: [
      { name: 'caller', signal: 'caller' },
      { name: 'agent', signal: 'agent' },
      { name: 'transferee', signal: 'transferee' },
    ],
  });
  const startMs = Date.now() - t0;
  try {
    const caller = lab.peer('caller');
    const agent = lab.peer('agent');
    const transferee = lab.peer('transferee');
    // One warm-up of each, not counted (first getUserMedia/codec start-up in each process).
    await measureCallSetup(lab, caller, agent, 1);
    const reg = stats(await measureRegister(agent, runs));
    const fresh = await measureFreshRegister(agent, runs);
    const setup = await measureCallSetup(lab, caller, agent, runs);
    const hold = stats(await measureHold(lab, agent, caller, Math.max(3, Math.round(runs / 2))));
    const refer = await measureBlindRefer(lab, caller, agent, transferee, Math.max(3, Math.round(runs / 2)));
    const results = {
      when: new Date().toISOString(),
      runs,
      labStartMs: startMs,
      register: reg,
      freshRegisterTotal: stats(fresh.map((f) => f.totalMs)),
      freshRegisterConnect: stats(fresh.map((f) => f.connectMs)),
      callSetup: stats(setup.map((s) => s.setupMs)),
      inviteArrival: stats(setup.map((s) => s.inviteArrivalMs)),
      holdReInvite: hold,
      blindReferNotify200: stats(refer.map((s) => s.referToNotify200Ms)),
      blindReferTransfereeInvite: stats(refer.map((s) => s.referToTransfereeInviteMs)),
    };
    console.log(`lab start (Kamailio + 3 Chromium peers registered): ${startMs} ms`);
    console.log(formatStats('re-REGISTER → 200 (open connection)', results.register));
    console.log(formatStats('cold register: WS connect + REGISTER → 200', results.freshRegisterTotal));
    console.log(formatStats('  of which WebSocket connect', results.freshRegisterConnect));
    console.log(formatStats('call setup call() → established (caller)', results.callSetup));
    console.log(formatStats('call() → callee UA has the INVITE', results.inviteArrival));
    console.log(formatStats('hold re-INVITE → 200', results.holdReInvite));
    console.log(formatStats('blind REFER → NOTIFY 200', results.blindReferNotify200));
    console.log(formatStats('blind REFER → transferee has INVITE', results.blindReferTransfereeInvite));
    console.log('command: npm run bench -- lab-baseline');
    const dir = join(ROOT, 'test-results/lab');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lab-baseline.json'), JSON.stringify(results, null, 2));
  } finally {
    await lab.stop();
  }
}
