/**
 * Every request schema in the contract refuses garbage. The first block is
 * driven by the `contract` object itself, so channels other domains add later
 * (calls, history, transfer) are held to the same rules without editing this file.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, type EventChannel, type RequestChannel } from '../../../preload/contract';

const channels = Object.values(contract).flatMap((domain) => Object.values(domain as Record<string, RequestChannel | EventChannel>));
const requests = channels.filter((c): c is RequestChannel => c.kind === 'request');
const events = channels.filter((c): c is EventChannel => c.kind === 'event');

const huge = 'x'.repeat(100_000);
const issues = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues;
};
const objectShape = (schema: z.ZodType): Record<string, z.ZodType> | null =>
  schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : null;

describe('contract: every channel', () => {
  it('has a unique domain:verb name', () => {
    const names = channels.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z-]*:[a-z][a-z-]*$/);
    expect(requests.length).toBeGreaterThanOrEqual(9);
  });
});

describe.each(requests.map((c) => [c.name, c] as const))('request %s', (_name, channel) => {
  const schema = channel.request;
  const shape = objectShape(schema);

  it('rejects values of the wrong type and oversized strings', () => {
    const garbage: unknown[] = [null, 0, -1, Number.NaN, true, huge, [], [huge], Array.from({ length: 10_000 }, () => 1), () => 1];
    for (const value of garbage) {
      expect(schema.safeParse(value).success, `accepted ${typeof value} ${String(value).slice(0, 40)}`).toBe(false);
    }
  });

  it('rejects unknown keys (objects are strict; nothing rides along unchecked)', () => {
    const junk = JSON.parse('{"__proto__":{"polluted":true},"__junk":1,"constructor":"x"}') as unknown;
    const found = issues(schema, junk);
    expect(found.length).toBeGreaterThan(0);
    if (shape) expect(found.some((i) => i.code === 'unrecognized_keys')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  if (shape) it('every field is typed and rejects a 100 kB string, a junk object and a huge junk array', () => {
    const hugeArray = Array.from({ length: 10_001 }, () => ({ __junk: 1 }));
    for (const key of Object.keys(shape)) {
      for (const bad of [huge, { __junk: 1 }, hugeArray]) {
        const found = issues(schema, { [key]: bad });
        expect(found.some((i) => i.path[0] === key), `${channel.name}.${key} accepted ${JSON.stringify(bad).slice(0, 20)}`).toBe(true);
      }
      // Typed: a field takes a number or a short string, never both (no z.unknown() at the boundary).
      const takesNumber = !issues(schema, { [key]: 12345 }).some((i) => i.path[0] === key);
      const takesText = !issues(schema, { [key]: 'abc' }).some((i) => i.path[0] === key);
      expect(takesNumber && takesText, `${channel.name}.${key} accepts both numbers and strings`).toBe(false);
    }
  });

  if (shape) it('reports every missing required field by name', () => {
    const required = Object.entries(shape)
      .filter(([, field]) => !field.safeParse(undefined).success)
      .map(([key]) => key);
    const found = issues(schema, {});
    for (const key of required) expect(found.some((i) => i.path[0] === key), `missing ${key} not reported`).toBe(true);
  });

  if (!shape && schema.safeParse(undefined).success) it('takes no input: refuses an empty string and an empty object', () => {
    expect(schema.safeParse('').success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
  });
});

describe.each(events.map((c) => [c.name, c] as const))('event %s', (_name, channel) => {
  it('refuses payloads that are not its shape', () => {
    for (const value of [undefined, null, 0, huge, [{ __junk: 1 }], { __junk: 1 }]) {
      expect(channel.payload.safeParse(value).success).toBe(false);
    }
  });
});
