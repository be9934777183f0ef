/**
 * Settings in `<dataDir>/settings.json`. Writes are atomic (temp file +
 * rename) so a crash never leaves half a file, and a failed write leaves no
 * temp file. A file that cannot be read at all — corrupt JSON, larger than any
 * settings file, no object, or written by a newer console — is never
 * overwritten in place: it is renamed `settings.json.<reason>-<time>`, the
 * console starts from defaults, and the caller gets a notice to show. A file
 * with some unusable values is recovered field by field (./recover.ts): the
 * rest is kept, the original is copied aside, and one notice names what was
 * reset.
 *
 * A data folder that cannot be written (read-only, full, no permission) never
 * stops the console: the settings are kept in memory, the notice says which
 * folder needs what, and every later save tries the disk again. A file that
 * could not be set aside (or read) is never written over: it is set aside
 * first, by the first save that can.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountInputSchema,
  ConsoleError,
  preferencesSchema,
  type AccountInput,
  providerInputSchema,
  type Preferences,
  type PreferencesPatch,
  type ProviderInput,
  type ProviderView,
  type SettingsView,
} from '../../preload/contract';
import type { Logger } from '../logging/logger';
import { CURRENT_SETTINGS_VERSION, defaultSettings, MAX_SETTINGS_FILE_BYTES, settingsFileSchema, type SettingsFile, type StoredProvider } from './file';
import { recoverSettings } from './recover';
import type { SecretStore } from './secrets';

export interface SettingsProblem {
  /**
   * `recovered`: some values were reset, the rest kept; `unreadable`: the file could not be read at all;
   * `unwritable`: the file was fine but the folder cannot be written; otherwise the whole file was set aside.
   */
  reason: 'corrupt' | 'invalid' | 'newer-version' | 'too-large' | 'recovered' | 'unreadable' | 'unwritable';
  /** Where the original file is now (renamed, or copied when recovered); its own path when it could not be moved. */
  keptAs: string;
  message: string;
  /** What was reset to its default (dotted paths); empty unless recovered. */
  reset: string[];
  /** The one notice the agent sees about it. */
  notice: string;
}

/** At most this many paths are named in the notice; the rest are counted. */
const NAMED_RESETS = 8;

export interface SettingsStore {
  readonly problem: SettingsProblem | null;
  /** Why settings live in memory only (the data folder cannot be written); null (or absent) when they are saved. */
  readonly memoryOnly?: string | null;
  file(): SettingsFile;
  view(): SettingsView;
  /** The plain password for the SIP stack; null when none is stored. */
  password(): string | null;
  updatePreferences(patch: PreferencesPatch): SettingsView;
  saveAccount(input: AccountInput): SettingsView;
  removeAccount(): SettingsView;
  /** Where targets come from (and the VoIPBIN login, its secret sealed). */
  saveProvider(input: ProviderInput): SettingsView;
  /** The plain VoIPBIN password or access key; null when none is stored. */
  providerSecret(): string | null;
}

function providerView(p: StoredProvider): ProviderView {
  if (p.kind !== 'voipbin') return { kind: p.kind };
  return { kind: 'voipbin', apiUrl: p.apiUrl, method: p.method, username: p.username ?? null, hasSecret: p.secretSealed !== undefined };
}

