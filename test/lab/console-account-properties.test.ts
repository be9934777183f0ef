/**
 * Property, against a real registrar: whatever `account:save` accepts either
 * registers with the lab's Kamailio or fails with a reason the line shows —
 * never a line stuck "registering", an unhandled rejection, or a core that
 * will not start again with the account stored. Values come from the same
 * fast-check arbitraries as the in-process property
 * (test/integration/sip-account-properties.test.ts), aimed at the lab: the
 * SIP domain is the lab's, and WebSocket addresses name loopback hosts only
 * (a hostile piece can still make them unreachable: that must be a shown
 * reason too). No media host is needed to register, so no Chromium starts.
 *
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-account-properties.test.ts'
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineStatus, Result } from '../../preload/contract';
import { silentMediaHost, startTestCore, type TestCore } from '../support/core';
import { fieldArb, sipUriArb, type AccountField } from '../integration/account-arbitraries';
import { startKamailio, type Kamailio } from './kamailio';
import { labUnavailable } from './lab';

/** Runs per field: five fields, each run a save and a registration (a few ms; a refused one up to the 2 s time-out). */
const RUNS = Number(process.env.LAB_ACCOUNT_PROPERTY_RUNS ?? 40);
/** Accepted values per field that also restart the core with the value stored. */
const RESTARTS = 5;

describe.skipIf(labUnavailable())('account:save against Kamailio (fast-check)', () => {
  let kamailio: Kamailio;
  const dirs: string[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ name: 'console-account-properties' });
  });
  afterAll(async () => {
    await kamailio?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const startOn = (dataDir: string) =>
    startTestCore({
      dataDir,
      media: silentMediaHost(),
      // A REGISTER nobody answers becomes a shown reason after 2 s instead of 15.
      sip: { registerTimeoutMs: 2000, registerRetryMs: 60_000, reconnectMinSec: 30, reconnectMaxSec: 30, keepAliveMs: 0 },
    });

  const settled = (t: TestCore, from: number): Promise<LineStatus> => {
    const after = () => t.ui.pushed<LineStatus>('line:changed').slice(from);
    return t.ui.until(() => after().find((s) => s.state === 'registered' || s.state === 'failed'), {
      timeoutMs: 6000,
      what: 'the line to register with Kamailio or fail with a reason',
      detail: () => JSON.stringify(after()),
    });
  };

  const expectRegisteredOrReason = (status: LineStatus, what: string) => {
    if (status.state === 'registered') return;
    expect(status.state, what).toBe('failed');
    expect(status.reason?.message.length ?? 0, what).toBeGreaterThan(10);
  };

  const labValues = (): Record<AccountField, fc.Arbitrary<string>> => {
    const port = kamailio.port;
    const loopback = fc.constantFrom('127.0.0.1', 'localhost', '[::1]', '127.0.0.2');
    return {
      wsUrl: fieldArb('wsUrl', fc.tuple(fc.constantFrom('ws://', 'WS://'), loopback, fc.constantFrom(`:${port}`, `:${port}`, ':1'), fc.constantFrom('', '/', '/ws', '/ws?x=1')).map((p) => p.join(''))),
      sipUri: fieldArb('sipUri', sipUriArb(fc.constant(kamailio.domain))),
      authorizationUser: fieldArb('authorizationUser'),
      password: fieldArb('password'),
      displayName: fieldArb('displayName'),
    };
  };

  it.each(['wsUrl', 'sipUri', 'authorizationUser', 'password', 'displayName'] as AccountField[])(
    `%s: accepted values register with Kamailio or show why; the core starts with them stored (${RUNS} runs)`,
    async (field) => {
      const base = { wsUrl: kamailio.wsUrl, sipUri: `sip:1001@${kamailio.domain}`, password: 'lab-unused' };
      const dataDir = mkdtempSync(join(tmpdir(), `lab-account-${field}-`));
      dirs.push(dataDir);
      let t = await startOn(dataDir);
      let accepted = 0;
      let registered = 0;
      const reasons = new Set<string>();
      try {
        await fc.assert(
          fc.asyncProperty(labValues()[field], async (value) => {
            const what = `${field} = ${JSON.stringify(value)}`;
            const from = t.ui.pushed('line:changed').length;
            const r = (await t.ui.invoke('account:save', { ...base, [field]: value })) as Result<unknown>;
            if (!r.ok) {
              expect(r.code, what).toBe('invalid-request');
              expect(Object.keys(r.fields ?? {}), what).toEqual([field]);
              return;
            }
            accepted += 1;
            const status = await settled(t, from);
            expectRegisteredOrReason(status, what);
            if (status.state === 'registered') registered += 1;
            else reasons.add(`${status.reason?.code}: ${status.reason?.message.slice(0, 140)}`);
            if (accepted > RESTARTS) return;
            await t.core.stop();
            t = await startOn(dataDir);
            expectRegisteredOrReason(await settled(t, 0), `${what} (stored, after a restart)`);
          }),
          { numRuns: RUNS },
        );
      } finally {
        await t.core.stop();
      }
      console.info(`[lab account:save ${field}] ${RUNS} values: ${accepted} accepted, ${registered} registered with Kamailio, ${accepted - registered} failed with a shown reason${reasons.size ? `: ${[...reasons].join(' | ')}` : ''}`);
      expect(accepted).toBeGreaterThan(0);
      // Kamailio takes what the console accepts: legal values really register.
      expect(registered).toBeGreaterThan(0);
    },
    60_000,
  );
});
