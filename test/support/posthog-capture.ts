import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface CapturedEvent {
  event: string;
  properties: Record<string, unknown>;
  distinct_id?: string;
}

/** A local stand-in for PostHog's ingestion endpoint: records every event posthog-node sends. */
export class PostHogCapture {
  readonly events: CapturedEvent[] = [];
  readonly rawBodies: string[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        this.rawBodies.push(text);
        const parsed = JSON.parse(text) as { batch?: CapturedEvent[] } & Partial<CapturedEvent>;
        this.events.push(...(parsed.batch ?? (parsed.event ? [parsed as CapturedEvent] : [])));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":1}');
      });
    });
  }

  static async start(): Promise<PostHogCapture> {
    const capture = new PostHogCapture();
    await new Promise<void>((resolve) => capture.server.listen(0, '127.0.0.1', resolve));
    return capture;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  named(event: string): CapturedEvent[] {
    return this.events.filter((captured) => captured.event === event);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
