import type { ServerOptions } from 'node:http';
import type { AppConfig } from '../config/app-config.js';

/** Headers must be complete within this many seconds, however long a whole request may take. */
export const MAX_HEADERS_TIMEOUT_SECONDS = 10;

/**
 * How often Node looks for connections past their headers or request deadline. Its default, 30 s,
 * would let a 10 s deadline stretch to 40 s.
 */
export const DEADLINE_CHECK_INTERVAL_MS = 1_000;

/** The Fastify options that bound how long a client may hold a socket. */
export interface HttpServerTimeouts {
  /**
   * Whole request, headers and body, from its first byte (Node's `server.requestTimeout`); then
   * 408 and the socket closes. Fastify's default, 0, turns off Node's own 300 s limit.
   */
  readonly requestTimeout: number;
  /**
   * Socket inactivity (Node's `server.setTimeout`): a socket with no bytes either way for this
   * long, say a stalled handler or a client that stops reading the response, is destroyed.
   * Fastify's default, 0, means never.
   */
  readonly connectionTimeout: number;
  /**
   * Idle keep-alive connection after a response (replaces the inactivity timeout between requests).
   * Node keeps the socket open `keepAliveTimeoutBuffer` (1 s) longer than the `Keep-Alive:
   * timeout=` it advertises, so the client gives up first. Fastify's default is 72 s.
   */
  readonly keepAliveTimeout: number;
  readonly http: Required<Pick<ServerOptions, 'headersTimeout' | 'connectionsCheckingInterval'>>;
}

/**
 * Server timeouts for HTTP_REQUEST_TIMEOUT_SECONDS and HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: headers
 * within min(10 s, request timeout), the whole request and any silence within the request
 * timeout, idle keep-alive connections closed after the keep-alive timeout. `http` goes to Node's
 * `createServer` (Fastify would overwrite a `requestTimeout` given there with its own option).
 */
export function httpServerTimeouts({
  requestTimeoutSeconds,
  keepAliveTimeoutSeconds,
}: Pick<AppConfig['http'], 'requestTimeoutSeconds' | 'keepAliveTimeoutSeconds'>): HttpServerTimeouts {
  return {
    requestTimeout: requestTimeoutSeconds * 1000,
    connectionTimeout: requestTimeoutSeconds * 1000,
    keepAliveTimeout: keepAliveTimeoutSeconds * 1000,
    http: {
      headersTimeout: Math.min(MAX_HEADERS_TIMEOUT_SECONDS, requestTimeoutSeconds) * 1000,
      connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS,
    },
  };
}
