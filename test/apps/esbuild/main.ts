// A user's app: trains XOR with cortex-nn and writes what it ran on into the page.
import { Adam, Generator, Linear, Sequential, Tanh, backendStatus, fit, getNumThreads, setNumThreads, tensor } from 'cortex-nn';

// Two threads need a cross-origin isolated page (COOP/COEP headers); elsewhere this stays at one.
await setNumThreads(2);

const x = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const y = tensor([[0], [1], [1], [0]]);
const g = new Generator(1);
const model = new Sequential(new Linear(2, 16, { generator: g }), new Tanh(), new Linear(16, 1, { generator: g }));
const history = fit(model, { x, y }, { epochs: 400, batchSize: 4, loss: 'mse', optimizer: new Adam(model.parameters(), { lr: 0.03 }) });

const result = { status: backendStatus(), threads: getNumThreads(), loss: history.loss.at(-1) };
const out = document.querySelector('#result');
if (out) out.textContent = JSON.stringify(result, null, 2);
(window as unknown as { cortexResult: typeof result }).cortexResult = result;
