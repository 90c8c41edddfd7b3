/**
 * Training progress for the `cortex` command: on a terminal, a cli-progress bar updated
 * after every batch (epoch, loss, time left) with one line per epoch printed above it;
 * elsewhere (a pipe, a log file), plain epoch lines only. Everything goes to stderr, so
 * stdout keeps just the results.
 * @module
 */
import cliProgress from 'cli-progress';
import type { BatchInfo, Callback, EpochInfo } from '../train/callbacks.js';
import { duration, type Output } from './style.js';

/** Formats an epoch's logs: `loss 0.1234  accuracy 0.9500  valLoss ...`. */
export function formatLogs(logs: Record<string, number>): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toFixed(4)}`)
    .join('  ');
}

/** A `fit` callback that draws progress. */
export class TrainingProgress implements Callback {
  private bar: cliProgress.SingleBar | null = null;
  private readonly every: number;

  constructor(
    private readonly out: Output,
    epochs: number,
    /** Print every epoch's line, however many epochs there are. */
    allEpochs = false,
    /** Epochs completed before this process started (when resuming a checkpoint). */
    private readonly first = 0,
  ) {
    // Without --verbose, at most about 25 epoch lines.
    this.every = allEpochs ? 1 : Math.max(1, Math.ceil(epochs / 25));
  }

  onBatchEnd(info: BatchInfo): void {
    if (this.out.json || !this.out.tty) return;
    if (this.bar === null) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${this.out.c.cyan('{bar}')} {percentage}% | epoch {epoch}/{epochs} | loss {loss} | {elapsed} elapsed, {left} left`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, 0, this.payload(info));
    }
    this.bar.update(Math.round(info.progress * 1000), this.payload(info));
  }

  private payload(info: BatchInfo): Record<string, string | number> {
    return {
      epoch: info.epoch,
      epochs: info.epochs,
      loss: info.epochLoss.toFixed(4),
      elapsed: duration(info.elapsedMs),
      left: duration(info.etaMs),
    };
  }

  onEpochEnd(info: EpochInfo): void {
    if (this.out.json) return;
    const last = info.epoch === info.epochs;
    if (!last && info.epoch % this.every !== 0 && info.epoch !== this.first + 1) return;
    const width = String(info.epochs).length;
    const ran = info.epoch - this.first;
    const left = info.epochs > info.epoch && ran > 0 ? `  ${duration((info.elapsedMs / ran) * (info.epochs - info.epoch))} left` : '';
    const logs = info.samples === 0 ? `no rows drawn (every Poisson batch was empty)  ${formatLogs(info.logs)}`.trimEnd() : formatLogs(info.logs);
    const line = `epoch ${String(info.epoch).padStart(width)}/${info.epochs}  ${logs}${this.out.c.dim(left)}`;
    if (this.bar) process.stderr.write(`\r\x1b[K${line}\n`);
    else this.out.note(line);
  }

  /** Removes the bar (call when training ends, also on error). */
  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }
}
