/**
 * The lab runs only inside a network namespace whose single interface is
 * `lo`. The interface list is read from /proc/self/net/dev, which follows the
 * calling process's namespace; /sys/class/net does NOT (after a bare
 * `unshare --net` sysfs still shows the host's eth0…), so it cannot tell. Filtering ICE candidates is not enough: with any other interface
 * present Chromium pairs a non-loopback local address with 127.0.0.1, and the
 * lab must never send a packet outside 127.0.0.0/8 (docs/testing.md, "Loopback
 * only, enforced"). `npm test` (test/run.mjs) provides such a namespace; by hand:
 *
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/…'
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export interface NetnsStatus {
  ok: boolean;
  interfaces: string[];
  /** Why the lab cannot run here (empty when ok). */
  reason: string;
}

export class NotInLoopbackNamespaceError extends Error {
  override readonly name = 'NotInLoopbackNamespaceError';
}

const HOW =
  "run it inside a loopback-only network namespace: `npm test`, or as root " +
  "`unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/'`";

export function netnsStatus(): NetnsStatus {
  let interfaces: string[];
  try {
    interfaces = readFileSync('/proc/self/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]!.trim())
      .filter((n) => n.length > 0)
      .sort();
  } catch (e) {
    return { ok: false, interfaces: [], reason: `cannot read /proc/self/net/dev (${String(e)}); ${HOW}` };
  }
  if (interfaces.length !== 1 || interfaces[0] !== 'lo') {
    return {
      ok: false,
      interfaces,
      reason: `network interfaces present: ${interfaces.join(', ')} — the SIP lab needs a namespace with only \`lo\`; ${HOW}`,
    };
  }
  // `lo` exists in every fresh namespace but starts DOWN: nothing would connect.
  // os.networkInterfaces() lists only interfaces that are up with an address.
  const up = (networkInterfaces()['lo'] ?? []).some((a) => a.address === '127.0.0.1');
  if (!up) return { ok: false, interfaces, reason: `\`lo\` is down (run \`ip link set lo up\` first); ${HOW}` };
  return { ok: true, interfaces, reason: '' };
}

/** Throws a clear, typed error unless we are in a loopback-only namespace. */
export function assertLoopbackNamespace(): void {
  const s = netnsStatus();
  if (!s.ok) throw new NotInLoopbackNamespaceError(`SIP lab refused to start: ${s.reason}`);
}

let warned = false;
/**
 * For vitest: `describe.skipIf(labUnavailable())(…)`. Returns true (skip) when
 * not in a loopback-only namespace, and says so LOUDLY on the console — a
 * silently skipped lab would look green.
 */
export function labUnavailable(): boolean {
  const s = netnsStatus();
  if (!s.ok && !warned) {
    warned = true;
    const bar = '!'.repeat(78);
    console.warn(`\n${bar}\n!! SIP LAB TESTS SKIPPED: ${s.reason}\n${bar}\n`);
  }
  return !s.ok;
}
