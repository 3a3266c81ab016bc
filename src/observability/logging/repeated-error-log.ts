import type { Logger } from '@nestjs/common';
import { errorSummary } from '../../common/error-summary.js';

/** Distinct errors remembered at once; beyond it the memory starts over (it only folds repeats). */
const MAX_REMEMBERED = 100;

/**
 * Logs an error that repeats, such as every poll failing while the database is down, once per
 * window and per error code (or message), saying how many were folded into the previous line.
 * Lines carry the code and message only, never the error's objects.
 */
export class RepeatedErrorLog {
  private readonly lastLogged = new Map<string, { at: number; folded: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly windowMs = 10_000,
  ) {}

  report(error: unknown, context: Record<string, unknown> = {}): void {
    const described = errorSummary(error);
    const key = described.code ?? described.reason;
    const now = Date.now();
    const previous = this.lastLogged.get(key);
    if (previous && now - previous.at < this.windowMs) {
      previous.folded += 1;
      return;
    }
    if (this.lastLogged.size >= MAX_REMEMBERED) this.lastLogged.clear();
    this.lastLogged.set(key, { at: now, folded: 0 });
    this.logger.error(
      { ...context, ...described, ...(previous && { foldedSinceLastLine: previous.folded }) },
      this.message,
    );
  }
}
