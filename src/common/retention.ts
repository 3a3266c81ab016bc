const DAY_MS = 86_400_000;

/** The moment `days` ago: rows finished before it are past their retention (INBOX_RETENTION_DAYS). */
export function retentionCutoff(days: number, now = Date.now()): Date {
  return new Date(now - days * DAY_MS);
}
