/**
 * A renderer (UI) reload never touches a call (docs/architecture.md). The whole console
 * (harness UI page + real core + real media host) has an established call with
 * a SIP.js peer, audio both ways; then the UI page is reloaded, and its document
 * is also torn down and loaded afresh (navigated away to about:blank and back —
 * the harness has one UI page, so a true window close/reopen is not available).
 * Each time: main's call is unchanged (same snapshot, no push altered it), no
 * SIP message reached the peer (no re-INVITE, hold or BYE), audio still flows
 * both ways, and the fresh UI shows the call again — established, with its
 * timer counting from the answer, not from the reload — and can hang it up.
 *
 *   npx electron-vite build
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-ui-reload.test.ts'
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../preload/contract';
import { startHarnessConsole, type HarnessConsole } from './console-harness';
import { labUnavailable, startLab, TONES, type Lab, type Peer } from './lab';

const seconds = (d: string): number => d.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);

describe.skipIf(labUnavailable())('a UI reload never touches a call (harness UI + real core + SIP.js peer)', () => {
  let lab: Lab;
  let peer: Peer;
  let con: HarnessConsole;

  beforeAll(async () => {
    lab = await startLab({ name: 'console-ui-reload', peers: [{ name: 'customer', signal: 'caller', incoming: { mode: 'answer' } }], globalTimeoutMs: 240_000 });
    peer = lab.peer('customer');
    con = await startHarnessConsole(lab);
  }, 90_000);

  afterAll(async () => {
    await con?.stop();
    await lab?.stop();
  }, 30_000);

  it('keeps the call, its audio and its timer across a reload and a fresh load of the UI page', async () => {
    // The agent dials from the UI page, through window.consoleApi → router → call service.
    const dialled = (await con.ui.evaluate((target) => window.consoleApi.calls.dial({ target }), peer.uri)) as { ok: boolean; value?: CallSnapshot };
    expect(dialled.ok).toBe(true);
    const callId = dialled.value!.id;
    const established = await con.until(() => con.calls().find((c) => c.id === callId && c.state === 'established'), 15_000, 'established');
    expect(established.answeredAt).not.toBeNull();
    const peerCall = (await peer.calls()).find((c) => c.state === 'established')!;
    expect(peerCall).toBeDefined();
    await peer.expectHears({ tones: [TONES.agent], music: false }, 10_000, peerCall.id);
    await con.expectAgentHears([TONES.caller]);
    await expect.poll(async () => (await con.uiCards()).find((c) => c.id === callId)?.state, { timeout: 5000 }).toBe('established');

    const before = con.calls().find((c) => c.id === callId)!;
    const media = con.core.telephony.media!;
    const mediaBefore = media.counters();

    const reloads: Array<[string, () => Promise<void>]> = [
      ['reload', () => con.reloadUi()],
      [
        'document torn down and loaded afresh',
        async () => {
          await con.ui.goto('about:blank');
          // While there is no UI at all, main carries on alone: the call's audio flows both ways meanwhile.
          await peer.expectHears({ tones: [TONES.agent], music: false }, 10_000, peerCall.id);
          await con.expectAgentHears([TONES.caller]);
          await con.ui.goto(con.harness.uiUrl, { waitUntil: 'load' });
          await con.uiReady();
        },
      ],
    ];
    for (const [what, reload] of reloads) {
      const pushesAt = con.pushes.length;
      const peerEventsAt = peer.events.length;
      // The card's timer has visibly counted (2 s or more) before the reload, so a restart would show.
      const cardSeconds = async () => seconds((await con.uiCards()).find((c) => c.id === callId)?.duration ?? '0:00');
      await expect.poll(cardSeconds, { timeout: 10_000, message: `${what}: the timer counting before the reload` }).toBeGreaterThanOrEqual(2);
      const shownBefore = await cardSeconds();
      await reload();

      // Main: the very same call, untouched (every field of its snapshot, allowed actions included).
      const after = con.calls().find((c) => c.id === callId);
      expect(after, what).toEqual(before);
      expect(con.live().map((c) => c.id), what).toEqual([callId]);
      for (const p of con.pushes.slice(pushesAt).filter((p) => p.channel === 'calls:changed')) {
        expect((p.payload as CallSnapshot[]).find((c) => c.id === callId), `${what}: a calls:changed push during the reload`).toEqual(before);
      }
      expect(media.counters().connections, what).toBe(mediaBefore.connections);
      // The peer: no SIP in the dialog at all (no re-INVITE, hold, BYE), still established.
      const sipEvents = peer.events.slice(peerEventsAt).filter((e) => e.call === peerCall.id && ['reinvite', 'remote-hold', 'held', 'terminated'].includes(e.type));
      expect(sipEvents, what).toEqual([]);
      expect((await peer.calls()).find((c) => c.id === peerCall.id)?.state, what).toBe('established');

      // Audio, both ways, after the reload.
      await peer.expectHears({ tones: [TONES.agent], music: false }, 10_000, peerCall.id);
      await con.expectAgentHears([TONES.caller]);

      // The fresh UI shows the call again, established, its timer counting from the answer.
      await expect.poll(async () => (await con.uiCards()).find((c) => c.id === callId)?.state, { timeout: 5000, message: what }).toBe('established');
      const card = (await con.uiCards()).find((c) => c.id === callId)!;
      // Counting from the answer, not from the reload: at least what it showed before it, and never ahead
      // of the time since the answer (orderings of this run's own instants — no allowance for a slow machine).
      expect(seconds(card.duration), `${what}: the timer restarted at the reload (${card.duration}, ${shownBefore} s before)`).toBeGreaterThanOrEqual(shownBefore);
      expect(seconds(card.duration), `${what}: timer ${card.duration} ahead of the call`).toBeLessThanOrEqual(Math.ceil((Date.now() - before.answeredAt!) / 1000));
      expect(card.buttons, what).toEqual(expect.arrayContaining(['Hang up', 'Hold']));
      // The line state is shown again too (pushes made before the reload were lost with the old page).
      expect(await con.ui.evaluate(async () => (await window.consoleApi.line.status()) as unknown), what).toMatchObject({ ok: true, value: { state: 'registered' } });
    }

    // The reloaded UI still controls the call: its Hang up button ends it at the peer.
    await con.ui.locator(`article[data-call-id="${callId}"] .actions button`, { hasText: 'Hang up' }).click();
    await peer.waitForCallState(peerCall.id, 'terminated');
    await con.until(() => con.calls().find((c) => c.id === callId && c.state === 'ended'), 10_000, 'ended in main');
    await expect.poll(async () => (await con.uiCards()).find((c) => c.id === callId)?.state ?? 'gone', { timeout: 5000 }).toMatch(/ended|gone/);
    // Nothing of the call outlives it in the media host.
    await expect.poll(() => media.counters().connections, { timeout: 10_000 }).toBe(0);
    expect(media.counters()).toMatchObject({ streams: 0, pendingRpcs: 0, pcListeners: 0 });
  }, 120_000);
});
