import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';

/** The log field every line of a request or job carries. */
export const CORRELATION_LOG_KEY = 'correlation_id';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes the caller's correlation id when it is a plain token (so it cannot inject into log lines
 * or headers), otherwise starts a new one.
 */
export function resolveCorrelationId(headerValue: string | string[] | undefined): string {
  const candidate = Array.isArray(headerValue) ? headerValue[0] : headerValue;
  return candidate !== undefined && ACCEPTABLE_ID.test(candidate) ? candidate : randomUUID();
}

/**
 * Fastify options that make the correlation id the request id (which pino-http then logs), and a
 * hook that returns it to the caller.
 */
export const correlationIdOptions = {
  requestIdHeader: false as const,
  genReqId: (request: { headers: Record<string, string | string[] | undefined> }) =>
    resolveCorrelationId(request.headers[CORRELATION_HEADER]),
};
