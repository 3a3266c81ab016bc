import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../../config/environment.js';

/** Paths never written to logs: credentials, signatures and contact PII. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-ghl-signature"]',
  'req.headers["x-wh-signature"]',
  '*.email',
  '*.phone',
  '*.firstName',
  '*.lastName',
];

/**
 * The one pino instance of the process: JSON lines with ISO time and a textual level. Nest's
 * loggers, pino-http and the pre-Nest bootstrap (embedded Postgres, migrations) all write through it.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'trainu-ghl-sync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
