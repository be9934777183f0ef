/**
 * Who transferred a call, from the SIP INVITE to the history screen's
 * channels (docs/history.md, "Who transferred a call"): the whole core
 * (./storage-rig.ts) on the in-process SIP network, a hand-written SIP party
 * calling it with Referred-By (RFC 3892) or with Replaces (RFC 3891), the
 * agent acting through the UI's channels, and the real SQLite history read
 * back through history:page, history:get, history:search and history:export.
 * Also through the resilient recorder: a transferred call up while the file
 * is damaged and replaced is started again in the new file with its
 * transferrer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallSnapshot, HistoryPage } from '../../preload/contract';
import { eventually } from '../support/sip-memory-peer';
import { RawSipParty, type RawDialog } from './sip-raw-party';
import { damageTable } from './storage-damage';
import { startConsoleRig, storedCall, type ConsoleRig } from './storage-rig';

const anna = { number: '2001', uri: 'sip:2001@memory.test', displayName: 'Anna Berg' };

let dir: string;
let rig: ConsoleRig | null = null;
afterEach(async () => {
  await rig?.stop();
  rig = null;
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<ConsoleRig> {
  dir = mkdtempSync(join(tmpdir(), 'history-transferred-by-'));
  rig = await startConsoleRig(dir);
  return rig;
}

const calls = (r: ConsoleRig) => r.ui.pushed<CallSnapshot[]>('calls:changed').at(-1) ?? [];

/** `party` calls the agent (with `extra` headers); the agent answers through the UI's channel; the party ACKs. */
async function answered(r: ConsoleRig, party: RawSipParty, o: { displayName: string; extra?: string[] }): Promise<{ call: CallSnapshot; dialog: RawDialog }> {
  const known = new Set(calls(r).map((c) => c.id));
  const invite = party.invite('1001', o);
  const ringing = await eventually(() => calls(r).find((c) => !known.has(c.id) && c.state === 'ringing'), `${o.displayName}'s call to ring`);
  const ok = await r.ui.invoke('calls:answer', { callId: ringing.id });
  if (!ok.ok) throw new Error(`calls:answer refused: ${ok.code} ${ok.message}`);
  const dialog = await party.ack(invite);
  const call = await eventually(() => calls(r).find((c) => c.id === ringing.id && c.state === 'established'), `${o.displayName}'s call to be established`);
  return { call, dialog };
}

async function search(r: ConsoleRig, query: string): Promise<string[]> {
  const found = await r.ui.invoke('history:search', { query });
  if (!found.ok) throw new Error(`history:search refused: ${found.code} ${found.message}`);
  return (found.value as HistoryPage).items.map((c) => c.callId);
}