export function openSettingsStore(dataDir: string, secrets: SecretStore, log: Logger): SettingsStore {
  const path = join(dataDir, 'settings.json');
  let problem = null as SettingsProblem | null;
  let current: SettingsFile;
  /** Why nothing can be written to the data folder (null: it can). */
  let memoryOnly: string | null = null;
  /** The original file must be kept (renamed or copied) before anything is written over it. */
  let keepFirst: (() => void) | null = null;
  const why = (e: unknown) => (e as Error).message;
  const cannotWrite = (e: unknown) => {
    memoryOnly ??= why(e);
    log.error('settings: the data folder cannot be written; settings are kept in memory', { dataDir, error: why(e) });
  };

  try {
    mkdirSync(dataDir, { recursive: true });
    // A folder that exists but cannot be written (read-only mount, no permission) is found now, not at the first save.
    accessSync(dataDir, constants.W_OK);
  } catch (e) {
    cannotWrite(e);
  }

  const asideName = (reason: SettingsProblem['reason']) => `${path}.${reason}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const keepAside = (reason: SettingsProblem['reason'], message: string) => {
    const keptAs = asideName(reason);
    const move = () => renameSync(path, keptAs);
    try {
      move();
    } catch (e) {
      // The folder cannot be written: the file stays as it is, and no save writes over it until it is moved.
      cannotWrite(e);
      keepFirst = move;
      problem = { reason, keptAs: path, message, reset: [], notice: '' };
      log.warn('settings: unreadable file left in place; started from defaults in memory', { reason, message });
      return;
    }
    const notice = `Your settings could not be read (${message}). The console started with defaults; the old file was kept as ${keptAs}.`;
    problem = { reason, keptAs, message, reset: [], notice };
    log.warn('settings: kept unreadable file aside and started from defaults', { reason, keptAs, message });
  };
  const recovered = (raw: unknown, why: string): SettingsFile | null => {
    const result = recoverSettings(raw);
    if (!result) return null;
    const keptAs = asideName('recovered');
    const copy = () => copyFileSync(path, keptAs);
    let kept = keptAs;
    try {
      copy();
    } catch (e) {
      cannotWrite(e);
      keepFirst = copy;
      kept = path;
    }
    const named = result.reset.slice(0, NAMED_RESETS).join(', ');
    const more = result.reset.length > NAMED_RESETS ? ` and ${result.reset.length - NAMED_RESETS} more` : '';
    const notice = `Some settings could not be read and were reset to their defaults: ${named}${more}. Everything else was kept; the original file was kept as ${keptAs}.`;
    problem = { reason: 'recovered', keptAs: kept, message: why, reset: result.reset, notice };
    log.warn('settings: reset unreadable values and kept the rest', { reset: result.reset, keptAs: kept });
    return result.file;
  };

  // A temp file is ours only while a write runs: one left by a crash is removed.
  try {
    for (const name of readdirSync(dataDir)) {
      if (name.startsWith('settings.json.tmp-')) rmSync(join(dataDir, name), { force: true, recursive: true });
    }
  } catch (e) {
    log.warn('settings: leftover temp files not removed', { error: why(e) });
  }

  const read = (): SettingsFile => {
    if (!existsSync(path)) return defaultSettings();
    let size: number;
    let text: string;
    try {
      size = statSync(path).size;
      text = size > MAX_SETTINGS_FILE_BYTES ? '' : readFileSync(path, 'utf8');
    } catch (e) {
      // No permission, an I/O error, a folder in its place: what it holds is unknown, so it is never written over.
      keepAside('unreadable', `settings.json could not be read: ${why(e)}`);
      return defaultSettings();
    }
    if (size > MAX_SETTINGS_FILE_BYTES) {
      keepAside('too-large', `settings.json is ${(size / 1024 / 1024).toFixed(1)} MB; a settings file is at most ${MAX_SETTINGS_FILE_BYTES / 1024 / 1024} MB`);
      return defaultSettings();
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      keepAside('corrupt', `settings.json is not valid JSON (${(e as Error).message})`);
      return defaultSettings();
    }
    const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof version === 'number' && version > CURRENT_SETTINGS_VERSION) {
      keepAside('newer-version', `settings.json was written by a newer console (schema ${version}; this one reads ${CURRENT_SETTINGS_VERSION})`);
      return defaultSettings();
    }
    const parsed = settingsFileSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const reason = `settings.json has unexpected content: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim();
    const kept = recovered(raw, reason);
    if (kept) return kept;
    keepAside('invalid', reason);
    return defaultSettings();
  };
  current = read();

  /** Writes to disk: the original kept first when it must be, then temp file + rename; no temp file survives a failure. */
  const persist = (next: SettingsFile) => {
    if (keepFirst) {
      keepFirst();
      keepFirst = null;
    }
    mkdirSync(dataDir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
      renameSync(tmp, path);
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Not a file we made (the path is taken by something else): nothing of ours to remove.
      }
      throw e;
    }
  };
  const write = (next: SettingsFile) => {
    try {
      persist(next);
    } catch (e) {
      if (memoryOnly === null) {
        log.error('settings: write failed', { error: why(e) });
        throw new ConsoleError('storage', `Settings could not be saved: ${why(e)}`);
      }
      // Already running from memory (the agent was told): the change holds until the console closes.
      log.warn('settings: saved in memory only', { error: why(e) });
      current = next;
      return;
    }
    if (memoryOnly !== null) log.info('settings: the data folder can be written again; settings saved', { dataDir });
    memoryOnly = null;
    current = next;
  };
  // A recovered file is written back at once: what the console runs on is what is on disk.
  if (memoryOnly === null && (!existsSync(path) || problem?.reason === 'recovered')) {
    try {
      persist(current);
    } catch (e) {
      cannotWrite(e);
    }
  }
  if (memoryOnly !== null) problem = inMemoryProblem(problem, dataDir, path, memoryOnly);

  const view = (): SettingsView => ({
    account: current.account && {
      wsUrl: current.account.wsUrl,
      sipUri: current.account.sipUri,
      ...(current.account.authorizationUser !== undefined && { authorizationUser: current.account.authorizationUser }),
      ...(current.account.displayName !== undefined && { displayName: current.account.displayName }),
      acceptSelfSigned: current.account.acceptSelfSigned,
      ...(current.account.caFile !== undefined && { caFile: current.account.caFile }),
      hasPassword: current.account.passwordSealed !== undefined,
    },
    preferences: current.preferences,
    provider: providerView(current.provider),
  });

  /** Seal a write-only secret; refused, nothing saved, when the OS offers no keyring. */
  const seal = (plain: string, field: string, what: string): string => {
    if (!secrets.isAvailable()) {
      throw new ConsoleError('storage', `This computer offers no secure storage for the ${what} (OS keyring unavailable); nothing was saved.`, {
        [field]: 'Cannot be stored: no secure storage (OS keyring) on this computer',
      });
    }
    return secrets.seal(plain);
  };

  return {
    get problem() {
      return problem;
    },
    get memoryOnly() {
      return memoryOnly;
    },
    file: () => current,
    view,
    password() {
      const sealed = current.account?.passwordSealed;
      if (sealed === undefined) return null;
      try {
        return secrets.open(sealed);
      } catch (e) {
        log.error('settings: stored password could not be unsealed', { error: String(e) });
        return null;
      }
    },
    updatePreferences(patch) {
      // Every section, leaf by leaf: a section added to the schema is never dropped here by omission.
      const sections = Object.keys(preferencesSchema.shape) as (keyof Preferences)[];
      const merged = preferencesSchema.parse(
        Object.fromEntries(sections.map((k) => [k, { ...current.preferences[k], ...(patch as Partial<Record<keyof Preferences, object>>)[k] }])),
      );
      write({ ...current, preferences: merged });
      return view();
    },
    saveAccount(input) {
      const account = accountInputSchema.parse(input);
      let passwordSealed = current.account?.passwordSealed;
      if (account.password !== undefined) {
        if (account.password === '') passwordSealed = undefined;
        else {
          passwordSealed = seal(account.password, 'password', 'SIP password');
        }
      }
      write({
        ...current,
        account: {
          wsUrl: account.wsUrl,
          sipUri: account.sipUri,
          ...(account.authorizationUser !== undefined && { authorizationUser: account.authorizationUser }),
          ...(account.displayName !== undefined && { displayName: account.displayName }),
          acceptSelfSigned: account.acceptSelfSigned,
          ...(account.caFile !== undefined && { caFile: account.caFile }),
          ...(passwordSealed !== undefined && { passwordSealed }),
        },
      });
      return view();
    },
    removeAccount() {
      write({ ...current, account: null });
      return view();
    },
    saveProvider(input) {
      const p = providerInputSchema.parse(input);
      if (p.kind !== 'voipbin') {
        write({ ...current, provider: { kind: p.kind } });
        return view();
      }
      const before = current.provider.kind === 'voipbin' ? current.provider : null;
      // The secret belongs to one login: a changed method or user name does not inherit the old one.
      const sameLogin = before?.method === p.login.method && (p.login.method === 'accesskey' || before?.username === p.login.username);
      const given = p.login.method === 'password' ? p.login.password : p.login.accessKey;
      const field = p.login.method === 'password' ? 'login.password' : 'login.accessKey';
      const secretSealed =
        given === undefined ? (sameLogin ? before?.secretSealed : undefined) : given === '' ? undefined : seal(given, field, 'VoIPBIN credentials');
      write({
        ...current,
        provider: {
          kind: 'voipbin',
          apiUrl: p.apiUrl,
          method: p.login.method,
          ...(p.login.method === 'password' && { username: p.login.username }),
          ...(secretSealed !== undefined && { secretSealed }),
        },
      });
      return view();
    },
    providerSecret() {
      const p = current.provider;
      if (p.kind !== 'voipbin' || p.secretSealed === undefined) return null;
      try {
        return secrets.open(p.secretSealed);
      } catch (e) {
        log.error('settings: stored provider secret could not be unsealed', { error: String(e) });
        return null;
      }
    },
  };
}

