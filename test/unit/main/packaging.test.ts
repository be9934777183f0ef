/**
 * electron-builder.yml, checked as far as this machine allows (no Electron
 * download here): electron-builder itself loads and schema-validates it, its
 * own file matcher decides that every file the built app loads is packed, its
 * own Linux helper writes the desktop entry that hands tel:/sip: links to the
 * console, and the platform essentials (icons, tray icons, protocols,
 * microphone permission text, notification buttons) are present. `npm run
 * dist` on a machine with internet does the rest.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
// app-builder-lib is electron-builder's engine; resolve it the way electron-builder does.
const builderRequire = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
const { getConfig, validateConfiguration } = builderRequire('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, path: string | null, extra: null): Promise<Config>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { FileMatcher } = builderRequire('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => {
    createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean;
  };
};
const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { LinuxTargetHelper } = builderRequire('app-builder-lib/out/targets/LinuxTargetHelper') as {
  LinuxTargetHelper: new (packager: unknown) => { computeDesktopEntry(options: unknown): Promise<string> };
};

interface Config {
  appId?: string;
  productName?: string;
  /** getConfig normalises `files` into file sets: [{ filter: patterns }]. */
  files?: Array<string | { from?: string; filter?: string[] }>;
  asarUnpack?: string[];
  extraResources?: Array<{ from: string; to: string; filter?: string[] }>;
  icon?: string;
  protocols?: Array<{ name: string; schemes: string[] }>;
  linux?: { target?: string[]; icon?: string; executableName?: string; category?: string };
  win?: { target?: string[]; icon?: string };
  mac?: { target?: string[]; icon?: string; entitlements?: string; extendInfo?: Record<string, string> };
  electronFuses?: Record<string, boolean>;
}

/** What the app loads at run time (package.json main, windows.ts preloads and pages). */
const loadedByTheApp = [
  'out/main/index.js',
  'out/preload/ui.cjs',
  'out/preload/media.cjs',
  'out/renderer/ui/index.html',
  'out/renderer/media/index.html',
];

let config: Config;
let packs: (path: string, isDirectory?: boolean) => boolean;
beforeAll(async () => {
  config = await getConfig(root, null, null);
  const patterns = (config.files ?? []).flatMap((set) => (typeof set === 'string' ? [set] : set.from ? [] : (set.filter ?? [])));
  expect(patterns.length).toBeGreaterThan(0);
  const filter = new FileMatcher(root, '', (s) => s, patterns).createFilter();
  packs = (path, isDirectory = false) => filter(join(root, path), { isDirectory: () => isDirectory });
}, 30_000);

const pngSize = (file: string) => {
  const png = readFileSync(join(root, file));
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
};