describe('who transferred a call, kept in the history', () => {
  it('Referred-By: the live card, then the stored row, detail, search and export all name Anna Berg', async () => {
    const r = await start();
    const caller = new RawSipParty(r.net, 'caller', '2002');
    const { call } = await answered(r, caller, { displayName: 'Ada Lovelace', extra: ['Referred-By: "Anna Berg" <sip:2001@memory.test>;cid=1'] });
    expect(call.transferredBy).toEqual(anna);
    // An ordinary call next to it.
    const { call: plain } = await answered(r, new RawSipParty(r.net, 'other', '2003'), { displayName: 'Grace Hopper' });
    expect(plain.transferredBy).toBeUndefined();
    await r.act('hangup', plain.id);
    await r.act('hangup', call.id);

    const stored = await storedCall(r.ui, call.id);
    expect(stored.rows).toBe(1);
    expect(stored.detail!.call).toMatchObject({ direction: 'incoming', outcome: 'answered', remote: { displayName: 'Ada Lovelace' }, transferredBy: anna });
    const page = await r.ui.invoke('history:page', {});
    if (!page.ok) throw new Error(`history:page refused: ${page.code} ${page.message}`);
    const rows = (page.value as HistoryPage).items;
    expect(rows.find((c) => c.callId === call.id)?.transferredBy).toEqual(anna);
    expect('transferredBy' in rows.find((c) => c.callId === plain.id)!).toBe(false);

    expect(await search(r, 'Anna Berg')).toEqual([call.id]);
    expect(await search(r, 'berg')).toEqual([call.id]);
    expect(await search(r, 'Lovelace')).toEqual([call.id]);

    const exported = await r.ui.invoke('history:export', {});
    if (!exported.ok) throw new Error(`history:export refused: ${exported.code} ${exported.message}`);
    const [header, ...lines] = readFileSync((exported.value as { path: string }).path, 'utf8').trimEnd().split('\r\n');
    expect(header!.endsWith('"transferred_by_name","transferred_by_number","transferred_by_uri"')).toBe(true);
    expect(lines.find((l) => l.includes(`"${call.id}"`))!.endsWith('"Anna Berg","2001","sip:2001@memory.test"')).toBe(true);
    expect(lines.find((l) => l.includes(`"${plain.id}"`))!.endsWith('"","",""')).toBe(true);
  });

  it('Replaces without Referred-By: the party of the call it replaced (an attended transfer completed by the far end)', async () => {
    const r = await start();
    // Bob calls the agent: the consultation call. Then Carol arrives replacing it: Bob transferred her.
    const bob = new RawSipParty(r.net, 'bob', '2004');
    const { call: consult, dialog } = await answered(r, bob, { displayName: 'Bob Lee' });
    const carol = new RawSipParty(r.net, 'carol', '2005');
    // An INVITE with Replaces for an established call is answered without ringing (RFC 3891 §3).
    const invite = carol.invite('1001', { displayName: 'Carol', extra: [`Replaces: ${dialog.callId};to-tag=${dialog.toTag};from-tag=${dialog.fromTag}`] });
    await carol.ack(invite);
    const replacing = await eventually(() => calls(r).find((c) => c.id !== consult.id && c.state === 'established'), "Carol's call to be established");
    const bobParty = { number: '2004', uri: bob.aor, displayName: 'Bob Lee' };
    expect(replacing.transferredBy).toEqual(bobParty);
    await eventually(() => !calls(r).some((c) => c.id === consult.id && c.state !== 'ended'), 'the replaced call to end');
    await r.act('hangup', replacing.id);

    const stored = await storedCall(r.ui, replacing.id);
    expect(stored.detail!.call).toMatchObject({ remote: { displayName: 'Carol' }, transferredBy: bobParty });
    // The replaced call was not transferred to the agent: it has no transferrer of its own.
    const consultRow = await storedCall(r.ui, consult.id);
    expect(consultRow.detail!.call).not.toHaveProperty('transferredBy');
    expect(await search(r, 'Bob Lee')).toEqual([replacing.id, consult.id]);
  });

  it('a transferred call up while the file is damaged and replaced is started again in the new file, transferrer included', { timeout: 30_000 }, async () => {
    const r = await start();
    const { call } = await answered(r, new RawSipParty(r.net, 'caller', '2002'), {
      displayName: 'Ada Lovelace',
      extra: ['Referred-By: "Anna Berg" <sip:2001@memory.test>'],
    });
    damageTable(join(dir, 'history.sqlite3'), 'calls', { indexesOnly: true });
    // A read meets the damage (a number search reads the damaged index): the file is set aside and a fresh one takes its place.
    const refused = await r.ui.invoke('history:search', { query: '2002' });
    expect(refused).toMatchObject({ ok: false, code: 'storage' });
    expect(readdirSync(dir).filter((n) => /^history-damaged-.*\.sqlite3$/.test(n))).toHaveLength(1);

    await r.act('hangup', call.id);
    const stored = await storedCall(r.ui, call.id);
    expect(stored.rows).toBe(1);
    expect(stored.detail!.call).toMatchObject({ outcome: 'answered', answeredAt: expect.any(Number), transferredBy: anna });
    expect(await search(r, 'Anna Berg')).toEqual([call.id]);
  });
});
