import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

export type ContactEventType = 'ContactCreate' | 'ContactUpdate' | 'ContactDelete' | 'ContactTagUpdate';
export type AppointmentEventType = 'AppointmentCreate' | 'AppointmentUpdate' | 'AppointmentDelete';
export type OpportunityEventType =
  | 'OpportunityCreate'
  | 'OpportunityUpdate'
  | 'OpportunityDelete'
  | 'OpportunityStageUpdate'
  | 'OpportunityStatusUpdate'
  | 'OpportunityMonetaryValueUpdate'
  | 'OpportunityAssignedToUpdate';
export type SignatureScheme = 'ed25519' | 'rsa' | 'both' | 'none';

export interface DeliveryOptions {
  /** Which GHL signature header(s) to send; default ed25519 (x-ghl-signature). */
  readonly scheme?: SignatureScheme;
  /** Sign these bytes instead of the body (a signature that does not match). */
  readonly signBytes?: string;
  readonly headers?: Record<string, string>;
  /** Gives up (rejects with a TimeoutError) after this long, as GHL stops waiting for an answer. */
  readonly timeoutMs?: number;
}

const LOCATION_ID = 've9EPM428h8vShlRW1KT';
const APP_ID = '6578278e879ad2646715ba9c';

let sequence = 0;

/** A 20-character id, the shape GHL uses for contacts and locations. */
export function ghlId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 20);
}

/**
 * Stands in for HighLevel's webhook sender: builds contact event bodies shaped like the official
 * docs' examples plus the envelope fields real deliveries carry (`webhookId`, `timestamp`, `appId`,
 * `versionId`), signs the exact bytes with its own Ed25519 key (`x-ghl-signature`) and RSA key
 * (legacy `x-wh-signature`) as GHL does, and POSTs them over HTTP.
 */
export class GhlStandIn {
  private readonly ed25519 = generateKeyPairSync('ed25519');
  private readonly rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  constructor(readonly locationId: string = LOCATION_ID) {}

  /** Environment that makes the service trust this stand-in's keys. */
  env(): Record<string, string> {
    return {
      GHL_WEBHOOK_PUBLIC_KEY: pem(this.ed25519.publicKey),
      GHL_WEBHOOK_RSA_PUBLIC_KEY: pem(this.rsa.publicKey),
    };
  }

  /** A full contact event, as GHL documents it; `overrides` replace or remove (undefined) fields. */
  contactEvent(type: ContactEventType, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    sequence += 1;
    return this.envelope(type, {
      id: ghlId(),
      address1: '3535 1st St N',
      city: 'Dolomite',
      state: 'AL',
      postalCode: '35061-1234',
      country: 'US',
      companyName: 'Loram ipsum',
      source: 'public api',
      dateAdded: '2026-11-26T12:41:02.193Z',
      dateOfBirth: '1990-09-25T00:00:00.000Z',
      dnd: false,
      email: `Client.${sequence}@Example.com`,
      name: `Jordan Client${sequence}`,
      firstName: 'Jordan',
      lastName: `Client${sequence}`,
      phone: '+12133734253',
      tags: ['Lead', 'Boot Camp'],
      website: 'https://www.tesla.com',
      attachments: [],
      assignedTo: 'nmFmQEsNgz6AVpgLVUJ0',
      customFields: [{ id: 'BcdmQEsNgz6AVpgLVUJ0', value: 'XYZ Corp' }],
      ...overrides,
    });
  }

  /**
   * An appointment event as GHL documents it (the object nested under `appointment`, times with an
   * offset); `appointment` overrides the nested fields.
   */
  appointmentEvent(
    type: AppointmentEventType,
    appointment: Record<string, unknown> = {},
    overrides: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return this.envelope(type, {
      appointment: withoutUndefined({
        id: ghlId(),
        address: 'https://meet.example.com/abc',
        title: 'Intro session',
        calendarId: 'BqTwX8QFwXzpegMve9EQ',
        contactId: ghlId(),
        groupId: 'ocQHyuzHvysMo5N5VsXc',
        appointmentStatus: 'confirmed',
        assignedUserId: 'YlWd2wuCAZQzh2cH1fVZ',
        users: ['YlWd2wuCAZQzh2cH1fVZ'],
        notes: 'Knee injury last year',
        source: 'booking_widget',
        startTime: '2026-12-07T16:00:00+05:30',
        endTime: '2026-12-07T16:30:00+05:30',
        dateAdded: '2026-11-28T10:00:00.000Z',
        dateUpdated: new Date().toISOString(),
        ...appointment,
      }),
      ...overrides,
    });
  }

  /** An opportunity event: the same flat schema for all seven types (GHL's docs). */
  opportunityEvent(type: OpportunityEventType, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return this.envelope(type, {
      id: ghlId(),
      assignedTo: 'bNl8QNGXhIQJLv8eeASQ',
      contactId: ghlId(),
      monetaryValue: 400,
      name: 'Twelve-week coaching',
      pipelineId: 'VDm7RPYC2GLUvdpKmBfC',
      pipelineStageId: 'e93ba61a-53b3-45e7-985a-c7732dbcdb69',
      source: 'form',
      status: 'open',
      dateAdded: '2026-11-26T12:41:02.193Z',
      ...overrides,
    });
  }

  /** `body` in the envelope real deliveries carry: a fresh `webhookId` and `timestamp` each time. */
  envelope(type: string, body: Record<string, unknown>): Record<string, unknown> {
    return withoutUndefined({
      type,
      locationId: this.locationId,
      appId: APP_ID,
      versionId: '6578278e879ad2646715ba9d',
      timestamp: new Date().toISOString(),
      webhookId: randomUUID(),
      ...body,
    });
  }

  /** Signature headers for `bytes`. */
  signatureHeaders(bytes: string | Buffer, scheme: SignatureScheme = 'ed25519'): Record<string, string> {
    const data = Buffer.from(bytes);
    const headers: Record<string, string> = {};
    if (scheme === 'ed25519' || scheme === 'both') {
      headers['x-ghl-signature'] = sign(null, data, this.ed25519.privateKey).toString('base64');
    }
    if (scheme === 'rsa' || scheme === 'both') {
      headers['x-wh-signature'] = sign('sha256', data, this.rsa.privateKey).toString('base64');
    }
    return headers;
  }

  /** POSTs `body` (an event, or raw text sent as is) to `<baseUrl>/webhooks/ghl`, signed. */
  async deliver(
    baseUrl: string,
    body: Record<string, unknown> | string,
    options: DeliveryOptions = {},
  ): Promise<Response> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return fetch(`${baseUrl}/webhooks/ghl`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...this.signatureHeaders(options.signBytes ?? text, options.scheme ?? 'ed25519'),
        ...options.headers,
      },
      body: text,
      signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
    });
  }
}

function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }).toString();
}
