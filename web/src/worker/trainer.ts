/**
 * The trainer, the heavy part of the training worker: it owns the data, the model and the
 * optimizer, trains in short slices of time between messages, and sends the page snapshots
 * for the views. Importing `cortex-nn` loads the WASM backend where the browser supports it.
 * The worker's entry (`worker.ts`) loads this module and hands it the page's messages.
 * @module
 */
import { backendStatus, getBackend, getNumThreads, setNumThreads, wasmInfo } from 'cortex-nn';
import type { CsvUpload, DataMessage, EpochRecord, FromWorker, SnapshotMessage, ToWorker } from '../protocol.js';
import type { PlaygroundState } from '../state.js';
import { buildData } from './dataset.js';
import { explainPoint } from './explain.js';
import { inputNames } from './features.js';
import { exportModel, importModel, NeedsCsvError } from './model-io.js';
import { Session } from './session.js';
import { thumbnails } from './thumbnails.js';

/** Time spent training per slice before messages are handled again. */
const SLICE_MS = 20;
/** Minimum time between two snapshots sent to the page. */
const SNAPSHOT_MS = 50;

let session: Session | null = null;
let lastCsv: CsvUpload | null = null;
let running = false;
let pendingLosses: number[] = [];
let pendingEpochs: EpochRecord[] = [];
let latest: EpochRecord | null = null;
let lastSnapshot = 0;
/**
 * A snapshot is on its way to the page and not drawn yet. Until the page says it has drawn
 * it, training goes on but no new snapshot is sent: at most one per animation frame of the
 * page, so a busy page is never flooded (the losses and epochs queue up and go with the next).
 */
let awaitingDraw = false;
/** The page's shared control flags, if any: `[0]` is 1 while training must stop. */
let control: Int32Array | null = null;

/** Whether the page has asked, through the shared flags, for training to stop. */
function stopRequested(): boolean {
  return control !== null && Atomics.load(control, 0) === 1;
}
/** Times of recent steps, for the steps-per-second figure. */
const stepTimes: number[] = [];

/** Sends a message to the page (set by {@link start}). */
type Post = (message: FromWorker, transfer?: Transferable[]) => void;
let post: Post = () => {};

function fail(e: unknown): void {
  running = false;
  const message = e instanceof Error ? e.message : String(e);
  post(e instanceof NeedsCsvError ? { type: 'error', message, needsCsv: e.columns } : { type: 'error', message });
}

/**
 * Starts the trainer: caps the WASM backend's threads (small networks gain little from
 * more), says which backend runs, and sends the data sets' thumbnails.
 */
export async function start(send: Post): Promise<void> {
  post = send;
  let detail: string;
  const info = wasmInfo();
  if (info) {
    try {
      await setNumThreads(Math.min(4, navigator.hardwareConcurrency || 1));
    } catch {
      // The pool could not grow: the backend keeps the threads it has.
    }
    const threads = getNumThreads();
    detail = `${info.variant}, ${threads} thread${threads === 1 ? '' : 's'}${info.threadsAvailable ? '' : ' (page not cross-origin isolated)'}`;
  } else {
    detail = backendStatus().reason ?? 'WebAssembly SIMD not available';
  }
  post({ type: 'ready', backend: getBackend().name, detail });
  post({ type: 'thumbnails', sets: thumbnails() });
}

function stepsPerSecond(now: number): number {
  while (stepTimes.length > 0 && now - stepTimes[0]! > 1000) stepTimes.shift();
  if (stepTimes.length < 2) return 0;
  const span = Math.max(now - stepTimes[0]!, 1);
  return Math.round(((stepTimes.length - 1) * 1000) / span);
}

function sendSnapshot(force = false): void {
  const s = session;
  if (!s) return;
  const now = performance.now();
  if (!force && (awaitingDraw || now - lastSnapshot < SNAPSHOT_MS)) return;
  lastSnapshot = now;
  awaitingDraw = true;
  const { maps, sizes } = s.neuronMaps();
  const output = s.outputMap();
  const message: SnapshotMessage = {
    type: 'snapshot',
    running,
    epoch: s.epoch,
    step: s.step,
    stepsPerSecond: running ? stepsPerSecond(now) : 0,
    newStepLosses: pendingLosses,
    newEpochs: pendingEpochs,
    latest: latest ?? s.evaluate(),
    neurons: maps,
    columnSizes: sizes,
    weights: s.weights(),
    output,
  };
  pendingLosses = [];
  pendingEpochs = [];
  post(message, [output.buffer, ...maps.map((m) => m.buffer)]);
}

