#!/usr/bin/env node
/**
 * `npm test`: the lint gate (`npm run lint`), then build the app (the UI,
 * media-host and harness tests load the built pages), then run every vitest
 * project once, writing JUnit XML to test-results/.
 *
 * The whole run happens inside a fresh network namespace that has only a
 * loopback interface, so no test can reach anything but 127.0.0.1 — the SIP
 * lab requires this and refuses to run otherwise (test/lab/netns.ts). As root
 * (CI) that is `unshare --net`; elsewhere an unprivileged user namespace
 * (`unshare --net --map-root-user`) where the kernel allows it. Where neither
 * works the suite still runs, and the lab reports itself skipped.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { blockedProjects, describeMissing, missingPrerequisites, PROJECTS } from './support/prerequisites.mjs';

const args = process.argv.slice(2);
const run = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { stdio: 'inherit', ...opts }).status ?? 1;

// What the machine lacks (Chromium, Kamailio, SIPp, the namespace tools) is said once, up front,
// with the command that installs it; the projects that need it are skipped, loudly, and the rest runs.
const missing = missingPrerequisites();
if (process.env.AGENT_CONSOLE_IN_NETNS !== '1') {
  if (missing.length > 0) console.warn(`\n${describeMissing(missing)}\n`);
  // The static gates first (ESLint with the layout's import rules, tsc, svelte-check, the Electron
  // security scan): CI runs only `npm test`, and a tree that fails them is not green.
  // `npm test -- --no-lint` skips them while iterating on one test.
  if (args.includes('--no-lint')) args.splice(args.indexOf('--no-lint'), 1);
  else {
    const lint = run('npm', ['run', '--silent', 'lint']);
    if (lint !== 0) process.exit(lint);
  }
  const build = run('npx', ['electron-vite', 'build', '--logLevel', 'warn']);
  if (build !== 0) process.exit(build);

  const inner = ['-c', 'ip link set lo up 2>/dev/null || true; exec node test/run.mjs "$@"', 'run.mjs', ...args];
  const env = { ...process.env, AGENT_CONSOLE_IN_NETNS: '1' };
  const isRoot = process.getuid?.() === 0;
  const attempts = isRoot ? [['--net']] : [['--net', '--map-root-user']];
  for (const flags of attempts) {
    const probe = spawnSync('unshare', [...flags, 'true'], { stdio: 'ignore' });
    if (probe.status === 0) process.exit(run('unshare', [...flags, 'sh', ...inner], { env }));
  }
  console.warn(
    '\n[agent-console] WARNING: could not create a loopback-only network namespace (unshare). ' +
      'The SIP lab tests will report themselves SKIPPED; run `npm test` as root or enable user namespaces.\n',
  );
  process.exit(runTests());
}

// /proc/self/net/dev, not /sys/class/net: after a bare `unshare --net` sysfs still shows the host's interfaces.
const interfaces = readFileSync('/proc/self/net/dev', 'utf8')
  .split('\n')
  .slice(2)
  .map((line) => line.split(':')[0]?.trim())
  .filter(Boolean);
console.log(`[agent-console] tests run in a network namespace with interfaces: ${interfaces.join(', ')}`);
process.exit(runTests());

function runTests() {
  // A report left by an earlier run must never be summarised as this one's.
  rmSync('test-results/junit.xml', { force: true });
  // A whole run leaves out the projects this machine cannot run; a narrowed one (a file, -t, --project)
  // is the caller's choice and runs as asked.
  const blocked = args.length === 0 ? blockedProjects(missing) : [];
  const projects = PROJECTS.filter((p) => !blocked.includes(p)).flatMap((p) => ['--project', p]);
  const status = run('npx', ['vitest', 'run', ...(blocked.length > 0 ? projects : []), ...args]);
  if (blocked.length > 0) {
    const bar = '!'.repeat(78);
    const install = describeMissing(missing).split('\n').find((l) => l.includes('apt-get')) ?? '';
    console.warn(`\n${bar}\n!! SKIPPED, whole projects: ${blocked.join(', ')} (${missing.map((p) => p.what).join('; ')} missing).\n${install}\n${bar}`);
  }
  const skippedElsewhere = summarise();
  // A skipped suite is not a passed one. Only the Electron suite may skip (no binary here); under
  // CI, or inside the loopback namespace where the lab can run, any other skip fails the run.
  // (A run narrowed on the command line — a file, -t — skips the rest on purpose.)
  const strict = (process.env.CI === 'true' || process.env.AGENT_CONSOLE_IN_NETNS === '1') && args.length === 0;
  if (status === 0 && process.env.CI === 'true' && blocked.length > 0) {
    console.error(`\n[agent-console] FAILED: under CI every project must run, and ${blocked.join(', ')} could not (see above).`);
    return 1;
  }
  if (status === 0 && strict && skippedElsewhere.length > 0) {
    console.error(
      `\n[agent-console] FAILED: ${skippedElsewhere.length} test(s) outside the Electron suite were skipped ` +
        `(a lab, UI or media suite that could not start counts as a failure here):\n` +
        skippedElsewhere.slice(0, 20).map((t) => `  - ${t}`).join('\n'),
    );
    return 1;
  }
  return status;
}

/**
 * One plain closing line from the JUnit report, the form CI dashboards and scripts read.
 * Returns the skipped tests outside the Electron suite ("file > name").
 */
function summarise() {
  let xml;
  try {
    xml = readFileSync('test-results/junit.xml', 'utf8');
  } catch {
    return [];
  }
  const root = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? '';
  const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)?.[1] ?? 0);
  const skipped = (xml.match(/<skipped\b/g) ?? []).length;
  const failed = attr('failures') + attr('errors');
  const passed = attr('tests') - failed - skipped;
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  const elsewhere = [];
  for (const m of xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*>\s*<skipped/g)) {
    if (!m[1].startsWith('test/e2e/')) elsewhere.push(`${m[1]} > ${m[2]}`);
  }
  return elsewhere;
}
