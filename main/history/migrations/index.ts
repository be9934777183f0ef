/** Every migration, in order. Append a new file and add it here; never edit a shipped one. */
import { migration0001 } from './0001-calls';
import { migration0002 } from './0002-search';
import { migration0003 } from './0003-number-suffix';
import { migration0004 } from './0004-service-words';
import { migration0005 } from './0005-missed-seen';
import { migration0006 } from './0006-agent-status';
import { migration0007 } from './0007-released-steps';
import { migration0008 } from './0008-transferred-by';
import type { Migration } from './migration';

export type { Migration } from './migration';
export const migrations: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008];
