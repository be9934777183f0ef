/**
 * The transfer soak in `npm test`: 20 transfers (the full 200 is `npm run soak`),
 * mixed blind / safe blind / attended against a randomly behaving transferee —
 * zero callers dropped in the safe modes, every timeline consistent (soak-run.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleUnderTest } from './console-fixture';
import { labUnavailable, startLab, type Lab } from './lab';
import { runSoak } from './soak-run';

describe.skipIf(labUnavailable())('transfer soak (20 transfers)', () => {
  let lab: Lab;
  let agent: ConsoleUnderTest;
  beforeAll(async () => {
    lab = await startLab({ name: 'soak-20', peers: [{ name: 'caller', signal: 'caller' }, { name: 'transferee', signal: 'transferee' }] });
    agent = await startConsole(lab);
  }, 120_000);
  afterAll(async () => {
    await agent?.stop();
    await lab?.stop();
  });

  it('20 mixed transfers: no caller dropped in the safe modes, every timeline consistent, nothing left behind', async () => {
    const lines: string[] = [];
    const summary = await runSoak({ lab, agent, caller: lab.peer('caller'), transferee: lab.peer('transferee'), log: (l) => lines.push(l) }, 20, 20_26);
    console.info(lines.join('\n'));
    expect(summary.failures.map((f) => `#${f.index + 1} ${f.mode} ${f.behaviour}: ${f.problems.join(' | ')}`)).toEqual([]);
    expect(summary.droppedInSafeModes).toBe(0);
    expect(summary.byMode.blind + summary.byMode['safe-blind'] + summary.byMode.attended).toBe(20);
    expect(agent.core.transfers.service.counters().timers).toBe(0);
    expect(agent.live()).toEqual([]);
  }, 600_000);
});
