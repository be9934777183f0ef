/**
 * The one ordered channel between main and the hidden media host. Main never
 * sees Electron types here: the app adapts a MessagePortMain
 * (main/desktop/media-link.ts), tests adapt a playwright page
 * (test/harness/media-host.ts) or a Node fake (test/integration).
 *
 * Contract for implementers:
 * - `post` delivers messages to the host in the order posted (the proxy relies
 *   on it: fire-and-forget ops and RPCs share the channel, docs/architecture.md).
 * - `onMessage` delivers host messages in the order sent, each one in its own
 *   task (never synchronously from inside `post`).
 * - `onGone` fires when the host can no longer answer (renderer crashed,
 *   page failed to load, harness page closed). Messages posted afterwards are
 *   dropped. A later `hello` message from the host means a fresh host is up.
 * Every `on…` returns its unsubscribe.
 */
export interface MediaHostLink {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
  onGone(listener: (reason: string) => void): () => void;
}

/** A small listener set shared by the adapters: every subscription can be undone. */
export class Listeners<A extends unknown[]> {
  readonly #set = new Set<(...args: A) => void>();
  add(listener: (...args: A) => void): () => void {
    // Wrap so the same function subscribed twice gets two independent unsubscribes.
    const entry = (...args: A) => listener(...args);
    this.#set.add(entry);
    return () => {
      this.#set.delete(entry);
    };
  }
  emit(...args: A): void {
    for (const listener of [...this.#set]) listener(...args);
  }
  get size(): number {
    return this.#set.size;
  }
  clear(): void {
    this.#set.clear();
  }
}
