import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { RepeatedErrorLog } from '../observability/logging/repeated-error-log.js';
import { INBOX_RELAY_CHANNEL } from './inbox-relay.js';

/** At most one NOTIFY per this many ms per process; a row stored meanwhile is announced at its end. */
const NOTIFY_WINDOW_MS = 20;

/**
 * Tells the relays that rows wait (ADR 0017), after the intake's commit and outside its
 * transaction: a NOTIFY inside it would serialise every intake commit on Postgres's notification
 * lock (held through the commit's WAL flush; measured: about 1,000 inserts/s instead of 3,500). So
 * one `pg_notify` per 20 ms window at most, on its own, and none while nothing is stored. A lost
 * one (process killed, database gone) costs a row the relay's poll interval, nothing more.
 */
@Injectable()
export class InboxRelayNotifier implements OnModuleDestroy {
  private readonly logger = new Logger(InboxRelayNotifier.name);
  private readonly errors = new RepeatedErrorLog(
    this.logger,
    'could not wake the inbox relays (they poll every 250 ms meanwhile)',
  );
  private window: NodeJS.Timeout | undefined;
  private storedDuringWindow = false;
  private stopped = false;

  constructor(private readonly prisma: PrismaService) {}

  /** A row for the relay was committed. */
  rowStored(): void {
    if (this.stopped) return;
    if (this.window) {
      this.storedDuringWindow = true;
      return;
    }
    this.prisma.pool
      .query("SELECT pg_notify($1, '')", [INBOX_RELAY_CHANNEL])
      .catch((error: unknown) => this.errors.report(error));
    this.window = setTimeout(() => {
      this.window = undefined;
      if (this.storedDuringWindow) {
        this.storedDuringWindow = false;
        this.rowStored();
      }
    }, NOTIFY_WINDOW_MS);
    this.window.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.window);
  }
}
