/**
 * The lab's refusal to run anywhere but a loopback-only network namespace.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netnsStatus } from './netns';

const canUnshare = spawnSync('unshare', ['--net', 'true'], { stdio: 'ignore' }).status === 0;
const netnsModule = resolve(import.meta.dirname, 'netns.ts');
const kamailioModule = resolve(import.meta.dirname, 'kamailio.ts');

/** Run a snippet in a fresh network namespace whose `lo` is still down. */
function inFreshNamespace(code: string): { status: number | null; out: string } {
  const r = spawnSync('unshare', ['--net', process.execPath, '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: resolve(import.meta.dirname, '../..'),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('loopback-only network namespace guard', () => {
  it('reports the interfaces of the namespace it runs in, and why the lab cannot run when it cannot', () => {
    const s = netnsStatus();
    expect(s.interfaces).toContain('lo');
    if (s.ok) expect(s.interfaces).toEqual(['lo']);
    else expect(s.reason).toMatch(/unshare --net/);
  });

  it.skipIf(!canUnshare)('refuses to start Kamailio while lo is down, with a typed error that says what to do', () => {
    const r = inFreshNamespace(
      `const { netnsStatus } = await import(${JSON.stringify(netnsModule)});
       const { startKamailio } = await import(${JSON.stringify(kamailioModule)});
       console.log(JSON.stringify(netnsStatus()));
       try { await startKamailio(); console.log('STARTED'); } catch (e) { console.log('ERR ' + e.name + ': ' + e.message); }`,
    );
    expect(r.out).toContain('"interfaces":["lo"]');
    expect(r.out).toMatch(/ERR NotInLoopbackNamespaceError: SIP lab refused to start: `lo` is down/);
    expect(r.out).not.toContain('STARTED');
  });
});