/**
 * The one notice when the data folder cannot be written: what happened to the
 * file, that settings live in memory until the console closes, and which
 * folder needs what.
 */
function inMemoryProblem(problem: SettingsProblem | null, dataDir: string, path: string, why: string): SettingsProblem {
  const full = /ENOSPC|EDQUOT/.test(why);
  const todo = full
    ? `Free some space on the disk that holds ${dataDir}, then restart the console.`
    : `Give your user account permission to write to ${dataDir} (or ask your administrator), then restart the console.`;
  const memory = `The console runs with its settings in memory only: changes are lost when it closes (${dataDir} cannot be written: ${why}).`;
  if (!problem) {
    return { reason: 'unwritable', keptAs: path, message: why, reset: [], notice: `Settings cannot be saved. ${memory} ${todo}` };
  }
  if (problem.reason === 'recovered') {
    const named = problem.reset.slice(0, NAMED_RESETS).join(', ');
    const more = problem.reset.length > NAMED_RESETS ? ` and ${problem.reset.length - NAMED_RESETS} more` : '';
    return {
      ...problem,
      notice: `Some settings could not be read and were reset to their defaults: ${named}${more}; everything else was kept. ${path} was left as it is. ${memory} ${todo}`,
    };
  }
  const file = problem.keptAs === path ? `${path} was left as it is.` : `The old file was kept as ${problem.keptAs}.`;
  return { ...problem, notice: `Your settings could not be read (${problem.message}). The console started with defaults. ${file} ${memory} ${todo}` };
}
