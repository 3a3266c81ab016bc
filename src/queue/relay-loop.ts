import type { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { RepeatedErrorLog } from '../observability/logging/repeated-error-log.js';

/** Pause after a failed batch (database down, say), so the loop neither dies nor spins. */
const RELAY_ERROR_PAUSE_MS = 1_000;

/**
 * Limits of a relay transaction: its statements are cancelled past 10 s (a stalled database), and
 * it waits at most 1 s for a lock (a table locked by a migration or a stuck session), then gives its
 * connection back and tries again after the error pause, as the intake does (ADR 0014).
 */
export const RELAY_TRANSACTION_LIMITS = { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 } as const;

export interface RelayLoopOptions {
  /** Rows one batch moves at most; while batches come back full the loop goes on at once. */
  readonly batchSize: number;
  /** Longest the loop sleeps between batches without a wake-up. */
  readonly pollIntervalMs: number;
  /** Moves one batch from a table into the queue, in one transaction; the number of rows it moved. */
  readonly relayBatch: () => Promise<number>;
  /** Before each batch (the inbox relay tries LISTEN again there). */
  readonly beforeBatch?: () => void;
  /** After a batch that moved rows. */
  readonly afterBatch?: (moved: number) => void;
}

/**
 * The loop of a relay from a table of the service into pg-boss (the inbox's, ADR 0017; the contact
 * outbox's, ADR 0019): a batch, then at once another while batches come back full, else a sleep until
 * the poll interval or a wake-up. A failed batch is logged folded and retried after a pause.
 */
export class RelayLoop {
  private readonly errors: RepeatedErrorLog;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** A wake-up that came while the loop was busy: the next idle wait is skipped. */
  private woken = false;
  private wakeIdle: (() => void) | undefined;

  constructor(
    logger: Logger,
    failureMessage: string,
    private readonly options: RelayLoopOptions,
  ) {
    this.errors = new RepeatedErrorLog(logger, failureMessage);
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the loop after the batch in hand. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  wake(): void {
    if (this.wakeIdle) this.wakeIdle();
    else this.woken = true;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      this.options.beforeBatch?.();
      let moved: number;
      try {
        moved = await this.options.relayBatch();
      } catch (error) {
        if (signal.aborted) break;
        this.errors.report(error);
        await sleep(RELAY_ERROR_PAUSE_MS, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (moved > 0) this.options.afterBatch?.(moved);
      if (moved < this.options.batchSize) await this.idle();
    }
  }

  /** Until a wake-up, the poll interval, or the stop, whichever is first. */
  private async idle(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    const woken = new Promise<void>((resolve) => (this.wakeIdle = resolve));
    await Promise.race([
      woken,
      sleep(this.options.pollIntervalMs, undefined, { signal: this.stopping.signal }).catch(() => undefined),
    ]);
    this.wakeIdle = undefined;
    this.woken = false;
  }
}
