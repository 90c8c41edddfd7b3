/**
 * The playground page: wires the controls, the training worker and the views together,
 * and keeps the URL in step with the state so that a link reproduces a run.
 * @module
 */
import 'uplot/dist/uPlot.min.css';
import { byId, type Controls, editLayers, findControls, readControls, showState, showTargets } from './controls.js';
import type { CsvUpload, DataMessage, EpochRecord, FromWorker, SnapshotMessage, ToWorker } from './protocol.js';
import { download, outputNames, showDataLabels, showStats } from './panels.js';
import { DATASETS, FEATURES, TASKS, type PlaygroundState, stateFromQuery, stateToQuery } from './state.js';
import { Explainer } from './explainer.js';
import { buildTiles, type Tiles } from './tiles.js';
import { BrainView } from './views/brain.js';
import { Curves } from './views/curves.js';
import { ExplainView } from './views/explain.js';
import { OutputView } from './views/output.js';

/** What the page exposes for its end-to-end tests (and curious users in the console). */
export interface PlaygroundHandle {
  state(): PlaygroundState;
  stepLosses(): number[];
  epochs(): EpochRecord[];
  backend(): string;
  step(): number;
  /** Snapshots received from the worker and frames drawn from them. */
  frames(): { received: number; drawn: number };
  /** Weight `[out, input]` of `Linear` layer `layer` in the latest snapshot. */
  weight(layer: number, out: number, input: number): number | undefined;
  /** Where a data point is drawn on the output view, in CSS pixels from its top left corner. */
  pointPosition(split: 'train' | 'test', index: number): { x: number; y: number } | undefined;
}

declare global {
  interface Window {
    cortexPlayground?: PlaygroundHandle;
  }
}

class App {
  private state: PlaygroundState = stateFromQuery(location.search);
  private readonly worker = new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module' });
  private readonly controls: Controls = findControls();
  private readonly explainer = new Explainer(new ExplainView(byId('explain', HTMLElement)), (msg) => this.send(msg));
  private readonly output = new OutputView(byId('boundary', HTMLCanvasElement), {
    choose: (p) => this.explainer.choose(p),
    highlight: (p) => this.explainer.highlight(p),
    release: () => this.explainer.clear(),
  });
  private readonly brain: BrainView;
  private readonly curves = new Curves(byId('curve-loss', HTMLDivElement), byId('curve-score', HTMLDivElement));
  private readonly playButton = byId('play', HTMLButtonElement);
  private readonly tiles: Tiles;
  private data: DataMessage | null = null;
  private csv: CsvUpload | null = null;
  private running = false;
  private backendName = '';
  private losses: number[] = [];
  private epochRecords: EpochRecord[] = [];
  private lastStep = 0;
  private sayTimer = 0;
  /** The latest snapshot not drawn yet (several arriving within a frame are coalesced). */
  private pending: SnapshotMessage | null = null;
  private latest: SnapshotMessage | null = null;
  private frameRequested = false;
  private received = 0;
  private drawn = 0;
  /** Shared with the worker when the page is cross-origin isolated: `[0]` is 1 while training must stop. */
  private readonly flags: Int32Array | null =
    typeof SharedArrayBuffer === 'function' && self.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
  /** What to go back to if an uploaded CSV is refused. */
  private rollback: { state: PlaygroundState; csv: CsvUpload | null; hint: string } | null = null;
  /** The model file imported last (kept in case it needs a CSV first). */
  private lastImport: { bytes: ArrayBuffer; name: string } | null = null;
  /** A model waiting for the CSV it was trained on: imported again once that is uploaded. */
  private waiting: { bytes: ArrayBuffer; name: string; target: string } | null = null;

