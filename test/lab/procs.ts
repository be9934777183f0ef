/**
 * Every process the lab starts is registered here and stopped by its PID (or
 * its process group, which is its PID) — on stop(), and as a last resort on
 * process exit, SIGINT and SIGTERM. Never by name: other agents' processes
 * share this machine.
 */
import type { ChildProcess } from 'node:child_process';

interface Tracked {
  pid: number;
  label: string;
  /** Kill the whole process group (the child was spawned detached). */
  group: boolean;
}

const tracked = new Map<number, Tracked>();
let hooksInstalled = false;

function signalPid(t: Tracked, sig: NodeJS.Signals): void {
  try {
    process.kill(t.group ? -t.pid : t.pid, sig);
  } catch {
    // already gone
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const t of tracked.values()) signalPid(t, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const t of tracked.values()) signalPid(t, 'SIGKILL');
      tracked.clear();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

export function track(pid: number, label: string, group = false): void {
  installHooks();
  tracked.set(pid, { pid, label, group });
}

export function untrack(pid: number): void {
  tracked.delete(pid);
}

export function trackedProcesses(): Array<{ pid: number; label: string }> {
  return [...tracked.values()].map(({ pid, label }) => ({ pid, label }));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the PID is gone. */
export async function stopPid(pid: number, opts: { group?: boolean; graceMs?: number; child?: ChildProcess } = {}): Promise<void> {
  const t: Tracked = tracked.get(pid) ?? { pid, label: String(pid), group: opts.group ?? false };
  const exited = opts.child
    ? new Promise<void>((resolve) => {
        if (opts.child!.exitCode !== null || opts.child!.signalCode !== null) resolve();
        else opts.child!.once('exit', () => resolve());
      })
    : null;
  signalPid(t, 'SIGTERM');
  const deadline = Date.now() + (opts.graceMs ?? 2000);
  while (Date.now() < deadline) {
    if (exited) {
      const done = await Promise.race([exited.then(() => true), sleep(25).then(() => false)]);
      if (done) break;
    } else {
      if (!isAlive(pid)) break;
      await sleep(25);
    }
  }
  // The group may hold children that outlive the leader: always sweep it.
  signalPid(t, 'SIGKILL');
  if (exited) await Promise.race([exited, sleep(1000)]);
  const gone = Date.now() + 1000;
  while (Date.now() < gone && isAlive(t.group ? -pid : pid)) await sleep(20);
  untrack(pid);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
