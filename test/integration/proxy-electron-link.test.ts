/**
 * The Electron adapter of MediaHostLink (main/desktop/media-link.ts), driven
 * with a fake web contents and Node's own MessageChannel standing in for
 * MessageChannelMain (same ordered, structured-clone semantics).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { MessagePortMain } from 'electron';
import { createElectronMediaLink, type MediaHostContents } from '../../main/desktop/media-link';
import { mediaHostPortChannel } from '../../preload/contract/media-port';
import { until } from '../support/until';

/** MessagePortMain's surface over a Node MessagePort (MessagePortMain wraps data in {data}). */
const asMain = (port: MessagePort) =>
  ({
    postMessage: (m: unknown) => port.postMessage(m),
    on: (_event: 'message', fn: (e: { data: unknown }) => void) => port.on('message', (data) => fn({ data })),
    start: () => port.start(),
    close: () => port.close(),
  }) as unknown as MessagePortMain;

class FakeContents implements MediaHostContents {
  readonly handlers = new Map<string, ((...args: never[]) => void)[]>();
  readonly posted: { channel: string; ports: MessagePortMain[] }[] = [];
  loading = true;
  destroyed = false;
  postMessage(channel: string, _message: unknown, transfer: MessagePortMain[]) {
    this.posted.push({ channel, ports: transfer });
  }
  on(event: string, listener: (...args: never[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]);
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
  }
  isLoading() {
    return this.loading;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

function setup() {
  const contents = new FakeContents();
  const hostEnds: MessagePort[] = [];
  const link = createElectronMediaLink(contents, () => {
    const { port1, port2 } = new MessageChannel();
    hostEnds.push(port1);
    return { port1: { _node: port1 } as unknown as MessagePortMain, port2: asMain(port2) };
  });
  return { contents, hostEnds, link };
}

const next = (port: MessagePort) => new Promise<unknown>((r) => port.once('message', r));

describe('Electron media link', () => {
  it('posts one port per page load on the media-port channel; messages flow both ways in order', async () => {
    const { contents, hostEnds, link } = setup();
    link.post({ n: 1 }); // before the page loaded: queued in the channel
    contents.loading = false;
    contents.fire('did-start-loading');
    contents.fire('did-finish-load');
    contents.fire('did-finish-load'); // a second finish for the same load hands over nothing
    expect(contents.posted.map((p) => p.channel)).toEqual([mediaHostPortChannel]);
    const host = hostEnds[0]!;
    const got: unknown[] = [];
    host.on('message', (m) => got.push(m));
    link.post({ n: 2 });
    const fromHost: unknown[] = [];
    link.onMessage((m) => fromHost.push(m));
    host.postMessage({ kind: 'hello', protocol: 1 });
    await until(() => got.length >= 2 && fromHost.length >= 1, { timeoutMs: 2000, what: 'both messages across the channel' });
    expect(got).toEqual([{ n: 1 }, { n: 2 }]);
    expect(fromHost).toEqual([{ kind: 'hello', protocol: 1 }]);
    link.dispose();
    host.close();
  });

  it('reports the renderer crash once and drops later posts; a reload brings a fresh channel', async () => {
    const { contents, hostEnds, link } = setup();
    contents.fire('did-start-loading');
    contents.fire('did-finish-load');
    const reasons: string[] = [];
    link.onGone((r) => reasons.push(r));
    contents.fire('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    contents.fire('destroyed');
    expect(reasons).toEqual(['the media host process ended (crashed, exit code 139)']);
    link.post({ dropped: true });
    contents.fire('did-start-loading');
    contents.fire('did-finish-load');
    expect(contents.posted).toHaveLength(2);
    const fresh = hostEnds[1]!;
    const got = next(fresh);
    link.post({ after: 'reload' });
    expect(await got).toEqual({ after: 'reload' });
    link.dispose();
    for (const p of hostEnds) p.close();
  });

  it('a main-frame load failure is a gone reason; a subframe failure is not', () => {
    const { contents, link } = setup();
    const reasons: string[] = [];
    link.onGone((r) => reasons.push(r));
    contents.fire('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', 'file:///x', false);
    contents.fire('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', 'file:///x', true);
    expect(reasons).toEqual(['the media host page failed to load (ERR_FILE_NOT_FOUND)']);
    link.dispose();
  });
});
