/**
 * How every test launches Debian's Chromium (the harness UI, the media host,
 * the lab's SIP.js peers): one list, so a flag learned the hard way is learned
 * once. Never a downloaded browser.
 */
import { CHROMIUM_PATH } from '../support/prerequisites.mjs';

/**
 * The browser the harness launches: Debian's Chromium, or another Chromium build named by
 * AGENT_CONSOLE_CHROMIUM — the footprint benchmark measures the pages in both Chromium and its
 * headless shell (CHROMIUM_HEADLESS_SHELL), each in a process of its own.
 */
export const CHROMIUM = process.env['AGENT_CONSOLE_CHROMIUM'] || CHROMIUM_PATH;

/**
 * Chromium's headless shell (Debian package chromium-headless-shell): Chromium's content layer
 * with a minimal embedder and none of Chrome's browser layer (profiles, extensions, sync, the
 * omnibox's pages) — built the way Electron is, so its processes are the closer stand-in for
 * the desktop app's. Benchmarks only; every test runs the full Chromium.
 */
export const CHROMIUM_HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

/** Always: no sandbox (CI runs as root), no GPU, and nothing that phones home — the network is closed. */
export const baseChromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** WebRTC between processes in a namespace that has only loopback (docs/testing.md, "Chromium flags"). */
export const webrtcLoopbackFlags = [
  // Without it Chromium gathers no candidates on loopback.
  '--allow-loopback-in-peer-connection',
  // mDNS .local candidates would never resolve in the namespace. Chromium keeps the LAST
  // --disable-features switch, so this replaces Playwright's own list (features that only
  // reach Google services — unreachable in the loopback-only namespace anyway).
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** Chromium's fake microphone and an auto-accepted permission prompt. */
export const fakeMediaFlags = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/** The fake microphone plays this WAV (per process: one Chromium per party). */
export const fakeAudioFileFlag = (wav: string) => `--use-file-for-fake-audio-capture=${wav}`;
