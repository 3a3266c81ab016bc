import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { BackfillProgress } from './checkpointed-listing.js';

export interface ProgressReporter {
  update(progress: BackfillProgress): void;
  stop(): void;
}

/**
 * How `npm run backfill` shows progress: on a terminal, a bar per object with counts, rate and ETA
 * (cli-progress); otherwise (a pipe, a CI log) a plain line per object at most every `everyMs`,
 * and always its last one.
 */
export function progressReporter(stream: NodeJS.WriteStream, everyMs = 2_000): ProgressReporter {
  return stream.isTTY ? new TerminalProgress(stream) : new PlainProgress(stream, everyMs);
}

class TerminalProgress implements ProgressReporter {
  private readonly bars = new Map<string, { bar: SingleBar; startedAt: number }>();
  private readonly multiBar: MultiBar;

  constructor(stream: NodeJS.WriteStream) {
    this.multiBar = new MultiBar(
      {
        stream,
        format: '{object} |{bar}| {value}/{total} records · {pages} pages · {rate}/s · ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
  }

  update(progress: BackfillProgress): void {
    const total = Math.max(progress.total ?? progress.records, progress.records);
    const payload = { object: progress.object.padEnd(13), pages: progress.pages, rate: 0 };
    let entry = this.bars.get(progress.object);
    if (!entry) {
      entry = { bar: this.multiBar.create(total, 0, payload), startedAt: Date.now() };
      this.bars.set(progress.object, entry);
    }
    const seconds = Math.max((Date.now() - entry.startedAt) / 1000, 0.001);
    entry.bar.setTotal(total);
    entry.bar.update(progress.records, { ...payload, rate: Math.round(progress.records / seconds) });
  }

  stop(): void {
    this.multiBar.stop();
  }
}

class PlainProgress implements ProgressReporter {
  private readonly started = new Map<string, number>();
  private readonly printed = new Map<string, { at: number; progress: BackfillProgress }>();
  private readonly latest = new Map<string, BackfillProgress>();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly everyMs: number,
  ) {}

  update(progress: BackfillProgress): void {
    const now = Date.now();
    if (!this.started.has(progress.object)) this.started.set(progress.object, now);
    this.latest.set(progress.object, progress);
    if (now - (this.printed.get(progress.object)?.at ?? 0) >= this.everyMs) this.print(progress, now);
  }

  /** Each object's last progress, unless it was already the last line printed. */
  stop(): void {
    for (const progress of this.latest.values()) {
      if (this.printed.get(progress.object)?.progress !== progress) this.print(progress, Date.now());
    }
  }

  private print(progress: BackfillProgress, now: number): void {
    this.printed.set(progress.object, { at: now, progress });
    const seconds = Math.max((now - this.started.get(progress.object)!) / 1000, 0.001);
    const rate = progress.records / seconds;
    const total = progress.total !== undefined ? `/${progress.total}` : '';
    const left = progress.total !== undefined && rate > 0 ? (progress.total - progress.records) / rate : undefined;
    const eta = left !== undefined ? ` · ETA ${Math.max(0, Math.ceil(left))} s` : '';
    this.stream.write(
      `${progress.object}: ${progress.records}${total} records · ${progress.pages} pages · ${Math.round(rate)}/s${eta}\n`,
    );
  }
}
