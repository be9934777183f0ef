/**
 * `npm run soak [-- --count 200 --seed 1]`: the transfer soak (soak-run.ts) on
 * its own lab. It re-runs itself inside a loopback-only network namespace
 * (the lab refuses anything else; docs/testing.md) and needs the built media host
 * (`npx electron-vite build`). Prints one line per transfer and a JSON summary;
 * exits 1 on any dropped caller in a safe mode or any inconsistent timeline.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConsole } from './console-fixture';
import { startLab } from './lab';
import { netnsStatus } from './netns';
import { runSoak } from './soak-run';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<number> {
  if (!netnsStatus().ok) {
    if (process.env.AGENT_CONSOLE_IN_NETNS === '1') throw new Error('not in a loopback-only namespace even after unshare');
    const argv = process.argv.slice(2).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('unshare', ['--net', 'sh', '-c', `ip link set lo up; exec npx tsx test/lab/soak.ts ${argv}`], {
      stdio: 'inherit',
      env: { ...process.env, AGENT_CONSOLE_IN_NETNS: '1' },
    });
    return r.status ?? 1;
  }
  const count = arg('count', 200);
  const seed = arg('seed', 1);
  const lab = await startLab({ name: 'soak', peers: [{ name: 'caller', signal: 'caller' }, { name: 'transferee', signal: 'transferee' }], globalTimeoutMs: 3_600_000 });
  const agent = await startConsole(lab);
  try {
    const summary = await runSoak({ lab, agent, caller: lab.peer('caller'), transferee: lab.peer('transferee'), log: (l) => console.info(l) }, count, seed);
    const out = join('test-results', 'soak');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `soak-${count}-seed${seed}.json`), JSON.stringify(summary, null, 2));
    console.info(JSON.stringify({ ...summary, failures: summary.failures.map((f) => `#${f.index + 1} ${f.mode} ${f.behaviour}: ${f.problems.join(' | ')}`) }, null, 2));
    return summary.droppedInSafeModes === 0 && summary.inconsistent === 0 ? 0 : 1;
  } finally {
    await agent.stop();
    await lab.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
