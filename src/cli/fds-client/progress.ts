// A progress bar on stderr for large transfers: only when stderr is a terminal and output is not
// JSON, so scripts and logs never see control sequences. cli-progress is required when a bar is
// first drawn, so that `opal serve` and every other command do not load it.
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import { formatSize } from './sizes.ts';

/** Transfers at least this large get a bar. */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;

export interface Progress {
  /** Sets the total once known (a download learns it from the response). */
  start(total: number | undefined): void;
  add(bytes: number): void;
  stop(): void;
}

const NONE: Progress = { start() {}, add() {}, stop() {} };

export function createProgress(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return NONE;
  let bar: CliProgress.SingleBar | undefined;
  let value = 0;
  return {
    start(total) {
      if (total === undefined || total < PROGRESS_MIN_BYTES) return;
      const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} [{bar}] {percentage}% | {done} / {size} | {speed} | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      const started = Date.now();
      const payload = () => ({
        done: formatSize(value),
        size: formatSize(total),
        speed: `${formatSize(Math.round(value / Math.max((Date.now() - started) / 1000, 0.001)))}/s`,
      });
      bar.start(total, value, payload());
      this.add = (n: number) => {
        value += n;
        bar?.update(value, payload());
      };
    },
    add(n) {
      value += n;
    },
    stop() {
      bar?.stop();
    },
  };
}
