/**
 * The page's side of the explain panel: keeps the chosen point, asks the worker to explain
 * it, shows the answer, and asks again (at most every {@link REFRESH_MS}, one request at a
 * time) while the model changes, so the bars follow the training.
 * @module
 */
import type { DataMessage, ExplanationMessage, ToWorker } from './protocol.js';
import type { ExplainView } from './views/explain.js';
import type { PlanePoint } from './views/pick.js';

/** Least time between two explanations of a changing model. */
export const REFRESH_MS = 400;

/** Chooses points, sends `explain` requests and shows the answers. */
export class Explainer {
  private data: DataMessage | null = null;
  private chosen: PlanePoint | null = null;
  /** The id of the latest request; answers to earlier ones are dropped. */
  private id = 0;
  private inFlight = false;
  /** The model changed while a request was out: ask again when it is answered. */
  private stale = false;
  private lastSent = 0;
  private timer = 0;

  constructor(
    private readonly view: ExplainView,
    private readonly send: (msg: ToWorker) => void,
  ) {}

  /** The point being explained, if any. */
  get point(): PlanePoint | null {
    return this.chosen;
  }

  /** New data (a new run): nothing is chosen any more. */
  setData(d: DataMessage): void {
    this.data = d;
    this.clear();
  }

  /** Lets go of the point and shows the hint; answers still on their way are dropped. */
  clear(): void {
    this.chosen = null;
    this.id++;
    this.inFlight = false;
    this.stale = false;
    clearTimeout(this.timer);
    this.timer = 0;
    this.view.clear();
  }

  /** Explains a point now. */
  choose(p: PlanePoint): void {
    this.chosen = p;
    this.view.pending(p);
    this.request();
  }

  /** Says which point the keyboard is on. */
  highlight(p: PlanePoint): void {
    if (this.data) this.view.highlight(p, this.data.featureNames);
  }

  /** The model has changed (a snapshot was drawn): explain the chosen point again, throttled. */
  modelChanged(): void {
    if (this.chosen === null) return;
    if (this.inFlight) {
      this.stale = true;
      return;
    }
    if (this.timer !== 0) return;
    const wait = this.lastSent + REFRESH_MS - performance.now();
    if (wait <= 0) this.request();
    else {
      this.timer = window.setTimeout(() => {
        this.timer = 0;
        if (this.chosen !== null && !this.inFlight) this.request();
      }, wait);
    }
  }

  /** An answer from the worker. */
  receive(e: ExplanationMessage): void {
    if (e.id !== this.id || this.chosen === null) return;
    this.inFlight = false;
    this.view.show(e, this.chosen, this.data?.targetName ?? 'output');
    if (this.stale) {
      this.stale = false;
      this.modelChanged();
    }
  }

  /** The worker could not explain the point: say so; the next model change tries again. */
  failed(id: number, message: string): void {
    if (id !== this.id || this.chosen === null) return;
    this.inFlight = false;
    this.stale = false;
    this.view.failed(message);
  }

  private request(): void {
    const p = this.chosen;
    if (p === null) return;
    clearTimeout(this.timer);
    this.timer = 0;
    this.id++;
    this.inFlight = true;
    this.lastSent = performance.now();
    this.send({ type: 'explain', id: this.id, point: [p.x, p.y] });
  }
}
