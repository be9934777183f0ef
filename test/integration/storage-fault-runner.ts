/**
 * One storage fault scenario, run in a child process inside its own mount
 * namespace (`unshare --mount`, started by ./storage-faults.test.ts): there it
 * may mount a small tmpfs as the console's data folder, fill it, remount it
 * read-only or bind a read-only view over one file — real ENOSPC and EROFS
 * from the kernel, gone with the process, invisible to everything else.
 *
 * The whole core takes real calls (./storage-rig.ts) while the fault is on,
 * the storage is then given back, and what the agent saw and what ended up
 * in the history are printed as one `REPORT <json>` line for the test to
 * check. Usage: storage-fault-runner.ts <scenario> <mount point>
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Notice, RecordingStatus } from '../../preload/contract';
import { startConsoleRig, storedCall, type ConsoleRig } from './storage-rig';

type Scenario = 'disk-full' | 'read-only-folder' | 'read-only-folder-damaged-settings' | 'read-only-file' | 'damaged-read-only';

const [scenario, mountPoint] = process.argv.slice(2) as [Scenario, string];
const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' }).toString();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The statuses the agent was shown, trimmed to what the test reads. */
const shown = (rig: ConsoleRig) =>
  rig.ui.pushed<RecordingStatus>('history:recording-changed').map((s) => ({
    state: s.state,
    problem: s.problem,
    waitingEvents: s.waitingEvents,
    waitingCalls: s.waitingCalls,
    writtenBack: s.writtenBack,
    folder: s.folder,
  }));
const notices = async (rig: ConsoleRig) => {
  const r = await rig.ui.invoke('app:notices');
  return r.ok ? (r.value as Notice[]).map((n) => ({ level: n.level, message: n.message })) : [];
};
const integrity = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
};
/** One whole call: the agent calls, holds, takes the caller back and hangs up. */
async function wholeCall(rig: ConsoleRig): Promise<string> {
  const id = await rig.callOut();
  await rig.act('hold', id);
  await rig.act('unhold', id);
  await rig.act('hangup', id);
  return id;
}

