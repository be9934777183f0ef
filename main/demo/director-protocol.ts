/**
 * The parties page's reports, checked before the director reads them: the
 * page is a renderer like any other, and what crosses into main is parsed
 * from `unknown` (docs/architecture.md, "Hostile input"). The shapes are
 * those of renderer/demo/protocol.ts.
 */
import { z } from 'zod';
import type { PartyReport } from '../../renderer/demo/protocol';

const id = z.string().min(1).max(64);
const hears = z.strictObject({
  voices: z.array(z.number()).max(32),
  tones: z.array(z.number()).max(32),
  music: z.boolean(),
  silence: z.boolean(),
  levelDb: z.number(),
});

export const partyReportSchema: z.ZodType<PartyReport> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('party-ready'), party: id, registered: z.boolean() }),
  z.strictObject({
    type: z.literal('call'),
    party: id,
    call: id,
    direction: z.enum(['in', 'out']),
    phase: z.enum(['calling', 'ringing', 'established', 'ended']),
    remote: z.string().max(256),
    status: z.number().int().min(100).max(699).optional(),
    referred: z.literal(true).optional(),
    replaced: z.literal(true).optional(),
  }),
  z.strictObject({ type: z.literal('held'), party: id, call: id, held: z.boolean() }),
  z.strictObject({ type: z.literal('heard'), request: z.number().int(), report: hears.nullable() }),
  z.strictObject({ type: z.literal('problem'), party: id.optional(), message: z.string().max(2000) }),
]);
