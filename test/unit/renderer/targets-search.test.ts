/**
 * The one search over transfer targets (renderer/ui/state/target-search.ts):
 * names rank by how well they match, a name never becomes a number target,
 * a bare number or SIP address does, recent numbers are distinct and owned
 * by the colleague who has them, favourites resolve to what carries them.
 */
import { describe, expect, it } from 'vitest';
import type { CallSummary, TargetsView } from '../../../preload/contract';
import {
  allEntries,
  favouriteEntries,
  rawTarget,
  recentEntries,
  sameAddress,
  searchTargets,
  targetOf,
} from '../../../renderer/ui/state/target-search';

const view: TargetsView = {
  provider: 'configured',
  state: 'configured',
  reason: null,
  queues: [
    { id: 'q1', name: 'Support', address: '2000', waiting: null, longestWaitSec: null, availableAgents: null },
    { id: 'q2', name: 'Sales', address: null, waiting: 3, longestWaitSec: 95, availableAgents: 1 },
  ],
  colleagues: [
    { id: 'a1', name: 'Anna Schmidt', address: '2002', presence: 'busy' },
    { id: 'a2', name: 'Annika Berg', address: 'sip:annika@pbx.test', presence: 'available' },
    { id: 'a3', name: 'Bob Stone', address: '2003', presence: 'offline' },
  ],
  agentStatus: null,
  updatedAt: 1,
};

const call = (id: number, number: string | null, displayName: string | null = null, uri: string | null = null): CallSummary => ({
  id,
  callId: `c${id}`,
  direction: 'incoming',
  localLine: 'sip:1001@pbx.test',
  remote: { number, uri, displayName },
  queue: null,
  startedAt: 1000 - id,
  ringingAt: null,
  answeredAt: null,
  endedAt: null,
  durationMs: null,
  outcome: 'answered',
  sipCode: null,
  sipReason: null,
  endedBy: null,
  transferred: false,
  transferTarget: null,
  held: false,
  disposition: null,
  noteCount: 0,
});

describe('raw targets', () => {
  it('turns numbers and SIP addresses into targets, and names into nothing', () => {
    expect(rawTarget(' 2002 ')).toEqual({ kind: 'number', number: '2002' });
    expect(rawTarget('+44 (20) 7946-0018')).toEqual({ kind: 'number', number: '+44 (20) 7946-0018' });
    expect(rawTarget('*72')).toEqual({ kind: 'number', number: '*72' });
    expect(rawTarget('sip:sales@pbx.test')).toEqual({ kind: 'uri', uri: 'sip:sales@pbx.test' });
    expect(rawTarget('2002@pbx.test')).toEqual({ kind: 'uri', uri: 'sip:2002@pbx.test' });
    for (const name of ['Anna', 'anna schmidt', 'sip:', 'sip:anna', 'Sales 2', '']) expect(rawTarget(name)).toBeNull();
  });

  it('sends queues and colleagues by name and address; a queue without an address cannot be sent', () => {
    const entries = allEntries(view, []);
    const byName = (n: string) => entries.find((e) => e.name === n)!;
    expect(targetOf(byName('Support'))).toEqual({ kind: 'queue', name: 'Support', address: '2000' });
    expect(targetOf(byName('Sales'))).toBeNull();
    expect(targetOf(byName('Annika Berg'))).toEqual({ kind: 'colleague', name: 'Annika Berg', address: 'sip:annika@pbx.test' });
  });
});

describe('searchTargets', () => {
  const entries = allEntries(view, []);
  const names = (q: string) => searchTargets(q, entries).map((e) => e.name);

  it('finds names by their start, any word, then anywhere; available colleagues first among equals', () => {
    expect(names('ann')).toEqual(['Annika Berg', 'Anna Schmidt']);
    expect(names('schm')).toEqual(['Anna Schmidt']);
    expect(names('anna s')).toEqual(['Anna Schmidt']);
    expect(names('tone')).toEqual(['Bob Stone']);
    expect(names('')).toEqual([]);
  });

  it('a name that matches nothing gives no results and no raw target', () => {
    expect(searchTargets('Zoe', entries)).toEqual([]);
  });

  it('a bare number becomes a number target first; one a target carries finds that target instead', () => {
    const hits = searchTargets('4711', entries);
    expect(hits[0]).toMatchObject({ kind: 'number', address: '4711' });
    expect(targetOf(hits[0])).toEqual({ kind: 'number', number: '4711' });
    const anna = searchTargets('2002', entries);
    expect(anna[0]).toMatchObject({ kind: 'colleague', name: 'Anna Schmidt' });
    expect(anna.some((e) => e.kind === 'number')).toBe(false);
    // A number prefix lists the targets it starts: 200 → Support (2000), Anna (2002), Bob (2003), after the raw number.
    expect(searchTargets('200', entries).map((e) => e.name)).toEqual(['200', 'Support', 'Anna Schmidt', 'Bob Stone']);
  });

  it('starred targets rank above equal matches', () => {
    expect(searchTargets('ann', entries, { favourites: ['2002'] }).map((e) => e.name)).toEqual(['Anna Schmidt', 'Annika Berg']);
  });
});

describe('recent numbers and favourites', () => {
  it('keeps the newest distinct numbers, skips unusable ones, and lets a colleague own their number', () => {
    const recents = recentEntries([call(1, '4711', 'Kunde'), call(2, '4711'), call(3, null, null, 'sip:x@pbx.test'), call(4, 'anonymous'), call(5, '2002')]);
    expect(recents.map((e) => [e.name, e.address])).toEqual([
      ['Kunde', '4711'],
      ['sip:x@pbx.test', 'sip:x@pbx.test'],
      ['2002', '2002'],
    ]);
    const entries = allEntries(view, recents);
    expect(entries.filter((e) => e.kind === 'recent').map((e) => e.address)).toEqual(['4711', 'sip:x@pbx.test']);
    expect(recentEntries([call(1, '1'), call(2, '2'), call(3, '3')], 2)).toHaveLength(2);
  });

  it('resolves starred addresses to the target carrying them, else to the address itself', () => {
    const entries = allEntries(view, []);
    const favs = favouriteEntries(['2002', '+49 30 1234', '2002'], entries);
    expect(favs.map((e) => [e.kind, e.name])).toEqual([
      ['colleague', 'Anna Schmidt'],
      ['number', '+49 30 1234'],
    ]);
    expect(sameAddress('+49 (30) 1234', '+49301234')).toBe(true);
    expect(sameAddress('SIP:a@b.test', 'sip:a@b.test')).toBe(true);
    expect(sameAddress('2002', '2003')).toBe(false);
  });
});