  constructor() {
    this.brain = new BrainView(byId('brain', HTMLDivElement), {
      changeNeurons: (layer, delta) => this.change({ layers: editLayers(this.state.layers, { layer, delta }) }),
      editWeight: (layer, out, input, value) => this.send({ type: 'setWeight', layer, out, input, value }),
      preview: (t) =>
        this.output.setPreview(
          t === null ? null : { name: t.name, paint: (out) => this.brain.paintNeuron(t.column, t.index, out) },
        ),
    });
    this.tiles = buildTiles(byId('tiles', HTMLDivElement), DATASETS, (dataset) => {
      if (dataset === 'csv' && this.csv === null) {
        byId('csv-file', HTMLInputElement).click();
        this.tiles.pick(this.state.dataset);
        return;
      }
      this.change({ dataset });
    });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.say(`The training worker failed: ${e.message}`, true);
    if (this.flags) this.send({ type: 'control', flags: this.flags });
    this.bind();
    if (this.state.dataset === 'csv') this.state.dataset = 'spiral';
    this.showAll();
    this.configure();
    window.cortexPlayground = {
      state: () => ({ ...this.state, layers: [...this.state.layers] }),
      stepLosses: () => [...this.losses],
      epochs: () => [...this.epochRecords],
      backend: () => this.backendName,
      step: () => this.lastStep,
      frames: () => ({ received: this.received, drawn: this.drawn }),
      weight: (layer, out, input) => {
        const w = this.latest?.weights[layer];
        return w ? w.weight[out * w.inFeatures + input] : undefined;
      },
      pointPosition: (split, index) => this.output.pointPosition(split, index),
    };
  }

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private bind(): void {
    const c = this.controls;
    const fromControls = () => this.change(readControls(c, this.state));
    for (const el of [c.activation, c.optimizer, c.regulariser, c.regRate, c.batch, c.seed, c.target]) {
      el.addEventListener('change', fromControls);
    }
    // The learning rate changes the running training in place, without a reset.
    c.lr.addEventListener('change', () => {
      const lr = Number(c.lr.value);
      if (!(lr > 0)) return;
      this.state = { ...this.state, lr };
      this.showAll();
      this.send({ type: 'lr', lr });
    });
    for (const el of [c.noise, c.points, c.ratio]) {
      el.addEventListener('input', () => showState(c, readControls(c, this.state)));
      el.addEventListener('change', fromControls);
    }
    byId('task', HTMLSelectElement).addEventListener('change', (e) =>
      this.change({ task: TASKS.find((t) => t === (e.target as HTMLSelectElement).value) ?? 'auto' }),
    );
    for (const box of c.features) {
      box.addEventListener('change', () => this.change({ features: FEATURES.filter((f) => c.features.some((b) => b.value === f && b.checked)) }));
    }
    c.addLayer.addEventListener('click', () => this.change({ layers: editLayers(this.state.layers, { delta: 1 }) }));
    c.removeLayer.addEventListener('click', () => this.change({ layers: editLayers(this.state.layers, { delta: -1 }) }));
    byId('reseed', HTMLButtonElement).addEventListener('click', () =>
      this.change({ seed: Math.floor(Math.random() * 100000) }),
    );
    this.playButton.addEventListener('click', () => this.togglePlay());
    byId('step', HTMLButtonElement).addEventListener('click', () => this.send({ type: 'step' }));
    byId('speed', HTMLSelectElement).addEventListener('change', (e) => {
      const v = Number((e.target as HTMLSelectElement).value);
      this.send({ type: 'speed', stepsPerSecond: v > 0 ? v : null });
    });
    byId('reset', HTMLButtonElement).addEventListener('click', () => this.configure());
    byId('show-test', HTMLInputElement).addEventListener('change', (e) => {
      this.output.showTest = (e.target as HTMLInputElement).checked;
      this.output.render();
    });
    byId('discretize', HTMLInputElement).addEventListener('change', (e) => {
      this.output.discrete = (e.target as HTMLInputElement).checked;
      this.output.render();
    });
    byId('csv-file', HTMLInputElement).addEventListener('change', (e) => void this.upload(e.target as HTMLInputElement));
    byId('export', HTMLButtonElement).addEventListener('click', () => this.send({ type: 'export' }));
    byId('import-file', HTMLInputElement).addEventListener('change', (e) => void this.importFile(e.target as HTMLInputElement));
    document.addEventListener('keydown', (e) => this.shortcut(e));
    window.addEventListener('resize', () => this.output.render());
    window.addEventListener('popstate', () => {
      this.state = stateFromQuery(location.search);
      this.showAll();
      this.configure();
    });
  }