/** One training step, with the bookkeeping for the curves. */
function trainOne(s: Session): void {
  const { loss, epochEnded } = s.trainStep();
  pendingLosses.push(loss);
  stepTimes.push(performance.now());
  if (stepTimes.length > 5000) stepTimes.splice(0, stepTimes.length - 5000);
  if (epochEnded) {
    latest = s.evaluate();
    pendingEpochs.push(latest);
  }
}

const channel = new MessageChannel();
channel.port1.onmessage = () => tick();

function schedule(): void {
  channel.port2.postMessage(null);
}

/** Steps per second the user allows (null: as fast as possible), and the budget's clock. */
let speedCap: number | null = null;
let budgetStart = 0;
let budgetSteps = 0;

function resetBudget(): void {
  budgetStart = performance.now();
  budgetSteps = 0;
}

function tick(): void {
  const s = session;
  if (!running || !s) return;
  const start = performance.now();
  const allowed = speedCap === null ? Number.POSITIVE_INFINITY : Math.floor(((start - budgetStart) * speedCap) / 1000) - budgetSteps;
  let done = 0;
  try {
    // The stop flag is read between batches, so Pause takes effect after the current one.
    while (done < allowed && performance.now() - start < SLICE_MS && !stopRequested()) {
      trainOne(s);
      done++;
    }
  } catch (e) {
    sendSnapshot(true);
    fail(e);
    return;
  }
  budgetSteps += done;
  if (stopRequested()) {
    running = false;
    sendSnapshot(true);
    return;
  }
  sendSnapshot();
  // Slowed down: wait for the next frame's worth of budget instead of spinning.
  if (speedCap !== null && done >= allowed) setTimeout(tick, 16);
  else schedule();
}

function configure(state: PlaygroundState, csv: CsvUpload | null): void {
  running = false;
  // Built before the old run is dropped: a bad CSV leaves the current run in place.
  const data = buildData(state, csv ?? lastCsv);
  if (csv) lastCsv = csv;
  session = new Session(state, data);
  startRun(session);
}

function startRun(s: Session): void {
  const { data } = s;
  pendingLosses = [];
  pendingEpochs = [];
  stepTimes.length = 0;
  latest = s.evaluate();
  pendingEpochs.push(latest);
  const message: DataMessage = { type: 'data', ...data, inputNames: inputNames(data.featureNames, s.state.features) };
  post(message);
  sendSnapshot(true);
}

/** Handles one message from the page (after {@link start}). */
export function handle(msg: ToWorker): void {
  try {
    switch (msg.type) {
      case 'configure':
        configure(msg.state, msg.csv);
        break;
      case 'play':
        if (session && !running) {
          running = true;
          stepTimes.length = 0;
          resetBudget();
          schedule();
        }
        break;
      case 'control':
        control = msg.flags;
        break;
      case 'drawn':
        awaitingDraw = false;
        break;
      case 'lr':
        session?.setLearningRate(msg.lr);
        break;
      case 'setWeight':
        if (session) {
          session.setWeight(msg.layer, msg.out, msg.input, msg.value);
          latest = session.evaluate();
          sendSnapshot(true);
        }
        break;
      case 'speed':
        speedCap = msg.stepsPerSecond;
        stepTimes.length = 0;
        resetBudget();
        break;
      case 'pause':
        running = false;
        sendSnapshot(true);
        break;
      case 'step':
        running = false;
        if (session) {
          trainOne(session);
          sendSnapshot(true);
        }
        break;
      case 'export':
        if (session) {
          const { bytes, fileName } = exportModel(session);
          post({ type: 'exported', bytes, fileName }, [bytes]);
        }
        break;
      case 'explain':
        // A failed explanation is reported but leaves training running.
        if (session) {
          try {
            post(explainPoint(session, msg.point, msg.id));
          } catch (e) {
            post({ type: 'explainFailed', id: msg.id, message: e instanceof Error ? e.message : String(e) });
          }
        }
        break;
      case 'import': {
        running = false;
        const imported = importModel(msg.bytes, msg.name, session, lastCsv);
        session = imported.session;
        startRun(session);
        post({ type: 'imported', state: session.state, message: imported.message });
        break;
      }
    }
  } catch (e) {
    fail(e);
  }
}
