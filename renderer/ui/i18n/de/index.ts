/** German. Typed against the English catalogue: a missing key does not compile. */
import type { Catalogue } from '../en';
import { agent } from './agent';
import { calls } from './calls';
import { common } from './common';
import { desktop } from './desktop';
import { demo } from './demo';
import { history } from './history';
import { settings } from './settings';
import { targets } from './targets';
import { transfer } from './transfer';

export const de: Catalogue = {
  ...common,
  ...calls,
  ...agent,
  ...transfer,
  ...targets,
  ...history,
  ...settings,
  ...desktop,
  ...demo,
};