  private shortcut(e: KeyboardEvent): void {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLButtonElement) return;
    if (e.key === ' ') {
      e.preventDefault();
      this.togglePlay();
    } else if (e.key === 's' || e.key === 'S') this.send({ type: 'step' });
    else if (e.key === 'r' || e.key === 'R') this.configure();
  }

  private togglePlay(): void {
    // The shared stop flag is set (or cleared) before the worker hears of it.
    const play = !this.running;
    this.setRunning(play);
    this.send({ type: play ? 'play' : 'pause' });
  }

  private setRunning(on: boolean): void {
    this.running = on;
    // Read by the worker between batches: a pause takes effect after the current batch.
    if (this.flags) Atomics.store(this.flags, 0, on ? 0 : 1);
    this.playButton.classList.toggle('playing', on);
    this.playButton.setAttribute('aria-label', on ? 'Pause' : 'Play');
  }

  /** Applies an edit to the state, updates the URL and starts a fresh run. */
  private change(edit: Partial<PlaygroundState>): void {
    this.state = { ...this.state, ...edit };
    this.showAll();
    this.configure();
  }

  private showAll(): void {
    showState(this.controls, this.state);
    this.tiles.pick(this.state.dataset);
    const url = `${location.pathname}${stateToQuery(this.state)}`;
    if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
  }

  private configure(): void {
    this.setRunning(false);
    this.losses = [];
    this.epochRecords = [];
    this.lastStep = 0;
    this.output.mark(null);
    this.explainer.clear();
    this.say('');
    byId('stat-speed', HTMLOutputElement).value = '0';
    this.send({ type: 'configure', state: this.state, csv: this.state.dataset === 'csv' ? this.csv : null });
  }

  private async upload(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > 5 * 1024 * 1024) {
      this.say(`${file.name} is larger than 5 MB; the playground takes small CSV files`, true);
      return;
    }
    const hint = byId('csv-hint', HTMLParagraphElement);
    this.rollback = { state: this.state, csv: this.csv, hint: hint.textContent ?? '' };
    this.csv = { name: file.name, text: await file.text() };
    input.value = '';
    hint.textContent = `${file.name}: its first two numeric columns (an id column is skipped) are the inputs, standardised as cortex train does.`;
    this.change({ dataset: 'csv', target: this.waiting?.target ?? '' });
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    this.sendImport({ bytes: await file.arrayBuffer(), name: file.name });
    input.value = '';
  }

  private sendImport(model: { bytes: ArrayBuffer; name: string }): void {
    this.setRunning(false);
    this.lastImport = model;
    const bytes = model.bytes.slice(0);
    this.send({ type: 'import', bytes, name: model.name }, [bytes]);
  }

  private say(text: string, error = false): void {
    const el = byId('message', HTMLParagraphElement);
    el.textContent = text;
    el.classList.toggle('error', error);
    el.classList.toggle('shown', text !== '');
    // Notes fade after a while; errors stay until the next change.
    clearTimeout(this.sayTimer);
    if (!error && text !== '') this.sayTimer = window.setTimeout(() => this.say(''), 8000);
  }

  private receive(msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        this.backendName = msg.backend;
        byId('backend', HTMLSpanElement).textContent = `Backend: ${msg.backend} (${msg.detail})`;
        break;
      case 'thumbnails':
        this.tiles.paint(msg.sets);
        break;
      case 'explanation':
        this.explainer.receive(msg);
        break;
      case 'explainFailed':
        this.explainer.failed(msg.id, msg.message);
        break;
      case 'data':
        this.onData(msg);
        break;
      case 'snapshot':
        this.onSnapshot(msg);
        break;
      case 'exported':
        download(msg.bytes, msg.fileName);
        this.say(`Exported ${msg.fileName}`);
        break;
      case 'imported':
        this.state = msg.state;
        this.showAll();
        this.losses = [];
        this.epochRecords = [];
        this.say(msg.message);
        break;
      case 'error':
        this.setRunning(false);
        this.say(msg.message, true);
        this.waiting = msg.needsCsv && this.lastImport ? { ...this.lastImport, target: msg.needsCsv.target } : null;
        if (msg.needsCsv) {
          const [a, b] = msg.needsCsv.features;
          byId('csv-hint', HTMLParagraphElement).textContent =
            `${this.lastImport?.name ?? 'The model'} needs a CSV with the columns ${a}, ${b} and ${msg.needsCsv.target}.`;
        }
        if (this.rollback) {
          // The upload was refused; the worker kept the previous run, so the page does too.
          this.state = this.rollback.state;
          this.csv = this.rollback.csv;
          byId('csv-hint', HTMLParagraphElement).textContent = this.rollback.hint;
          this.rollback = null;
          this.showAll();
        }
        break;
    }
  }

  private onData(d: DataMessage): void {
    this.rollback = null;
    this.pending = null;
    const waiting = this.waiting;
    if (waiting && d.csvColumns.length > 0) {
      // The CSV a model was waiting for: import the model again, on these data.
      this.waiting = null;
      this.sendImport(waiting);
    }
    byId('stat-speed', HTMLOutputElement).value = '0';
    this.data = d;
    this.output.setData(d);
    this.explainer.setData(d);
    this.curves.reset(d.task === 'regression');
    this.losses = [];
    this.epochRecords = [];
    if (d.csvColumns.length > 0) showTargets(this.controls, d.csvColumns, d.targetName);
    // Classification or regression, when the target allows both (a few whole numbers).
    const task = byId('task', HTMLSelectElement);
    task.disabled = !d.taskSwitch;
    task.value = d.taskSwitch ? this.state.task : 'auto';
    if (this.state.dataset === 'csv' && this.state.target !== d.targetName) {
      this.state = { ...this.state, target: d.targetName };
      this.showAll();
    }
    showDataLabels(d);
    const outputs = outputNames(d);
    const sizes = [d.inputNames.length, ...this.state.layers, outputs.length];
    this.showArch(sizes);
    this.brain.setStructure(sizes, {
      inputs: d.inputNames,
      outputs,
      classification: d.task === 'classification',
    });
  }

  /** Keeps a snapshot's losses and epochs; the views are drawn once per animation frame. */
  private onSnapshot(s: SnapshotMessage): void {
    this.received++;
    this.lastStep = s.step;
    for (const v of s.newStepLosses) this.losses.push(v);
    for (const r of s.newEpochs) this.epochRecords.push(r);
    this.curves.push(s.newEpochs);
    if (!s.running && this.running && s.newStepLosses.length === 0) this.setRunning(false);
    this.pending = s;
    this.latest = s;
    if (!this.frameRequested) {
      this.frameRequested = true;
      requestAnimationFrame(() => this.drawFrame());
    }
  }

  private drawFrame(): void {
    this.frameRequested = false;
    const s = this.pending;
    this.pending = null;
    if (s) this.draw(s);
    this.send({ type: 'drawn' });
  }

  /** The network's shape in the panel's title, e.g. `2 → 8 → 8 → 3`. */
  private showArch(sizes: readonly number[]): void {
    byId('arch', HTMLSpanElement).textContent = sizes.join(' → ');
  }

  private draw(s: SnapshotMessage): void {
    this.drawn++;
    this.curves.draw();
    this.showArch(s.columnSizes);
    if (this.data) {
      const d = this.data;
      this.brain.setStructure(s.columnSizes, { inputs: d.inputNames, outputs: outputNames(d), classification: d.task === 'classification' });
    }
    this.brain.update(s);
    this.output.setOutput(s.output);
    this.explainer.modelChanged();
    showStats(s, this.data?.task ?? 'classification');
  }
}

new App();
