/**
 * desktop:* → the installed app's shell (main/desktop/shell.ts). The channels
 * are registered with the core, always; the shell attaches once Electron has
 * built it. Where no shell is attached — the headless harness, the lab — they
 * answer `unavailable`, so the UI can say the feature belongs to the installed app.
 */
import { ConsoleError, contract, type DesktopState, type DiagnosticsWritten, type DialRequest } from '../../preload/contract';
import type { Router } from './router';

export interface DesktopHandlers {
  state(): DesktopState;
  takeDialRequest(): DialRequest | null;
  exportDiagnostics(): Promise<DiagnosticsWritten>;
  showDiagnostics(): void;
}

const noShell = () => new ConsoleError('unavailable', 'Only the installed desktop app has hotkeys, notifications, auto-start and diagnostics export.');

export function registerDesktopHandlers(router: Router, shell: () => DesktopHandlers | null): void {
  const d = contract.desktop;
  const attached = () => {
    const s = shell();
    if (!s) throw noShell();
    return s;
  };
  router.handle(d.state, () => attached().state());
  // Nothing to take without a shell: no link could have arrived.
  router.handle(d.takeDialRequest, () => shell()?.takeDialRequest() ?? null);
  router.handle(d.exportDiagnostics, () => attached().exportDiagnostics());
  router.handle(d.showDiagnostics, () => (attached().showDiagnostics(), null));
}
