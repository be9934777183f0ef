/**
 * What the test suite needs from the machine beyond `npm ci`, checked before
 * anything runs (test/run.mjs): on a fresh machine one message says what is
 * missing and the one command that installs it, the projects that cannot run
 * are reported SKIPPED (loudly; under CI that fails the run), and the rest
 * runs. Plain JavaScript so `node test/run.mjs` can use it without a build.
 */
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian's Chromium, which every browser-driving test uses (test/harness/chromium.ts names the same path). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Every vitest project (vitest.config.ts; a unit test keeps the two lists equal). */
export const PROJECTS = ['unit', 'renderer', 'integration', 'media', 'ui', 'lab', 'electron', 'demo'];

const onPath = (bin) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));

/** Kamailio's module folder holds the modules the lab's kamailio.cfg loads beyond the core package. */
const kamailioModules = () => {
  for (const lib of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']) {
    const dir = join(lib, 'kamailio', 'modules');
    if (existsSync(dir)) {
      const mods = new Set(readdirSync(dir));
      return ['websocket.so', 'presence.so', 'presence_dialoginfo.so'].every((m) => mods.has(m));
    }
  }
  return false;
};

/** What is checked, what it serves, and the Debian packages that provide it. */
export const prerequisites = [
  { id: 'chromium', what: `Chromium at ${CHROMIUM_PATH}`, for: 'the UI, media, demo and SIP lab tests', packages: ['chromium'], present: () => existsSync(CHROMIUM_PATH), projects: ['ui', 'media', 'demo', 'lab'] },
  {
    id: 'kamailio',
    what: 'Kamailio with its WebSocket and presence modules',
    for: 'the SIP lab',
    packages: ['kamailio', 'kamailio-websocket-modules', 'kamailio-presence-modules'],
    present: () => (existsSync('/usr/sbin/kamailio') || onPath('kamailio')) && kamailioModules(),
    projects: ['lab'],
  },
  { id: 'sipp', what: 'SIPp', for: 'the SIP lab (malformed and unusual SIP)', packages: ['sip-tester'], present: () => onPath('sipp') || existsSync('/usr/bin/sipp'), projects: ['lab'] },
  {
    id: 'baresip',
    what: 'baresip and rtpengine, with a C compiler and libre headers for the lab\u2019s recorder module',
    for: 'the SIP lab (a plain-SIP caller behind a media relay)',
    packages: ['baresip-core', 'rtpengine-daemon', 'build-essential', 'libre-dev'],
    present: () =>
      (onPath('baresip') || existsSync('/usr/bin/baresip')) &&
      (onPath('rtpengine') || existsSync('/usr/bin/rtpengine')) &&
      (onPath('gcc') || existsSync('/usr/bin/gcc')) &&
      existsSync('/usr/include/re/re.h'),
    projects: ['lab'],
  },
  { id: 'netns', what: '`ip` and `unshare`', for: 'the loopback-only network namespace the lab runs in', packages: ['iproute2', 'util-linux'], present: () => onPath('ip') && onPath('unshare'), projects: ['lab'] },
];

/** The prerequisites this machine lacks. */
export function missingPrerequisites() {
  return prerequisites.filter((p) => !p.present());
}

/** The projects that cannot run without what is missing. */
export function blockedProjects(missing) {
  return PROJECTS.filter((project) => missing.some((p) => p.projects.includes(project)));
}

/** One message: what is missing, what for, and the command that installs all of it. */
export function describeMissing(missing) {
  if (missing.length === 0) return '';
  const bar = '!'.repeat(78);
  const packages = [...new Set(missing.flatMap((p) => p.packages))].join(' ');
  const lines = missing.map((p) => `!!   - ${p.what}: needed by ${p.for}`);
  const skipped = blockedProjects(missing);
  return [
    bar,
    '!! This machine lacks what some tests need:',
    ...lines,
    `!! Install it (Debian/Ubuntu, as root): apt-get update && apt-get install -y ${packages}`,
    `!! Until then these test projects are SKIPPED: ${skipped.join(', ')} — the rest runs.`,
    bar,
  ].join('\n');
}
