/**
 * The IPC contract: every channel between the UI and main, with its schemas.
 * Pure (no Electron, no Node APIs): main, preload and tests import values from
 * here; the renderer imports types only.
 */
export * from './result';
export * from './define';
export * from './app';
export * from './settings';
export * from './line';
export * from './media-port';
export * from './history';
export * from './calls';
export * from './transfer';
export * from './audio';
export * from './targets';
export * from './agent';
export * from './desktop';
export * from './demo';

import { agent } from './agent';
import { app } from './app';
import { audio } from './audio';
import { history } from './history';
import { calls } from './calls';
import { desktop } from './desktop';
import { demo } from './demo';
import { line } from './line';
import { settings } from './settings';
import { targets } from './targets';
import { transfer } from './transfer';

/** Every domain's channels. Each later domain (calls, history, transfer) adds itself here. */
export const contract = { app, settings, line, history, calls, transfer, audio, targets, agent, desktop, demo } as const;