async function diskFull(): Promise<unknown> {
  sh('mount', '-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mountPoint);
  const dataDir = join(mountPoint, 'data');
  const rig = await startConsoleRig(dataDir);
  try {
    const before = await wholeCall(rig);
    const storedBefore = await storedCall(rig.ui, before);
    // An export before the fault: the export folder exists, so the one during the fault fails while writing.
    const firstExport = await rig.ui.invoke('history:export', {});
    const up = await rig.callOut();

    // The disk fills up while the call is up.
    const filler = join(mountPoint, 'filler');
    try {
      for (;;) appendFileSync(filler, Buffer.alloc(64 * 1024, 1));
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOSPC') throw e;
    }
    await rig.act('hold', up);
    const told = await rig.recording((s) => s.state === 'waiting', 'the agent to be told calls are not recorded', 5000);
    await rig.act('unhold', up);
    // A whole call while the disk is full, then the first one ends too.
    const during = await wholeCall(rig);
    await rig.act('hangup', up);
    await pause(200);
    const waiting = shown(rig).at(-1);
    const exportDuring = await rig.ui.invoke('history:export', {});
    const exportsLeft = readdirSync(join(dataDir, 'exports'));
    const settingsDuring = await rig.ui.invoke('settings:update', { calls: { dtmf: 'rfc2833' } });
    const settingsFilesDuring = readdirSync(dataDir).filter((n) => n.startsWith('settings.json'));
    const settingsOnDisk = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as { account: unknown; preferences: { calls: unknown } };
    const searchDuring = await rig.ui.invoke('history:search', { query: 'customer' });

    // Space is freed; no call event happens: the probe finds it and writes what waited.
    rmSync(filler);
    const back = await rig.recording((s) => s.state === 'recording' && s.writtenBack !== null, 'recording again after space was freed');
    return {
      told,
      waiting,
      back,
      statuses: shown(rig),
      notices: await notices(rig),
      firstExport,
      exportDuring,
      exportsLeft,
      settingsDuring,
      settingsFilesDuring,
      settingsKept: { account: settingsOnDisk.account !== null, calls: settingsOnDisk.preferences.calls },
      searchDuring: searchDuring.ok ? { ok: true } : searchDuring,
      before: storedBefore,
      after: { before: await storedCall(rig.ui, before), up: await storedCall(rig.ui, up), during: await storedCall(rig.ui, during) },
      integrity: integrity(join(dataDir, 'history.sqlite3')),
    };
  } finally {
    await rig.stop();
  }
}

async function readOnlyFolder(damagedSettings: boolean): Promise<unknown> {
  sh('mount', '-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint);
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  const broken = '{"schemaVersion": 1, "account": {"wsUrl": "wss://pbx.exam';
  if (damagedSettings) writeFileSync(join(dataDir, 'settings.json'), broken);
  sh('mount', '-o', 'remount,ro', mountPoint);
  // The console starts with nothing it can write: settings in memory, calls kept for later.
  const rig = await startConsoleRig(dataDir);
  try {
    const atStart = await rig.ui.invoke('history:recording');
    const pageAtStart = await rig.ui.invoke('history:page', {});
    const startNotices = await notices(rig);
    const filesAtStart = readdirSync(dataDir);
    const call = await wholeCall(rig);
    const waiting = shown(rig).at(-1);

    // The folder becomes writable: the probe creates the history and writes the call.
    sh('mount', '-o', 'remount,rw', mountPoint);
    const back = await rig.recording((s) => s.state === 'recording' && s.writtenBack !== null, 'recording again once the folder is writable');
    const saved = await rig.ui.invoke('settings:update', { calls: { dtmf: 'rfc2833' } });
    const files = readdirSync(dataDir).sort();
    const keptSettings = files.filter((n) => n.startsWith('settings.json.corrupt-'));
    return {
      atStart,
      pageAtStart,
      startNotices,
      filesAtStart,
      waiting,
      back,
      statuses: shown(rig),
      call: await storedCall(rig.ui, call),
      saved: saved.ok,
      files,
      keptSettings: keptSettings.map((n) => readFileSync(join(dataDir, n), 'utf8') === broken),
      settingsOnDisk: existsSync(join(dataDir, 'settings.json')) ? JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) : null,
    };
  } finally {
    await rig.stop();
  }
}

async function readOnlyFile(): Promise<unknown> {
  sh('mount', '-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint);
  const dataDir = join(mountPoint, 'data');
  const file = join(dataDir, 'history.sqlite3');
  let before: string;
  let first = await startConsoleRig(dataDir);
  try {
    before = await wholeCall(first);
  } finally {
    await first.stop();
  }
  // The history file alone becomes read-only (a read-only view of it bound over it): the folder stays writable.
  sh('mount', '--bind', file, file);
  sh('mount', '-o', 'remount,bind,ro', file);
  first = await startConsoleRig(dataDir);
  const rig = first;
  try {
    const atStart = await rig.ui.invoke('history:recording');
    const storedAtStart = await storedCall(rig.ui, before);
    const up = await rig.callOut();
    await rig.act('hold', up);
    await rig.act('hangup', up);
    const waiting = shown(rig).at(-1);
    const note = await rig.ui.invoke('history:note', { id: 1, text: 'while read-only' });

    sh('umount', '-l', file);
    const back = await rig.recording((s) => s.state === 'recording' && s.writtenBack !== null, 'recording again once the file is writable');
    return {
      atStart,
      storedAtStart,
      waiting,
      note,
      back,
      statuses: shown(rig),
      before: await storedCall(rig.ui, before),
      up: await storedCall(rig.ui, up),
      integrity: integrity(file),
    };
  } finally {
    await rig.stop();
  }
}

/** A damaged history in a folder that cannot be written: it cannot be moved aside, so it is left alone until it can. */
async function damagedReadOnly(): Promise<unknown> {
  sh('mount', '-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint);
  const dataDir = join(mountPoint, 'data');
  mkdirSync(dataDir);
  const file = join(dataDir, 'history.sqlite3');
  const damaged = Buffer.alloc(32 * 1024, 0x5a);
  writeFileSync(file, damaged);
  sh('mount', '-o', 'remount,ro', mountPoint);
  const rig = await startConsoleRig(dataDir);
  try {
    const atStart = await rig.ui.invoke('history:recording');
    const startNotices = await notices(rig);
    const call = await wholeCall(rig);
    const waiting = shown(rig).at(-1);
    const untouched = readFileSync(file).equals(damaged);

    sh('mount', '-o', 'remount,rw', mountPoint);
    const back = await rig.recording((s) => s.state === 'recording' && s.writtenBack !== null, 'recording again once the damaged file could be moved');
    const kept = readdirSync(dataDir).filter((n) => n.startsWith('history-damaged-'));
    return {
      atStart,
      startNotices,
      waiting,
      untouched,
      back,
      statuses: shown(rig),
      kept,
      keptIntact: kept.length === 1 && readFileSync(join(dataDir, kept[0]!)).equals(damaged),
      call: await storedCall(rig.ui, call),
      notices: await notices(rig),
    };
  } finally {
    await rig.stop();
  }
}

async function main() {
  const run = {
    'disk-full': diskFull,
    'read-only-folder': () => readOnlyFolder(false),
    'read-only-folder-damaged-settings': () => readOnlyFolder(true),
    'read-only-file': readOnlyFile,
    'damaged-read-only': damagedReadOnly,
  }[scenario];
  if (!run) throw new Error(`unknown scenario ${scenario}`);
  const report = await run();
  process.stdout.write(`REPORT ${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`FAILED ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
