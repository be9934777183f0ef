/**
 * Node module hooks that answer `import … from 'electron'` with an inert stand-in,
 * so a built main bundle can be evaluated in plain Node where no Electron binary
 * exists (test/ui/main-bundle.test.ts). Every export is a callable, constructible
 * proxy that returns more of itself; `app.whenReady()` never settles, so the app
 * evaluates every module it bundles and then waits — it never opens a window.
 * Register with `node --import test/support/electron-stub-register.mjs`.
 */
const stub = `
const inert = new Proxy(function () {}, {
  get: (_, key) => (key === 'then' || typeof key === 'symbol' ? undefined : inert),
  apply: () => inert,
  construct: () => inert,
});
const appBase = {
  whenReady: () => new Promise(() => {}),
  requestSingleInstanceLock: () => true,
  isPackaged: false,
  getPath: () => process.env.ELECTRON_STUB_USER_DATA ?? '/nonexistent',
  getVersion: () => '0.0.0',
  name: 'Agent Console',
};
export const app = new Proxy(appBase, { get: (t, k) => (k in t ? t[k] : k === 'then' ? undefined : inert) });
export const BrowserWindow = inert, Menu = inert, MessageChannelMain = inert, Notification = inert, Tray = inert,
  dialog = inert, globalShortcut = inert, ipcMain = inert, nativeImage = inert, safeStorage = inert, session = inert,
  shell = inert, protocol = inert, powerMonitor = inert, screen = inert, nativeTheme = inert, clipboard = inert, net = inert;
export default { app };
`;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: `data:text/javascript,${encodeURIComponent(stub)}`, shortCircuit: true };
  return next(specifier, context);
}
