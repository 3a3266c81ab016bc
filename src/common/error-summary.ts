/**
 * What a log line says about an error: its code (when it has one) and message, never the error's
 * objects (a node-postgres error can carry its client, a driver error the query's values).
 */
export function errorSummary(error: unknown): { code?: string; reason: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    ...(typeof code === 'string' && { code }),
    reason: error instanceof Error ? error.message : String(error),
  };
}
