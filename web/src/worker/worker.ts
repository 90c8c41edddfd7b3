/**
 * The training worker's entry. It installs its message handler before anything else and
 * queues the page's messages while it imports the trainer (the library and its WASM
 * kernels, which take a moment to load); it then hands them over in the order they came,
 * so nothing the page sends during the load is lost.
 * @module
 */
import type { FromWorker, ToWorker } from '../protocol.js';

/** Messages that arrived before the trainer was ready. */
const queue: ToWorker[] = [];
/** The trainer's handler, once it has started. */
let deliver: ((msg: ToWorker) => void) | null = null;

self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (deliver) deliver(event.data);
  else queue.push(event.data);
};

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

async function load(): Promise<void> {
  const trainer = await import('./trainer.js');
  await trainer.start(post);
  // Synchronous from here on: no message can slip in between the queue and the handler.
  for (const msg of queue.splice(0)) trainer.handle(msg);
  deliver = trainer.handle;
}

load().catch((e: unknown) => {
  post({ type: 'error', message: `The training worker failed to load: ${e instanceof Error ? e.message : String(e)}` });
});
