/**
 * Every settings value has a ceiling, wherever it crosses a boundary: what
 * the UI sends (account, preferences, provider), what main shows back, what
 * the settings file may hold, and the history's recording status. A walk over
 * the schemas finds any string or list without one — a 50 MB display name
 * must be refused at the door, not stored and pushed to the UI on every
 * change.
 */
import { describe, expect, it } from 'vitest';
import { z as zod, type z } from 'zod';
import { settingsFileSchema } from '../../../main/settings/file';
import {
  accountInputSchema,
  preferencesPatchSchema,
  providerInputSchema,
  recordingStatusSchema,
  settingsViewSchema,
} from '../../../preload/contract';
import { startTestCore } from '../../support/core';
import { tempDir } from './history-fixtures';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  checks?: Array<{ _zod: { def: { check: string } } }>;
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Paths of strings and lists with no maximum length. */
function unbounded(schema: z.ZodType, path = '$', out: string[] = []): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      if (typeof (schema as z.ZodString).maxLength !== 'number') out.push(path);
      break;
    case 'array':
      if (!def.checks?.some((c) => c._zod.def.check === 'max_length')) out.push(`${path}[]`);
      unbounded(def.element!, `${path}[]`, out);
      break;
    case 'record':
      out.push(`${path}{}`);
      break;
    case 'object':
      for (const [key, value] of Object.entries(def.shape!)) unbounded(value, `${path}.${key}`, out);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      unbounded(def.innerType!, path, out);
      break;
    case 'pipe':
      unbounded(def.in!, path, out);
      unbounded(def.out!, path, out);
      break;
    case 'union':
      def.options!.forEach((o, i) => unbounded(o, `${path}|${i}`, out));
      break;
  }
  return out;
}

describe('settings are bounded everywhere', () => {
  it('the walk finds what has no ceiling (checked on a schema made to have some)', () => {
    const loose = zod.strictObject({ a: zod.string(), b: zod.array(zod.string().max(3)).optional(), c: zod.string().max(9).nullable() });
    expect(unbounded(loose)).toEqual(['$.a', '$.b[]']);
  });

  it.each([
    ['account:save', accountInputSchema],
    ['settings:update', preferencesPatchSchema],
    ['provider:save', providerInputSchema],
    ['settings:get / settings:changed', settingsViewSchema],
    ['settings.json', settingsFileSchema],
    ['history:recording', recordingStatusSchema],
  ] as const)('%s has a ceiling on every string and list', (_name, schema) => {
    expect(unbounded(schema as z.ZodType)).toEqual([]);
  });

  it('refuses a 50 MB display name or device id at the door: nothing stored, nothing pushed', async () => {
    const tmp = tempDir('settings-bounds-');
    const { core, ui } = await startTestCore({ dataDir: tmp.dir });
    try {
      const huge = 'x'.repeat(50 * 1024 * 1024);
      const account = await ui.invoke('account:save', { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', displayName: huge });
      expect(account).toMatchObject({ ok: false, code: 'invalid-request' });
      expect(await ui.invoke('settings:update', { audio: { inputDeviceId: huge } })).toMatchObject({ ok: false, code: 'invalid-request' });
      expect(core.settings.file().account).toBeNull();
      expect(core.settings.file().preferences.audio.inputDeviceId).toBe('default');
      expect(ui.pushed('settings:changed')).toEqual([]);
    } finally {
      await core.stop();
      tmp.remove();
    }
  });
});
