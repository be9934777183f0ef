/**
 * Property tests for every account field: whatever the contract's account
 * schema accepts, the SIP stack takes (main/sip/line.ts builds a JsSIP UA from
 * it without throwing) and the core starts with it stored and registers;
 * whatever it refuses is refused under that field. Values come from a seeded
 * generator (test/support/account-fuzz.ts): a failure names its seed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zodFieldErrors } from '../../../main/ipc/router';
import { silentLogger } from '../../../main/logging/logger';
import type { SecretStore } from '../../../main/settings/secrets';
import { createLine } from '../../../main/sip/line';
import { lineAccountProblem } from '../../../main/sip/line-account';
import { contract, hasControlChars, type LineStatus } from '../../../preload/contract';
import { accountFuzz, type AccountFuzzField } from '../../support/account-fuzz';
import { silentMediaHost, startTestCore, untilLine } from '../../support/core';
import { SipMemoryNetwork } from '../../support/sip-memory';
import { fakeMicrophone } from '../../integration/sip-peer';

const schema = contract.settings.saveAccount.request;
const base = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: 'pw-1234' };
const fields: AccountFuzzField[] = ['wsUrl', 'sipUri', 'authorizationUser', 'displayName'];
const SAMPLES = Number(process.env.ACCOUNT_FUZZ_SAMPLES ?? 400);

const net = new SipMemoryNetwork();
afterAll(() => net.close());

interface Sample {
  field: AccountFuzzField;
  seed: number;
  value: string;
}
const samples = (field: AccountFuzzField, seed: number, count: number): Sample[] => {
  const fuzz = accountFuzz(seed);
  return Array.from({ length: count }, () => ({ field, seed, value: fuzz.value(field) }));
};

describe.each(fields)('account field %s', (field) => {
  const seed = 1000 + fields.indexOf(field);
  const all = samples(field, seed, SAMPLES);

  it(`has accepted and refused values among ${SAMPLES} generated (seed ${seed})`, () => {
    const accepted = all.filter((s) => schema.safeParse({ ...base, [field]: s.value }).success);
    // The generator is useful only if it exercises both sides of the rule.
    expect(accepted.length).toBeGreaterThan(SAMPLES * 0.2);
    expect(accepted.length).toBeLessThan(SAMPLES * 0.9);
  });

  it('refuses what it refuses under that field, with a message', () => {
    for (const s of all) {
      const r = schema.safeParse({ ...base, [field]: s.value });
      if (r.success) continue;
      const errors = zodFieldErrors(r.error);
      expect(Object.keys(errors), `seed ${seed}: ${JSON.stringify(s.value)}`).toEqual([field]);
      expect(errors[field]!.length).toBeGreaterThan(10);
    }
  });

  it('builds a JsSIP UA from everything it accepts, and nothing accepted carries a control character', async () => {
    for (const s of all) {
      const r = schema.safeParse({ ...base, [field]: s.value });
      if (!r.success) continue;
      const account = { ...r.data, password: r.data.password ?? null };
      const what = `seed ${seed}: ${JSON.stringify(s.value)}`;
      // Trimmed ends aside (the schema trims), no control character survives into what is stored.
      for (const v of Object.values(account)) if (typeof v === 'string') expect(hasControlChars(v), what).toBe(false);
      expect(lineAccountProblem(account), what).toBeNull();
      const line = createLine(account, { log: silentLogger, media: fakeMicrophone(), socket: () => net.jssipSocket(`probe-${seed}`) });
      expect(line.aor, what).toBe(r.data.sipUri);
      await line.stop();
    }
  });
});

describe('a stored account the schema accepts', () => {
  const secrets: SecretStore = {
    isAvailable: () => true,
    seal: (p) => Buffer.from(`x${p}`).toString('base64'),
    open: (s) => Buffer.from(s, 'base64').toString().slice(1),
  };
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  // A core start opens a history database: a few values per field, each chosen from the accepted side.
  const stored = fields.flatMap((field) =>
    samples(field, 2000 + fields.indexOf(field), 60)
      .filter((s) => schema.safeParse({ ...base, [field]: s.value }).success)
      .slice(0, 4),
  );

  it.each(stored)('lets the core start and register: %j', async (s) => {
    const account = schema.parse({ ...base, [s.field]: s.value });
    const dir = mkdtempSync(join(tmpdir(), 'account-fields-'));
    dirs.push(dir);
    const { password, ...rest } = account;
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({ schemaVersion: 1, account: { ...rest, passwordSealed: secrets.seal(password ?? 'pw') } }),
    );
    const network = new SipMemoryNetwork();
    const { core, ui } = await startTestCore({
      dataDir: dir,
      secrets,
      media: silentMediaHost(),
      sip: { socket: () => network.jssipSocket('console') },
    });
    try {
      // Built and registering: the REGISTER went out (whether the in-memory network can route every
      // legal user part back is the network's business, so the test stops at the request).
      const registering = await untilLine(ui, (st: LineStatus) => st.state === 'registering' || st.state === 'failed');
      expect(registering, `seed ${s.seed}: ${JSON.stringify(s.value)}`).toMatchObject({ state: 'registering', aor: account.sipUri });
      expect(network.trace.some((e) => e.message.method === 'REGISTER')).toBe(true);
      expect(await ui.invoke('app:notices')).toEqual({ ok: true, value: [] });
    } finally {
      await core.stop();
      network.close();
    }
  });
});
