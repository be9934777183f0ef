/**
 * Entry of the hidden demo parties page. Main opens it with the address of
 * the switchboard's control channel (`?director=ws://127.0.0.1:<port>/<token>/director`);
 * the page connects, says it is ready, and from then on runs the phones the
 * director asks for. When the channel closes (the demo was left) every phone
 * hangs up.
 */
import { Phones } from './phones';
import type { DirectorCommand, PartyReport } from './protocol';

const address = new URLSearchParams(location.search).get('director') ?? '';
// Only the switchboard on this computer: the address comes from main, but a page never dials out.
if (/^ws:\/\/127\.0\.0\.1:\d+\/[\w-]+\/director$/.test(address)) {
  const socket = new WebSocket(address);
  const send = (r: PartyReport) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(r));
  };
  const phones = new Phones(send);
  // Commands run one after another, in the order the director sent them.
  let queue: Promise<void> = Promise.resolve();
  socket.addEventListener('open', () => send({ type: 'ready' }));
  socket.addEventListener('message', (event) => {
    let command: DirectorCommand;
    try {
      command = JSON.parse(String(event.data)) as DirectorCommand;
    } catch {
      return;
    }
    queue = queue.then(() => phones.handle(command));
  });
  socket.addEventListener('close', () => void phones.stopAll());
}
