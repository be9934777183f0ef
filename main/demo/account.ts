/**
 * The demo's SIP account, handed to the line without ever being saved: the
 * line reads its account from the settings it is given (main/core/telephony.ts),
 * so the core gives it this view of the settings store, which answers with
 * the demo account while the demo runs and with the agent's own otherwise.
 * Everything else — preferences, saving the real account in Settings during
 * the demo — goes to the real store untouched, and leaving the demo is
 * nothing more than dropping the override and restarting the line.
 */
import { randomBytes } from 'node:crypto';
import type { SettingsStore } from '../settings/store';
import type { SettingsFile } from '../settings/file';
import { AGENT_NAME, AGENT_USER, DEMO_DOMAIN } from './roster';

export interface DemoAccount {
  wsUrl: string;
  sipUri: string;
  displayName: string;
  password: string;
}

/** The agent's demo account on a switchboard at `sipUrl`. */
export function demoAccount(sipUrl: string): DemoAccount {
  // The switchboard asks for no password, but a line without one refuses to start.
  return { wsUrl: sipUrl, sipUri: `sip:${AGENT_USER}@${DEMO_DOMAIN}`, displayName: AGENT_NAME, password: randomBytes(12).toString('hex') };
}

export interface DemoAccountSwitch {
  /** The settings as the line sees them. */
  readonly settings: SettingsStore;
  /** The account in force for the line: the demo's, or null for the agent's own. */
  use(account: DemoAccount | null): void;
  readonly active: boolean;
}

export function demoAccountSwitch(real: SettingsStore): DemoAccountSwitch {
  let demo: DemoAccount | null = null;
  const settings: SettingsStore = {
    get problem() {
      return real.problem;
    },
    file(): SettingsFile {
      const file = real.file();
      if (!demo) return file;
      return { ...file, account: { wsUrl: demo.wsUrl, sipUri: demo.sipUri, displayName: demo.displayName, acceptSelfSigned: false } };
    },
    view: () => real.view(),
    password: () => (demo ? demo.password : real.password()),
    updatePreferences: (patch) => real.updatePreferences(patch),
    saveAccount: (input) => real.saveAccount(input),
    removeAccount: () => real.removeAccount(),
    saveProvider: (input) => real.saveProvider(input),
    providerSecret: () => real.providerSecret(),
  };
  return {
    settings,
    use(account) {
      demo = account;
    },
    get active() {
      return demo !== null;
    },
  };
}
