/**
 * The agent's language from the window's first frame (docs/ui.md#language).
 * The UI entry calls this before it mounts the UI: it reads the saved choice
 * from main, puts it on the catalogue and waits for that language's messages,
 * so an agent who works in German never sees the console in English first.
 *
 * An empty window is worse than a wrong language, so the wait is bounded:
 * past `withinMs` (main slow to answer, the chunk slow to load) the UI mounts
 * in English and switches once the messages arrive; a chunk that fails to
 * load leaves English (the catalogue says why). It never rejects.
 */
import type { Preferences } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { locale } from './index.svelte';

/** How long the window may stay empty for the agent's language. Loading a local chunk takes a few ms. */
export const FIRST_PAINT_WAIT_MS = 1000;

const late = Symbol('late');

export async function chooseLanguageBeforeMount(api: ConsoleApi, withinMs = FIRST_PAINT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + withinMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<typeof late>((resolve) => (timer = setTimeout(() => resolve(late), withinMs)));
  try {
    const answer = await Promise.race([api.settings.get(), bound]);
    if (answer === late) {
      console.warn(`the saved language was not read within ${withinMs} ms: starting in the OS's language`);
    } else if (answer.ok) {
      // A view from an older main may lack the section: the OS's language then, as AppearanceModel does.
      const saved: Partial<Preferences> = answer.value.preferences;
      locale.choice = saved.appearance?.language ?? 'system';
    }
  } catch (error: unknown) {
    console.warn("the saved language could not be read: starting in the OS's language", error);
  } finally {
    clearTimeout(timer);
  }
  const shown = await locale.ready(deadline - Date.now());
  if (!shown && locale.loading) console.warn(`the ${locale.loading} messages took more than ${withinMs} ms: showing English until they arrive`);
}
