import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorSummary } from '../common/error-summary.js';
import { withinDeadline } from '../common/within-deadline.js';
import { classifyFailure } from '../dlq/sync-errors.js';
import { PrismaService } from './prisma.service.js';

/** How often paused work asks whether the database answers again. */
const PROBE_INTERVAL_MS = 500;
/** A probe that takes longer than this counts as no answer (a stalled server). */
const PROBE_TIMEOUT_MS = 2_000;
/**
 * A connection lost this recently makes a connection failure part of an outage even when the
 * server answers again by the time it is probed (a fast restart is over in well under a second).
 */
const RECENT_LOSS_MS = 10_000;

/**
 * Knows whether the database is reachable, for work that should wait for it rather than fail: a
 * job whose database went away mid-run is not at fault, so it is run again once the database
 * answers, without counting an attempt or reaching dead letters. One probe loop is shared by
 * everything waiting; the outage is logged when it starts and when it ends.
 */
@Injectable()
export class DatabaseAvailability implements OnModuleDestroy {
  private readonly logger = new Logger(DatabaseAvailability.name);
  private readonly stopping = new AbortController();
  private outage: Promise<void> | undefined;

  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs `work`; if it fails because the database is unreachable, waits until it answers and runs
   * `work` again, as often as that happens. Any other failure, or a connection failure with the
   * database answering and no connection lost lately (not an outage: the GHL API's, say), is
   * rethrown. Gives up with the work's error when the service shuts down.
   */
  async retriedThroughOutages<T>(work: () => Promise<T>, what: Record<string, unknown>): Promise<T> {
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (classifyFailure(error).errorClass !== 'DatabaseUnavailable' || this.stopping.signal.aborted) throw error;
        if (!(await this.waitedOutOutage())) throw error;
        this.logger.log({ ...what, ...errorSummary(error) }, 'the database is back: running the work again');
      }
    }
  }

  /** Releases everything waiting (they fail with their own errors); called before the queue stops. */
  stop(): void {
    this.stopping.abort();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  /** true when the database was unavailable and answers again; false when it answered all along. */
  private async waitedOutOutage(): Promise<boolean> {
    if (!(await this.answers())) {
      // One probe loop for every waiter; it rejects only when the service shuts down.
      this.outage ??= this.waitForAnswer().finally(() => (this.outage = undefined));
      await this.outage.catch(() => undefined);
      return !this.stopping.signal.aborted;
    }
    const lostLately = Date.now() - (this.prisma.lastConnectionLostAt ?? 0) < RECENT_LOSS_MS;
    // Not a tight loop when a connection error that is not the database's repeats.
    if (lostLately) await sleep(PROBE_INTERVAL_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    return lostLately && !this.stopping.signal.aborted;
  }

  private async waitForAnswer(): Promise<void> {
    const since = Date.now();
    this.logger.warn('the database does not answer: work that needs it waits');
    while (!(await this.answers())) {
      await sleep(PROBE_INTERVAL_MS, undefined, { signal: this.stopping.signal });
    }
    this.logger.log({ waitedMs: Date.now() - since }, 'the database answers again: waiting work resumes');
  }

  /** false when the probe fails or times out: the database is not usable, for whatever reason. */
  private async answers(): Promise<boolean> {
    try {
      await withinDeadline(this.prisma.pool.query('SELECT 1'), PROBE_TIMEOUT_MS, 'a database probe');
      return true;
    } catch {
      return false;
    }
  }
}
