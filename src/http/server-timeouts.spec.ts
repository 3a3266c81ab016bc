import { describe, expect, it } from 'vitest';
import { httpServerTimeouts } from './server-timeouts.js';

describe('httpServerTimeouts', () => {
  it.each([
    [30, 5, { requestTimeout: 30_000, connectionTimeout: 30_000, keepAliveTimeout: 5_000, headersTimeout: 10_000 }],
    [10, 65, { requestTimeout: 10_000, connectionTimeout: 10_000, keepAliveTimeout: 65_000, headersTimeout: 10_000 }],
    [2, 1, { requestTimeout: 2_000, connectionTimeout: 2_000, keepAliveTimeout: 1_000, headersTimeout: 2_000 }],
    [
      3600,
      3600,
      { requestTimeout: 3_600_000, connectionTimeout: 3_600_000, keepAliveTimeout: 3_600_000, headersTimeout: 10_000 },
    ],
  ])('request %i s, keep-alive %i s', (requestTimeoutSeconds, keepAliveTimeoutSeconds, expected) => {
    const { http, ...fastify } = httpServerTimeouts({ requestTimeoutSeconds, keepAliveTimeoutSeconds });
    const { headersTimeout, ...fastifyExpected } = expected;
    expect(fastify).toEqual(fastifyExpected);
    expect(http).toEqual({ headersTimeout, connectionsCheckingInterval: 1_000 });
  });

  it('never asks for headers later than the whole request (Node refuses that)', () => {
    for (let seconds = 1; seconds <= 60; seconds++) {
      const { http, requestTimeout } = httpServerTimeouts({
        requestTimeoutSeconds: seconds,
        keepAliveTimeoutSeconds: 5,
      });
      expect(http.headersTimeout).toBeLessThanOrEqual(requestTimeout);
    }
  });
});
