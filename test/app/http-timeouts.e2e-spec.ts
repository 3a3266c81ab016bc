import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const REQUEST_TIMEOUT_SECONDS = 2;
const KEEP_ALIVE_TIMEOUT_SECONDS = 1;
const CONNECTIONS_PER_KIND = 20;
const TRICKLE_EVERY_MS = 200;
/** Node checks the headers and request deadlines once a second; the rest is scheduling on a busy machine. */
const LATENESS_ALLOWED_MS = 2_500;

interface SlowClient {
  /** When the server closed the connection, in ms after it was opened. */
  readonly closedAfterMs: number;
  /** The status line of what the server sent, if anything. */
  readonly statusLine: string | undefined;
}

describe('slow clients cannot hold sockets', () => {
  let database: TestDatabase;
  let service: TestApp;
  let port: number;

  beforeAll(async () => {
    database = await createTestDatabase('http_timeouts');
    service = await startTestApp(database.url, {
      SERVICE_ROLE: 'api',
      HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS),
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: String(KEEP_ALIVE_TIMEOUT_SECONDS),
    });
    port = Number(new URL(service.url).port);
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  /** Opens a connection, lets `behave` drive it, and resolves once the server has closed it. */
  function slowClient(behave: (socket: Socket) => (() => void) | undefined): Promise<SlowClient> {
    return new Promise((resolve) => {
      const openedAt = Date.now();
      const socket = connect(port, '127.0.0.1');
      let received = '';
      let stop: (() => void) | undefined;
      socket.on('connect', () => (stop = behave(socket)));
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('error', () => undefined); // a write racing the server's close
      socket.on('close', () => {
        stop?.();
        resolve({ closedAfterMs: Date.now() - openedAt, statusLine: received.split('\r\n')[0] || undefined });
      });
    });
  }

  const trickle = (socket: Socket, bytes: () => string) => {
    const timer = setInterval(() => socket.writable && socket.write(bytes()), TRICKLE_EVERY_MS);
    return () => clearInterval(timer);
  };

  const times = <T>(count: number, make: () => Promise<T>) => Promise.all(Array.from({ length: count }, make));

  it('closes trickling, silent and idle connections in time while serving others', async () => {
    const trickledHeaders = times(CONNECTIONS_PER_KIND, () =>
      slowClient((socket) => {
        socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\n');
        let n = 0;
        return trickle(socket, () => `X-Slow-${n++}: ${'a'.repeat(8)}\r\n`);
      }),
    );
    const trickledBody = times(CONNECTIONS_PER_KIND, () =>
      slowClient((socket) => {
        socket.write(
          'POST /webhooks/ghl HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
            'Content-Length: 100000\r\n\r\n{"type":"',
        );
        return trickle(socket, () => 'a');
      }),
    );
    const silent = times(CONNECTIONS_PER_KIND, () => slowClient(() => undefined));
    const idleAfterRequest = times(CONNECTIONS_PER_KIND, () =>
      slowClient((socket) => {
        socket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
        return undefined;
      }),
    );

    // While all of them hold a socket, ordinary requests are answered.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const live = await fetch(`${service.url}/health/live`);
    expect(live.status).toBe(200);
    const graphql = await service.graphql('{ syncStatus { queueDepth } }', { apiKey: TEST_API_KEY });
    expect(await graphql.json()).toEqual({ data: { syncStatus: { queueDepth: 0 } } });

    const requestDeadline = REQUEST_TIMEOUT_SECONDS * 1000;
    const keepAliveDeadline = (KEEP_ALIVE_TIMEOUT_SECONDS + 1) * 1000; // Node's keepAliveTimeoutBuffer: 1 s
    const expectClosed = (clients: SlowClient[], deadlineMs: number, statusLines: (string | undefined)[]) => {
      expect(clients).toHaveLength(CONNECTIONS_PER_KIND);
      for (const client of clients) {
        expect(statusLines).toContain(client.statusLine);
        // Not before its deadline (so it is that setting that closed it), and not much after.
        expect(client.closedAfterMs).toBeGreaterThanOrEqual(deadlineMs - 250);
        expect(client.closedAfterMs).toBeLessThanOrEqual(deadlineMs + LATENESS_ALLOWED_MS);
      }
    };
    const timedOut = 'HTTP/1.1 408 Request Timeout';
    expectClosed(await trickledHeaders, requestDeadline, [timedOut]);
    expectClosed(await trickledBody, requestDeadline, [timedOut]);
    // Whichever comes first: the headers deadline (408) or the inactivity timeout (closed unanswered).
    expectClosed(await silent, requestDeadline, [timedOut, undefined]);
    expectClosed(await idleAfterRequest, keepAliveDeadline, ['HTTP/1.1 200 OK']);

    // The requests that got as far as the application are logged, as warnings, by path.
    const aborted = service.logs.lines.filter((line) => line.msg === 'request aborted');
    expect(aborted).toHaveLength(CONNECTIONS_PER_KIND);
    for (const line of aborted)
      expect(line).toMatchObject({ level: 'warn', req: { method: 'POST', path: '/webhooks/ghl' } });
  });
});
