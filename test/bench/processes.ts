/**
 * Reading processes from /proc for the footprint benchmark: the tree under a
 * PID, what kind of Chromium process each is, its proportional set size
 * (PSS: shared pages divided among the processes sharing them, so the PSS of
 * a browser's processes adds up to what the browser costs) and its CPU time.
 * Linux only, like the lab.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** PSS in bytes (smaps_rollup), or null when the process is gone. */
export function pssOf(pid: number): number | null {
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  const kb = rollup ? /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] : undefined;
  return kb === undefined ? null : Number(kb) * 1024;
}

/** User + system CPU time in ms, or null when the process is gone. */
export function cpuMsOf(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** The command line as one string (Chromium rewrites its children's argv into one space-separated string). */
export function cmdlineOf(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ');
}

function parentOf(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : null;
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const parent = parentOf(pid);
    if (parent !== null) (children.get(parent) ?? children.set(parent, []).get(parent)!).push(pid);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** The first process whose command line contains `needle` (e.g. a file only one browser was given). */
export function findProcess(needle: string): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (cmdlineOf(Number(name)).includes(needle)) return Number(name);
  }
  return null;
}

/** What a Chromium process is, from its command line: browser, renderer, gpu, zygote, utility:<service>. */
export function chromiumKind(pid: number): string {
  const args = cmdlineOf(pid);
  const type = /--type=(\S+)/.exec(args)?.[1];
  if (!type) return 'browser';
  if (type === 'utility') {
    const sub = /--utility-sub-type=(\S+)/.exec(args)?.[1] ?? '';
    return `utility:${sub.replace(/\.mojom\..*$/, '').replace(/^.*\./, '')}`;
  }
  return type === 'gpu-process' ? 'gpu' : type;
}

/**
 * The physical memory a set of processes holds, each page counted once, from
 * /proc/<pid>/pagemap (root only: page frame numbers are hidden otherwise).
 * PSS divides a shared page among EVERY process on the machine that maps it —
 * here other jobs' Chromium processes map the same browser binary — so it
 * moves with what else runs. Counting the set's own pages once says what the
 * set costs where nothing else shares them (an agent's machine). Per process:
 * its share of each page, divided among the set's processes that map it.
 */
export function setMemory(pids: readonly number[]): { total: number; perPid: Map<number, number>; supported: boolean } {
  const PAGE = 4096;
  const pagesOf = new Map<number, number[]>();
  const sharers = new Map<number, number>();
  let supported = true;
  for (const pid of pids) {
    const smaps = read(`/proc/${pid}/smaps`);
    if (!smaps) continue;
    const frames: number[] = [];
    let fd: number | null = null;
    try {
      fd = openSync(`/proc/${pid}/pagemap`, 'r');
      // Only mappings with resident pages: Chromium reserves terabytes of address space it never touches.
      const ranges: Array<[number, number]> = [];
      let current: [number, number] | null = null;
      for (const line of smaps.split('\n')) {
        const header = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
        if (header) current = [parseInt(header[1]!, 16), parseInt(header[2]!, 16)];
        else if (current && line.startsWith('Rss:') && Number(/(\d+)/.exec(line)?.[1]) > 0) ranges.push(current);
      }
      for (const [start, end] of ranges) {
        const count = (end - start) / PAGE;
        const buf = Buffer.alloc(count * 8);
        readSync(fd, buf, 0, buf.length, (start / PAGE) * 8);
        for (let i = 0; i < count; i++) {
          const hi = buf.readUInt32LE(i * 8 + 4);
          if (!(hi & 0x80000000)) continue; // not present (there is no swap here)
          const pfn = (hi & 0x7fffff) * 2 ** 32 + buf.readUInt32LE(i * 8);
          if (pfn === 0) supported = false;
          frames.push(pfn);
        }
      }
    } catch {
      continue; // the process ended meanwhile
    } finally {
      if (fd !== null) closeSync(fd);
    }
    const unique = [...new Set(frames)];
    pagesOf.set(pid, unique);
    for (const f of unique) sharers.set(f, (sharers.get(f) ?? 0) + 1);
  }
  const perPid = new Map<number, number>();
  for (const [pid, frames] of pagesOf) perPid.set(pid, frames.reduce((n, f) => n + PAGE / sharers.get(f)!, 0));
  return { total: sharers.size * PAGE, perPid, supported };
}
