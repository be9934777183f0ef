/**
 * What a screen reader hears without the agent looking: incoming calls and
 * how transfers ended. One polite live region for the whole window; a new
 * message replaces the last (the region must change to be read again).
 */
export class Announcer {
  message = $state('');
  private seq = 0;

  say(text: string) {
    // Same text twice still changes the region: an invisible counter suffix would be read, so clear first.
    this.message = '';
    const mine = ++this.seq;
    queueMicrotask(() => {
      if (mine === this.seq) this.message = text;
    });
  }
}
