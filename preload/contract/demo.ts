/**
 * The built-in demo (docs/demo.md): a switchboard, a Support queue and
 * colleagues inside the app, so the console can be tried without a phone
 * system. Starting it hands the line an account of its own (the agent's real
 * account is neither changed nor used); leaving it gives the real one back.
 *
 *   off ─start─▶ starting ─▶ on ─leave─▶ leaving ─▶ off
 *                    └─ fails ─▶ failed (reason) ─start─▶ starting …
 */
import { z } from 'zod';
import { event, noInput, request } from './define';

/** How often callers ring the Support queue; `manual`: only when the agent sends one. */
export const demoPaces = ['calm', 'steady', 'busy', 'manual'] as const;
export type DemoPace = (typeof demoPaces)[number];

export const demoStates = ['off', 'starting', 'on', 'leaving', 'failed'] as const;
export type DemoState = (typeof demoStates)[number];

export const demoViewSchema = z.strictObject({
  state: z.enum(demoStates),
  /** Why the demo failed or cannot run here, in main's words; null otherwise. */
  reason: z.string().max(1000).nullable(),
  /** Whether this console can run the demo at all (it needs its media host and the demo's parties page). */
  available: z.boolean(),
  pace: z.enum(demoPaces),
  /** The agent's demo address while the demo runs (sip:agent@demo.invalid); null otherwise. */
  address: z.string().max(200).nullable(),
});
export type DemoView = z.infer<typeof demoViewSchema>;

export const demo = {
  state: request('demo:state', noInput, demoViewSchema),
  /** `busy` while a call is up; `unavailable` when it cannot start here (the reason says why). */
  start: request('demo:start', z.strictObject({ pace: z.enum(demoPaces).default('steady') }), demoViewSchema),
  /** Ends the demo's calls and gives the line back to the agent's own account. */
  leave: request('demo:leave', noInput, demoViewSchema),
  setPace: request('demo:set-pace', z.strictObject({ pace: z.enum(demoPaces) }), demoViewSchema),
  /** A caller rings the Support queue now (`not-allowed` outside the demo, `busy` when every demo caller is already calling). */
  sendCaller: request('demo:send-caller', noInput, demoViewSchema),
  changed: event('demo:changed', demoViewSchema),
} as const;
