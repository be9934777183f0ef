/**
 * What the agent hears, read off the media host page: an FFT probe on every
 * remote stream the host plays. Shared by the console fixtures (with and
 * without the UI page) so both judge audio the same way.
 */
import type { Page } from 'playwright-core';
import { completionCueMelody, containsInOrder, melodyOf, recordElement, type Recording, type Spectrum } from '../media/tools';
import { until } from '../support/until';
import { TONES } from './lab';

export interface AgentEars {
  /** The party tones the agent hears right now, sorted. */
  agentHears(freqs?: number[]): Promise<number[]>;
  /** Waits until the agent hears exactly `tones` (two readings in a row), or throws saying what it hears. */
  expectAgentHears(tones: number[], ms?: number): Promise<void>;
  /**
   * Starts recording the agent's own output device in the media host (the completion cue and the
   * music preview play there, not on a call). Start it before the action that should play the cue.
   */
  recordOutput(): Promise<Recording>;
  /** Waits until `recording` holds the completion cue's notes in order (renderer/media/synth.ts); stops it. */
  expectCue(recording: Recording, ms?: number): Promise<void>;
}

/** Needs `installProbe` (test/media/tools.ts) on the media host page. */
export function agentEars(media: Page): AgentEars {
  const agentHears = async (freqs: number[] = [TONES.caller, TONES.transferee]): Promise<number[]> => {
    const spectra = (await media.evaluate(
      // A stream that receives no RTP (the far end of a leg we hold sends nothing) has muted tracks:
      // the agent hears nothing from it, and a probe on it may never start playing (hence also bounded).
      `(async () => Promise.all([...document.querySelectorAll('audio[data-pc]')].filter((e) => e.srcObject && e.srcObject.getAudioTracks().some((t) => !t.muted)).map((e) => Promise.race([window.__probe(e.srcObject, ${JSON.stringify(freqs)}), new Promise((r) => setTimeout(() => r(null), 3000))]))))()`,
    )) as Array<Spectrum | null>;
    const heard = new Set<number>();
    for (const s of spectra) {
      if (!s || s.rmsDb < -60) continue;
      // Present: loud in absolute terms and near the spectral level of the whole signal.
      for (const f of freqs) if ((s.tones[f] ?? -200) > -70 && (s.tones[f] ?? -200) > s.rmsDb - 25) heard.add(f);
    }
    return [...heard].sort((a, b) => a - b);
  };

  return {
    agentHears,
    recordOutput: () => recordElement(media, 'audio[data-role=output]'),
    async expectCue(recording, ms = 10_000) {
      const cue = completionCueMelody();
      let heard: number[] = [];
      try {
        await until(async () => containsInOrder((heard = melodyOf(await recording.frames())), cue), {
          timeoutMs: ms,
          what: `the completion cue (notes ${cue.join(' → ')}) on the agent's output`,
          detail: () => `heard notes: ${heard.join(' ') || 'none'}`,
        });
      } finally {
        await recording.stop();
      }
    },
    async expectAgentHears(tones, ms = 10_000) {
      const want = [...tones].sort((a, b) => a - b).join(',');
      const deadline = Date.now() + ms;
      let last: number[] = [];
      let streak = 0;
      for (;;) {
        last = await agentHears();
        if (last.join(',') === want) {
          if (++streak >= 2) return;
        } else streak = 0;
        if (Date.now() > deadline) throw new Error(`agent should hear [${want}] but hears [${last.join(',')}]`);
      }
    },
  };
}
