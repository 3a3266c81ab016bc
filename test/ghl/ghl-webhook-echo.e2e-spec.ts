import { createPublicKey } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyOf } from '../../src/webhooks/idempotency-key.js';
import { WebhookSignatureVerifier } from '../../src/webhooks/webhook-signature.verifier.js';
import { GhlApiStandIn, type StandInContact } from '../support/ghl-api-stand-in.js';

interface Received {
  readonly raw: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

/** After each write the stand-in sends the signed webhook GHL would, as the service will receive it. */
describe('GHL REST stand-in: webhooks after writes', () => {
  let ghl: GhlApiStandIn;
  let receiver: Server;
  let receiverUrl: string;
  let verifier: WebhookSignatureVerifier;
  let received: Received[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${ghl.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ghl.token}`, version: '2021-07-28', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as { contact: StandInContact };
  };
  const create = async (fields: Record<string, unknown>) =>
    (await call('POST', '/contacts/', { locationId: ghl.locationId, ...fields })).contact;
  const types = () => received.map((delivery) => delivery.body.type);

  beforeAll(async () => {
    ghl = await GhlApiStandIn.start({ locationId: 'loc-echo' });
    const keys = ghl.webhookSigner.env();
    verifier = new WebhookSignatureVerifier({
      ed25519PublicKey: createPublicKey(keys.GHL_WEBHOOK_PUBLIC_KEY!),
      rsaPublicKey: createPublicKey(keys.GHL_WEBHOOK_RSA_PUBLIC_KEY!),
    });
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        received.push({
          raw,
          headers: request.headers,
          body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>,
          at: Date.now(),
        });
        response.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/ghl`;
  });

  afterEach(async () => {
    await ghl.settled();
    received = [];
  });

  afterAll(async () => {
    await ghl.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('sends ContactCreate / Update / TagUpdate / Delete with the full current state, signed for the service’s verifier', async () => {
    ghl.sendWebhooksTo({ url: receiverUrl });
    const contact = await create({ email: 'ann@example.com', phone: '+12133734100', firstName: 'Ann', tags: ['lead'] });
    await ghl.settled();
    await call('PUT', `/contacts/${contact.id}`, {
      lastName: 'Lee',
      customFields: [{ id: 'goal', field_value: '10k' }],
    });
    await ghl.settled();
    await call('POST', `/contacts/${contact.id}/tags`, { tags: ['vip'] });
    await ghl.settled();
    await call('DELETE', `/contacts/${contact.id}`);
    await ghl.settled();

    expect(types()).toEqual(['ContactCreate', 'ContactUpdate', 'ContactTagUpdate', 'ContactDelete']);
    for (const delivery of received) {
      expect(verifier.verify(delivery.raw, delivery.headers)).toEqual({ valid: true, scheme: 'ed25519' });
      expect(delivery.body).toMatchObject({ locationId: 'loc-echo', id: contact.id });
      expect(delivery.body.webhookId).toMatch(/^[0-9a-f-]{36}$/);
      expect(delivery.body).not.toHaveProperty('dateUpdated');
    }
    expect(received[1]!.body).toMatchObject({
      email: 'ann@example.com',
      phone: '+12133734100',
      firstName: 'Ann',
      lastName: 'Lee',
      name: 'Ann Lee',
      tags: ['lead'],
      customFields: [{ id: 'goal', value: '10k' }],
    });
    expect(received[2]!.body.tags).toEqual(['lead', 'vip']);
    expect(received[3]!.body.tags).toEqual(['lead', 'vip']);
    expect(ghl.deliveries.map((delivery) => delivery.outcome)).toEqual(Array(4).fill(200));
  });

  it('sends the tag events a test asks for after a tag change (which GHL fires is unconfirmed)', async () => {
    ghl.sendWebhooksTo({ url: receiverUrl, tagEvents: ['ContactUpdate', 'ContactTagUpdate'] });
    const contact = await create({ email: 'tag-events@example.com' });
    await ghl.settled();
    received = [];
    await call('DELETE', `/contacts/${contact.id}/tags`, { tags: ['none'] });
    await ghl.settled();
    expect(types().sort()).toEqual(['ContactTagUpdate', 'ContactUpdate']);
  });

  it('delays deliveries and sends copies: the same bytes and webhookId, which the inbox keys as one', async () => {
    ghl.sendWebhooksTo({ url: receiverUrl, delayMs: 300, copies: 3 });
    const written = Date.now();
    const contact = await create({ email: 'bo@example.com' });
    expect(received).toHaveLength(0);
    await ghl.settled();
    expect(received).toHaveLength(3);
    expect(received[0]!.at - written).toBeGreaterThanOrEqual(290);
    expect(new Set(received.map((delivery) => delivery.raw.toString('utf8'))).size).toBe(1);
    expect(new Set(received.map((delivery) => idempotencyKeyOf(delivery.body as never, delivery.raw))).size).toBe(1);
    expect(received[0]!.body).toMatchObject({ type: 'ContactCreate', id: contact.id });
    expect(ghl.deliveries.slice(-3).map((delivery) => delivery.copy)).toEqual([1, 2, 3]);
  });

  it('sends a coach’s edit in GHL as ContactUpdate with a new dateUpdated, and nothing for a refused write', async () => {
    ghl.sendWebhooksTo({ url: receiverUrl });
    const contact = await create({ email: 'cy@example.com', firstName: 'Cy' });
    await ghl.settled();
    received = [];
    const before = ghl.contacts.get(contact.id)!.dateUpdated;
    ghl.editContact(contact.id, { firstName: 'Cyrus' });
    expect(ghl.contacts.get(contact.id)!.dateUpdated > before).toBe(true);
    await call('PUT', `/contacts/${contact.id}`, { gender: 'male' });
    await ghl.settled();
    expect(types()).toEqual(['ContactUpdate']);
    expect(received[0]!.body).toMatchObject({ id: contact.id, firstName: 'Cyrus' });
    expect(ghl.actions.edit).toBe(1);
  });

  it('runs a workflow that rewrites a field after our write: its own write, dateUpdated and webhook', async () => {
    ghl.sendWebhooksTo({ url: receiverUrl });
    const stopWorkflow = ghl.runWorkflow({
      field: 'firstName',
      rewrite: (value) => value?.toUpperCase() ?? null,
      delayMs: 100,
    });
    const contact = await create({ email: 'di@example.com', firstName: 'Di' });
    await ghl.settled();
    received = [];
    const written = await call('PUT', `/contacts/${contact.id}`, { firstName: 'Dina' });
    expect(written.contact.firstName).toBe('Dina');
    await ghl.settled();

    expect(types()).toEqual(['ContactUpdate', 'ContactUpdate']);
    expect(received.map((delivery) => delivery.body.firstName)).toEqual(['Dina', 'DINA']);
    const stored = ghl.contacts.get(contact.id)!;
    expect(stored.firstName).toBe('DINA');
    expect(stored.dateUpdated > written.contact.dateUpdated).toBe(true);
    // The workflow's own write does not trigger it again.
    expect(ghl.actions.workflow).toBe(2);

    // A workflow on the same field replaces it; stopping that leaves none.
    const stopReplacement = ghl.runWorkflow({ field: 'firstName', rewrite: (value) => `${value}!` });
    stopWorkflow();
    received = [];
    await call('PUT', `/contacts/${contact.id}`, { firstName: 'Dee' });
    await ghl.settled();
    expect(received.map((delivery) => delivery.body.firstName)).toEqual(['Dee', 'Dee!']);
    stopReplacement();
    received = [];
    await call('PUT', `/contacts/${contact.id}`, { firstName: 'Dot' });
    await ghl.settled();
    expect(received.map((delivery) => delivery.body.firstName)).toEqual(['Dot']);
  });
});
