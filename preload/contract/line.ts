import { z } from 'zod';
import { event, noInput, request } from './define';

/**
 * The agent's SIP line (registration), as shown in the status bar.
 *
 *   unconfigured ─save account─▶ connecting ─ws up─▶ registering ─200─▶ registered
 *        ▲                          ▲    │                 │                │
 *        └──remove account──────────┤    └──────┬──────────┘                │
 *                                   │        failed ◀── 401/403/404/timeout ┘
 *                                   └── reconnecting ◀── socket dropped
 */
export const lineStates = [
  'unconfigured',
  'connecting',
  'registering',
  'registered',
  'reconnecting',
  'failed',
  'unregistered',
] as const;
export type LineState = (typeof lineStates)[number];

export const lineFailureCodes = [
  'wrong-credentials',
  'forbidden',
  'not-found',
  'timeout',
  'unreachable',
  'tls',
  'server-error',
  'no-password',
] as const;

export const lineStatusSchema = z.strictObject({
  state: z.enum(lineStates),
  /** The address of record, when configured. */
  aor: z.string().nullable(),
  /** Human reason for failed/reconnecting, shown as is. */
  reason: z
    .strictObject({ code: z.enum(lineFailureCodes), message: z.string() })
    .nullable(),
  since: z.number(),
});
export type LineStatus = z.infer<typeof lineStatusSchema>;

export const line = {
  status: request('line:status', noInput, lineStatusSchema),
  /** Re-register now (after a failure the agent fixed on the server side). */
  reconnect: request('line:reconnect', noInput, lineStatusSchema),
  changed: event('line:changed', lineStatusSchema),
} as const;
