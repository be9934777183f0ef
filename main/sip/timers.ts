/**
 * Timers an adapter owns: each one cancellable, and all of them cancelled at
 * once when the adapter stops, so none outlives it (the line, the presence
 * provider).
 */
export class Timers {
  readonly #pending = new Set<ReturnType<typeof setTimeout>>();

  /** Run `fn` after `ms`; returns the cancel. */
  after(fn: () => void, ms: number): () => void {
    const t = setTimeout(() => {
      this.#pending.delete(t);
      fn();
    }, ms);
    this.#pending.add(t);
    return () => {
      clearTimeout(t);
      this.#pending.delete(t);
    };
  }

  clear(): void {
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
  }

  get size(): number {
    return this.#pending.size;
  }
}
