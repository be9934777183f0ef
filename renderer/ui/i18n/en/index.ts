/**
 * English, the source catalogue: one file per area of the screen, merged here.
 * Keys are `area.thing`; other languages must carry exactly these keys.
 */
import { agent } from './agent';
import { calls } from './calls';
import { common } from './common';
import { desktop } from './desktop';
import { demo } from './demo';
import { history } from './history';
import { settings } from './settings';
import { targets } from './targets';
import { transfer } from './transfer';

export const en = {
  ...common,
  ...calls,
  ...agent,
  ...transfer,
  ...targets,
  ...history,
  ...settings,
  ...desktop,
  ...demo,
} as const;

export type MessageKey = keyof typeof en;
export type Catalogue = Readonly<Record<MessageKey, string>>;
