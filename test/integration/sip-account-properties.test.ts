/**
 * Property: whatever `account:save` accepts, the line either registers or
 * fails with a reason it shows — never an unhandled rejection, a silent
 * "unconfigured", or a core that no longer starts — and the core starts again
 * with that account stored. Whatever it refuses is refused under the field
 * that was wrong. In-process: the real core (startCore) through its real IPC
 * router, its line on the in-memory SIP network (test/support/sip-memory.ts,
 * which answers every REGISTER). The same property against Kamailio is
 * test/lab/console-account-properties.test.ts.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LineStatus, Result } from '../../preload/contract';
import { selfSignedCert } from '../support/tls';
import { silentMediaHost, startTestCore, type TestCore } from '../support/core';
import { SipMemoryNetwork } from '../support/sip-memory';
import { ACCOUNT_FIELDS, fieldArb, withHostile, type AccountField } from './account-arbitraries';

const RUNS = Number(process.env.ACCOUNT_PROPERTY_RUNS ?? 40);
/** Of the accepted values, this many per field also restart the core with the value stored. */
const RESTARTS = 6;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

const base = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: 'pw-1234' };

async function startOn(dataDir: string, network: SipMemoryNetwork): Promise<TestCore> {
  return startTestCore({ dataDir, media: silentMediaHost(), sip: { socket: () => network.jssipSocket('console'), registerTimeoutMs: 1500, registerRetryMs: 60_000 } });
}

/** The first line status pushed after `from` that is settled: registered, or failed with a reason. */
function settled(t: TestCore, from: number): Promise<LineStatus> {
  const after = () => t.ui.pushed<LineStatus>('line:changed').slice(from);
  return t.ui.until(() => after().find((s) => s.state === 'registered' || s.state === 'failed'), {
    timeoutMs: 4000,
    what: 'the line to register or fail with a reason',
    detail: () => JSON.stringify(after()),
  });
}

function expectRegisteredOrReason(status: LineStatus, what: string) {
  if (status.state === 'registered') return;
  expect(status.state, what).toBe('failed');
  expect(status.reason?.message.length ?? 0, what).toBeGreaterThan(10);
}

describe.each(ACCOUNT_FIELDS)('account field %s (fast-check)', (field: AccountField) => {
  it(`whatever account:save accepts registers or fails with a shown reason, and the core starts with it stored (${RUNS} runs)`, async () => {
    const network = new SipMemoryNetwork({ domain: 'pbx.example.com' });
    const dataDir = tempDir(`account-prop-${field}-`);
    let t = await startOn(dataDir, network);
    let accepted = 0;
    let refused = 0;
    let registered = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fieldArb(field), async (value) => {
          const what = `${field} = ${JSON.stringify(value)}`;
          const from = t.ui.pushed('line:changed').length;
          const r = (await t.ui.invoke('account:save', { ...base, [field]: value })) as Result<unknown>;
          if (!r.ok) {
            refused += 1;
            // Refused under the field that was wrong, with words the agent can act on.
            expect(r.code, what).toBe('invalid-request');
            expect(Object.keys(r.fields ?? {}), what).toEqual([field]);
            expect(r.fields?.[field]?.length ?? 0, what).toBeGreaterThan(10);
            return;
          }
          accepted += 1;
          const status = await settled(t, from);
          expectRegisteredOrReason(status, what);
          if (status.state === 'registered') registered += 1;
          if (accepted > RESTARTS) return;
          // The core starts with it stored, and the line says again where it stands.
          await t.core.stop();
          t = await startOn(dataDir, network);
          expectRegisteredOrReason(await settled(t, 0), `${what} (stored, after a restart)`);
          expect((await t.ui.invoke('app:notices')) as Result<unknown[]>, what).toEqual({ ok: true, value: [] });
        }),
        { numRuns: RUNS },
      );
    } finally {
      await t.core.stop();
      network.close();
    }
    // The arbitraries are useful only if they reach both sides of the rule, and accepted values register.
    expect(accepted).toBeGreaterThan(0);
    if (field !== 'password') expect(refused).toBeGreaterThan(0);
    expect(registered).toBeGreaterThan(0);
  });
});

describe('CA certificate file (fast-check)', () => {
  it('a wss:// account with any CA path: refused under caFile, or the line registers or says why', async () => {
    const caDir = tempDir('account-prop-ca-');
    const { cert } = selfSignedCert(caDir);
    const network = new SipMemoryNetwork({ domain: 'pbx.example.com' });
    const t = await startOn(tempDir('account-prop-cafile-'), network);
    try {
      const path = fc.oneof(fc.constant(cert), fc.constant(join(caDir, 'missing.pem')), withHostile(fc.constant(cert)), fc.string({ unit: 'binary', maxLength: 30 }));
      await fc.assert(
        fc.asyncProperty(path, async (caFile) => {
          const what = `caFile = ${JSON.stringify(caFile)}`;
          const from = t.ui.pushed('line:changed').length;
          const r = (await t.ui.invoke('account:save', { ...base, caFile })) as Result<unknown>;
          if (!r.ok) {
            expect(r.code, what).toBe('invalid-request');
            expect(Object.keys(r.fields ?? {}), what).toEqual(['caFile']);
            return;
          }
          expectRegisteredOrReason(await settled(t, from), what);
        }),
        { numRuns: 15 },
      );
    } finally {
      await t.core.stop();
      network.close();
    }
  });
});
