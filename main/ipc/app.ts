/**
 * app:* and settings:* → the notices the agent must see, the settings store
 * and the checks that refuse a setting under its field before it is saved.
 */
import { contract, type AppInfo, type Notice } from '../../preload/contract';
import { ConsoleError } from '../../preload/contract/result';
import { checkHoldMusicTrack } from '../media/music-file';
import { checkCaFile } from '../settings/ca-file';
import type { SettingsStore } from '../settings/store';
import type { Router } from './router';

export interface AppHandlerDeps {
  info: () => AppInfo;
  notices: Notice[];
  settings: SettingsStore;
  /** The system's open-file dialog for the agent's own hold music; absent: `unavailable`. */
  chooseMusicFile?: () => Promise<string | null>;
  /** Preferences changed: audio devices and hold music follow them. */
  preferencesChanged: () => void;
  /** The account was saved or removed: the line restarts with it. */
  accountChanged: () => void;
  /** Where targets come from changed: the provider restarts with it. */
  providerChanged: () => void;
}

export function registerAppHandlers(router: Router, d: AppHandlerDeps): void {
  router.handle(contract.app.info, () => d.info());
  router.handle(contract.app.notices, () => d.notices);
  router.handle(contract.app.dismissNotice, (id) => {
    const i = d.notices.findIndex((n) => n.id === id);
    if (i >= 0) d.notices.splice(i, 1);
    return null;
  });

  router.handle(contract.settings.get, () => d.settings.view());
  router.handle(contract.settings.update, async (patch) => {
    // A hold-music file that will not play is refused here, under its field, not found out on the next hold.
    if (patch.holdMusic?.track !== undefined) await checkHoldMusicTrack(patch.holdMusic.track);
    const view = d.settings.updatePreferences(patch);
    router.push(contract.settings.changed, view);
    d.preferencesChanged();
    return view;
  });
  router.handle(contract.audio.chooseMusicFile, async () => {
    if (!d.chooseMusicFile) throw new ConsoleError('unavailable', 'No file dialog here: type the full path of the file.');
    return d.chooseMusicFile();
  });
  router.handle(contract.settings.saveAccount, async (input) => {
    // A CA file that will not verify anything is refused under its field; nothing is saved.
    if (input.caFile !== undefined) await checkCaFile(input.caFile);
    const view = d.settings.saveAccount(input);
    router.push(contract.settings.changed, view);
    d.accountChanged();
    return view;
  });
  router.handle(contract.settings.removeAccount, () => {
    const view = d.settings.removeAccount();
    router.push(contract.settings.changed, view);
    d.accountChanged();
    return view;
  });
  router.handle(contract.settings.saveProvider, (input) => {
    const view = d.settings.saveProvider(input);
    router.push(contract.settings.changed, view);
    d.providerChanged();
    return view;
  });
}
