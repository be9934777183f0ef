/**
 * The painting baseline of "INVITE → ringing card painted": a bare JsSIP UA
 * in a Chromium page, as JsSIP is normally used, whose `newRTCSession` handler
 * puts a minimal ringing card in the DOM — no framework, no IPC, nothing else.
 * The page's marks ('dom', 'painted') come from the same instrumentation as the
 * console's UI page (PAINT_MARKS in ./lab-tools.ts, installed by the driver);
 * this file adds 'invite': when the INVITE's WebSocket message reached this
 * page's socket.
 *
 * Bundled by esbuild and served by ./bare-page.ts; driven through `window.bare`.
 */
import { UA, WebSocketInterface } from 'jssip';

interface Mark {
  t: number;
  kind: string;
  id: string;
  state: string;
}
declare global {
  interface Window {
    bare: BareApi;
    __bench?: { add(m: Mark): void };
  }
}

export interface BareApi {
  /** Registers `user` at the lab's Kamailio over `wsUrl`; resolves once registered. */
  start(o: { wsUrl: string; domain: string; user: string }): Promise<void>;
  /** Refuses the ringing call `id` (486) and takes its card away. */
  decline(id: string): void;
  /** Calls ringing now. */
  ringing(): number;
  stop(): void;
}

const now = () => performance.timeOrigin + performance.now();

// When the last INVITE reached the page's socket. Our listener is added in the socket's constructor,
// before JsSIP sets `onmessage`, so it runs first for every message — and JsSIP's handling of the
// INVITE (parse → newRTCSession) happens in that same message task, right after it.
let inviteAt = 0;
const PageWebSocket = window.WebSocket;
class TimedWebSocket extends PageWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data === 'string' && e.data.startsWith('INVITE ')) inviteAt = now();
    });
  }
}
window.WebSocket = TimedWebSocket;

interface Ringing {
  terminate(o: { status_code: number }): void;
  on(event: 'ended' | 'failed', fn: () => void): void;
}
interface NewSession {
  originator: 'local' | 'remote';
  session: Ringing;
  request: { from: { display_name?: string; uri: { user: string } } };
}

let ua: UA | null = null;
let seq = 0;
const calls = new Map<string, { session: Ringing; card: HTMLElement }>();

window.bare = {
  start({ wsUrl, domain, user }) {
    const agent = new UA({ sockets: [new WebSocketInterface(wsUrl)], uri: `sip:${user}@${domain}`, password: 'lab-unused', register: true });
    ua = agent;
    agent.on('newRTCSession', (e: NewSession) => {
      if (e.originator !== 'remote') return;
      const id = `bare-${++seq}`;
      window.__bench?.add({ t: inviteAt, kind: 'invite', id, state: 'ringing' });
      // The card: who calls, in an article marked as the console marks its call cards.
      const card = document.createElement('article');
      card.dataset['callId'] = id;
      card.dataset['state'] = 'ringing';
      const who = document.createElement('strong');
      who.textContent = e.request.from.display_name || e.request.from.uri.user;
      card.append(who);
      document.getElementById('calls')!.append(card);
      calls.set(id, { session: e.session, card });
      const gone = () => {
        card.remove();
        calls.delete(id);
      };
      e.session.on('ended', gone);
      e.session.on('failed', gone);
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bare JsSIP page did not register')), 10_000);
      agent.on('registered', () => {
        clearTimeout(timer);
        resolve();
      });
      agent.start();
    });
  },
  decline(id) {
    calls.get(id)?.session.terminate({ status_code: 486 });
  },
  ringing: () => calls.size,
  stop() {
    ua?.stop();
  },
};
