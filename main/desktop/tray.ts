/**
 * The tray icon: Electron's Tray showing what tray-model.ts computed. It
 * keeps nothing of its own: each update sets the icon, the tooltip and the
 * menu when they differ from what is shown, and a menu click is handed back
 * by the item's id. Icons are plain PNG files (resources/tray/, drawn by
 * resources/tray/generate.mjs); Electron picks the @2x file on HiDPI screens.
 */
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { TrayCommand, TrayIcon, TrayModel } from './tray-model';

export interface TrayView {
  update(model: TrayModel): void;
  dispose(): void;
}

export function createElectronTray(o: {
  /** Folder of the state icons (`<state>.png` and `<state>@2x.png`). */
  iconDir: string;
  onCommand(command: TrayCommand): void;
  /** A plain click on the icon (Windows, Linux): show or hide the console. */
  onClick(): void;
  initial: TrayModel;
}): TrayView {
  const image = (icon: TrayIcon) => nativeImage.createFromPath(join(o.iconDir, `${icon}.png`));
  const tray = new Tray(image(o.initial.icon));
  let icon: TrayIcon | null = o.initial.icon;
  let tooltip = '';
  let menu = '';
  tray.on('click', () => o.onClick());

  const update = (model: TrayModel) => {
    if (model.icon !== icon) {
      icon = model.icon;
      tray.setImage(image(model.icon));
    }
    if (model.tooltip !== tooltip) {
      tooltip = model.tooltip;
      tray.setToolTip(model.tooltip);
    }
    const key = JSON.stringify(model.menu);
    if (key !== menu) {
      menu = key;
      const template: MenuItemConstructorOptions[] = model.menu.map((item) =>
        item.type === 'separator'
          ? { type: 'separator' }
          : { id: item.id, label: item.label, type: item.type, enabled: item.enabled, checked: item.checked, click: () => o.onCommand(item.id) },
      );
      tray.setContextMenu(Menu.buildFromTemplate(template));
    }
  };
  update(o.initial);

  return {
    update,
    dispose() {
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