// electron-builder's schema validation alone takes seconds (ajv compiles a large schema).
describe('electron-builder.yml', { timeout: 30_000 }, () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('and that validation does reject a malformed config', async () => {
    await expect(validateConfiguration({ ...structuredClone(config), notAnOption: true }, new DebugLogger(false))).rejects.toThrow(/notAnOption/);
  });

  it('names the app', () => {
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('Agent Console');
  });

  it.each(loadedByTheApp)('packs %s', (path) => {
    expect(packs(path)).toBe(true);
  });

  it('packs package.json, the licence and resources with their attribution, but not the icon generator, sources, tests or tooling', () => {
    expect(packs('package.json')).toBe(true);
    expect(packs('resources/icons/512x512.png')).toBe(true);
    expect(packs('LICENSE')).toBe(true);
    expect(packs('resources/ATTRIBUTION.md')).toBe(true);
    for (const path of ['resources/icons/generate.mjs', 'main/index.ts', 'test/run.mjs', 'eslint.config.js', 'electron-builder.yml', 'out/main/index.js.map']) {
      expect(packs(path), path).toBe(false);
    }
  });

  it.runIf(existsSync(join(root, 'out')))('packs every file of the current build (out/)', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [relative(root, path)];
      });
    const built = walk(join(root, 'out')).filter((p) => !p.endsWith('.map'));
    expect(built.length).toBeGreaterThan(0);
    expect(built.filter((p) => !packs(p))).toEqual([]);
  });

  it('keeps native modules and resources out of the asar, and ships resources as real files', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/better-sqlite3/**/*', 'resources/**/*']));
    expect(config.extraResources).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'resources', to: 'resources' })]));
  });

  it('builds AppImage + deb, NSIS and dmg', () => {
    expect(config.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
  });

  it('registers tel: and sip: links', () => {
    expect(config.protocols?.flatMap((p) => p.schemes).sort()).toEqual(['sip', 'tel']);
  });

  it('writes a Linux desktop entry that opens tel:/sip: links with the console and passes the link on (%U)', async () => {
    // The packager as far as the desktop entry reads it (app-builder-lib's LinuxTargetHelper).
    const packager = {
      config,
      platformSpecificBuildOptions: config.linux,
      executableName: config.linux!.executableName,
      appInfo: { productName: config.productName, sanitizedProductName: config.productName, description: 'Desktop console for contact-center agents' },
      info: { metadata: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> },
      fileAssociations: [],
    };
    const entry = await new LinuxTargetHelper(packager).computeDesktopEntry(config.linux);
    const keys = Object.fromEntries(entry.trim().split('\n').slice(1).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    expect(entry.startsWith('[Desktop Entry]\n')).toBe(true);
    expect(keys['Exec']).toBe('"/opt/Agent Console/agent-console" %U');
    expect(keys['MimeType']).toBe('x-scheme-handler/tel;x-scheme-handler/sip;');
    expect(keys).toMatchObject({ Name: 'Agent Console', Type: 'Application', Icon: 'agent-console', Categories: 'Network;' });
  });

  it('packs the tray icons of every state (1x and 2x) and the notification icon, not their generator', async () => {
    const { trayIcons } = await import('../../../main/desktop/tray-model');
    for (const icon of trayIcons) {
      expect(pngSize(`resources/tray/${icon}.png`), icon).toEqual({ width: 16, height: 16 });
      expect(pngSize(`resources/tray/${icon}@2x.png`), icon).toEqual({ width: 32, height: 32 });
      expect(packs(`resources/tray/${icon}.png`)).toBe(true);
    }
    expect(packs('resources/icons/128x128.png')).toBe(true);
    expect(packs('resources/tray/generate.mjs')).toBe(false);
    // The tray and notification icons are also real files beside the app (Windows toasts, Linux notify).
    const extra = config.extraResources?.find((r) => r.from === 'resources');
    expect(extra?.filter).toEqual(expect.arrayContaining(['**/*', '!tray/generate.mjs', '!icons/generate.mjs']));
  });

  it('lets macOS show Answer / Decline on incoming-call notifications (alert style)', () => {
    expect(config.mac?.extendInfo?.['NSUserNotificationAlertStyle']).toBe('alert');
  });

  it('explains the microphone on macOS and is entitled to it under the hardened runtime', () => {
    expect(config.mac?.extendInfo?.['NSMicrophoneUsageDescription']).toMatch(/microphone/i);
    const entitlements = readFileSync(join(root, config.mac!.entitlements!), 'utf8');
    expect(entitlements).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
  });

  it('hardens the Electron binary with fuses', () => {
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true });
  });

  it('uses our own icons, large enough for every platform', () => {
    expect(pngSize(config.icon!)).toEqual({ width: 512, height: 512 });
    expect(pngSize(config.win!.icon!)).toEqual({ width: 256, height: 256 }); // NSIS/ico needs ≥ 256
    expect(pngSize(config.mac!.icon!)).toEqual({ width: 1024, height: 1024 });
    const linux = readdirSync(join(root, config.linux!.icon!)).filter((f) => f.endsWith('.png'));
    for (const file of linux) {
      const n = Number(/^(\d+)x\1\.png$/.exec(file)?.[1]);
      expect(pngSize(join(config.linux!.icon!, file)), file).toEqual({ width: n, height: n });
    }
    expect(linux).toEqual(expect.arrayContaining(['256x256.png', '512x512.png']));
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    main: string;
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
  };

  it('starts the app at the built main bundle', () => {
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('`npm run dist` builds, rebuilds native modules for Electron, then packages without publishing', () => {
    expect(pkg.scripts['dist']).toMatch(/electron-vite build && electron-builder install-app-deps && electron-builder .*--publish never/);
  });

  it('ships better-sqlite3 as the one production dependency (so electron-builder packs and rebuilds it, and nothing the bundles already hold)', () => {
    // What the built main bundle imports at run time is checked against this list in test/ui/main-bundle.test.ts.
    expect(Object.keys(pkg.dependencies)).toEqual(['better-sqlite3']);
  });
});
