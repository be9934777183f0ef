/**
 * The diagnostics export: one zip an agent attaches to a support ticket,
 * holding what support asks for first — the log files, the settings, the
 * versions, the last SIP messages and the console's state now — with every
 * secret taken out before it is written: the settings as the UI sees them
 * (the password and platform secrets never leave the store, only "has one"),
 * and every text through main/logging/redact.ts (Authorization headers, digest
 * responses, passwords and tokens in URLs or JSON).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiagnosticsWritten } from '../../preload/contract';
import { redact, redactText } from '../logging/redact';
import { zip, type ZipEntry } from './zip';

/** A log file is cut to its last part: the recent past is what explains a problem. */
const MAX_LOG_BYTES = 4 * 1024 * 1024;

export interface DiagnosticsSources {
  /** Folder of console.log / console.old.log (main/logging/logger.ts); null: none. */
  logDir: string | null;
  /** Settings as the UI sees them (no secrets in them; redacted again anyway). */
  settings: () => unknown;
  versions: Record<string, string | null | undefined>;
  /** The last SIP messages (sip-trace.ts). */
  sipTrace?: () => string;
  /** The console's state now, by name (line, calls, agent, desktop…). */
  state?: () => Record<string, unknown>;
  now: () => number;
}

async function tail(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    const data = await readFile(path);
    const cut = info.size > MAX_LOG_BYTES ? data.subarray(data.length - MAX_LOG_BYTES) : data;
    const text = cut.toString('utf8');
    return info.size > MAX_LOG_BYTES ? `[… the first ${info.size - MAX_LOG_BYTES} bytes are left out]\n${text}` : text;
  } catch {
    return null;
  }
}

const json = (value: unknown) => `${JSON.stringify(redact(value), null, 2)}\n`;

/** What goes into the zip, every text already redacted. */
export async function diagnosticsEntries(s: DiagnosticsSources): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  const at = new Date(s.now()).toISOString();
  entries.push({
    name: 'README.txt',
    data:
      `Agent Console diagnostics, written ${at}.\n` +
      'Passwords, access keys, tokens and SIP digest credentials were removed before writing.\n' +
      'Phone numbers and SIP addresses of calls are still in it: share it with your support team only.\n',
  });
  entries.push({ name: 'versions.json', data: json(s.versions) });
  entries.push({ name: 'settings.json', data: json(s.settings()) });
  if (s.state) entries.push({ name: 'state.json', data: json(s.state()) });
  if (s.logDir) {
    for (const file of ['console.log', 'console.old.log']) {
      const text = await tail(join(s.logDir, file));
      if (text !== null) entries.push({ name: `logs/${file}`, data: redactText(text) });
    }
  }
  if (s.sipTrace) entries.push({ name: 'sip-trace.txt', data: redactText(s.sipTrace()) || 'No SIP messages since the console started.\n' });
  return entries;
}

/** Writes `agent-console-diagnostics-<time>.zip` into `dir` (created if needed). */
export async function writeDiagnostics(dir: string, s: DiagnosticsSources): Promise<DiagnosticsWritten> {
  const entries = await diagnosticsEntries(s);
  const archive = zip(entries, new Date(s.now()));
  await mkdir(dir, { recursive: true });
  const stamp = new Date(s.now()).toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `agent-console-diagnostics-${stamp}.zip`);
  // 0600: it holds call numbers and addresses; only the agent's account reads it.
  await writeFile(path, archive, { mode: 0o600, flag: 'wx' });
  return { path, bytes: archive.length, entries: entries.map((e) => e.name) };
}
