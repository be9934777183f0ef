/**
 * The switchboard's pure parts (main/demo/sip/): the registrar's bindings
 * and their expiry, the call queue's order, tiers, rests and figures, and
 * the dialog book that tells who is ringing or busy and what a vanished
 * party leaves behind.
 */
import { describe, expect, it } from 'vitest';
import { Dialogs } from '../../../main/demo/sip/dialogs';
import { CallQueue } from '../../../main/demo/sip/queue';
import { Registrar } from '../../../main/demo/sip/registrar';

describe('registrar', () => {
  const ask = (over: Partial<Parameters<Registrar['register']>[0]> = {}) => ({
    user: '201',
    connection: 'c1',
    contacts: [{ uri: 'sip:201@a.invalid;transport=ws', expires: undefined }],
    expires: undefined,
    wildcard: false,
    ...over,
  });

  it('binds with the default expiry, clamps to the maximum, and refuses less than the minimum with 423', () => {
    const r = new Registrar({ minExpiresSec: 60, maxExpiresSec: 3600, defaultExpiresSec: 600 });
    expect(r.register(ask(), 0)).toEqual({ status: 200, bindings: [{ contact: 'sip:201@a.invalid;transport=ws', expiresSec: 600 }] });
    expect(r.register(ask({ expires: 99_999 }), 0)).toEqual({ status: 200, bindings: [{ contact: 'sip:201@a.invalid;transport=ws', expiresSec: 3600 }] });
    expect(r.register(ask({ contacts: [{ uri: 'sip:201@a.invalid;transport=ws', expires: 10 }] }), 0)).toEqual({ status: 423, minExpires: 60 });
    expect(r.lookup('201', 1000)?.connection).toBe('c1');
  });

  it('routes to the newest contact, forgets expired and removed ones, and drops a closed connection\u2019s', () => {
    const r = new Registrar({ minExpiresSec: 1 });
    r.register(ask({ contacts: [{ uri: 'sip:201@a.invalid', expires: 10 }] }), 0);
    r.register(ask({ connection: 'c2', contacts: [{ uri: 'sip:201@b.invalid', expires: 100 }] }), 0);
    expect(r.lookup('201', 1)?.contact).toBe('sip:201@b.invalid');
    expect(r.sweep(20_000)).toEqual([]);
    expect(r.bindingsOf('201', 20_000).map((b) => b.contact)).toEqual(['sip:201@b.invalid']);
    expect(r.dropConnection('c2')).toEqual(['201']);
    expect(r.isRegistered('201', 20_000)).toBe(false);

    r.register(ask({ contacts: [{ uri: 'sip:201@a.invalid', expires: 5 }] }), 0);
    expect(r.register(ask({ contacts: [{ uri: 'sip:201@a.invalid', expires: 0 }] }), 1000)).toEqual({ status: 200, bindings: [] });
    expect(r.users(1000)).toEqual([]);
    r.register(ask({ contacts: [{ uri: 'sip:201@a.invalid', expires: 5 }] }), 0);
    expect(r.sweep(6000)).toEqual(['201']);
  });

  it('takes Contact: * with Expires 0 only', () => {
    const r = new Registrar();
    r.register(ask(), 0);
    expect(r.register(ask({ wildcard: true, contacts: [], expires: 60 }), 0)).toMatchObject({ status: 400 });
    expect(r.register(ask({ wildcard: true, contacts: [], expires: 0 }), 0)).toEqual({ status: 200, bindings: [] });
    expect(r.isRegistered('201', 0)).toBe(false);
  });
});

describe('call queue', () => {
  const queue = () =>
    new CallQueue({
      name: 'Support',
      user: '500',
      members: [
        { user: 'agent', tier: 'agent' },
        { user: '201', tier: 'overflow' },
      ],
      options: { restMs: 5000, overflowSec: 30, ringMs: 10_000 },
    });

  it('serves callers first come first served, with their position, and figures for the panel', () => {
    const q = queue();
    expect(q.enqueue('a', 'Jonas', 0)).toBe(1);
    expect(q.enqueue('b', 'Lea', 2000)).toBe(2);
    expect(q.figures(7000, () => false)).toEqual({ waiting: 2, longestWaitSec: 7, availableAgents: 0 });
    const free = new Set(['agent']);
    expect(q.next(7000, (u) => free.has(u))).toMatchObject({ entry: { id: 'a' }, member: 'agent' });
    q.offered('a', 'agent', 7000);
    // The agent rings with the first caller: nobody else is free for the second.
    expect(q.next(7000, (u) => free.has(u))).toBeNull();
    expect(q.figures(7000, (u) => free.has(u)).availableAgents).toBe(0);
    q.remove('a');
    expect(q.position('b')).toBe(1);
  });

  it('offers overflow members only to callers who waited long enough', () => {
    const q = queue();
    q.enqueue('a', 'Jonas', 0);
    const onlyAnna = (u: string) => u === '201';
    expect(q.next(10_000, onlyAnna)).toBeNull();
    expect(q.next(30_000, onlyAnna)).toMatchObject({ entry: { id: 'a' }, member: '201' });
  });

  it('lets a member who let a call go rest before the next offer, and takes back offers that ring too long', () => {
    const q = queue();
    q.enqueue('a', 'Jonas', 0);
    q.offered('a', 'agent', 1000);
    expect(q.overdue(5000)).toEqual([]);
    expect(q.overdue(11_000).map((e) => e.id)).toEqual(['a']);
    q.refused('a', 11_000);
    expect(q.entry('a')?.offeredTo).toBeNull();
    expect(q.next(12_000, (u) => u === 'agent')).toBeNull();
    expect(q.next(16_001, (u) => u === 'agent')).toMatchObject({ member: 'agent' });
  });
});

describe('dialog book', () => {
  const side = (user: string, connection: string, tag: string) => ({ user, connection, contact: `sip:${user}@${connection}.invalid`, identity: `<sip:${user}@demo.invalid>;tag=${tag}`, cseq: 1 });

  it('says who rings and who is busy, from offer to answer to end', () => {
    const d = new Dialogs();
    d.invited('call-1', side('+49301', 'c1', 'x'), '500', 0);
    expect([...d.activity()]).toEqual([['+49301', 'busy']]);
    d.offered('call-1', 'agent', 'c2');
    expect(d.activity().get('agent')).toBe('ringing');
    d.unoffered('call-1');
    expect(d.activity().has('agent')).toBe(false);
    d.offered('call-1', '201', 'c3');
    d.answered('call-1', { contact: 'sip:201@c3.invalid', identity: '<sip:500@demo.invalid>;tag=y' }, true);
    expect(d.activity().get('201')).toBe('busy');
    expect(d.onConnection('c3').map((x) => x.callId)).toEqual(['call-1']);
    d.sent('call-1', 'y', 7);
    expect(d.get('call-1')?.callee?.cseq).toBe(7);
    d.sent('call-1', 'x', 3);
    expect(d.get('call-1')?.caller.cseq).toBe(3);
    expect(d.ended('call-1')?.state).toBe('confirmed');
    expect(d.activity().size).toBe(0);
  });
});
