import type { StandInContact } from './ghl-api-records.js';
import type { ContactChange } from './ghl-contact-writes.js';
import { GhlStandIn } from './ghl-stand-in.js';

export interface WebhookEchoOptions {
  /** Where GHL posts its webhooks (the service's `/webhooks/ghl`). */
  readonly url: string;
  /** How long after the write each delivery is sent (GHL's are not instant). */
  readonly delayMs?: number;
  /** Deliveries of each event: GHL sends duplicates, the same body and webhookId again. */
  readonly copies?: number;
  /** Signs with these keys; give the service `signer.env()`. Default: a signer of its own. */
  readonly signer?: GhlStandIn;
}

export interface EchoDelivery {
  readonly type: string;
  readonly contactId: string;
  readonly webhookId: string;
  readonly copy: number;
  /** HTTP status of the answer, or the error's message when there was none. */
  readonly outcome: number | string;
  readonly at: number;
}

/**
 * What GHL sends after a contact changes: the signed contact webhook with the contact's full current
 * state (no `dateUpdated`: GHL's contact webhooks carry none), after a delay, in one or more copies.
 */
export class GhlWebhookEcho {
  readonly deliveries: EchoDelivery[] = [];
  /** The keys webhooks are signed with: give the service `signer.env()`. */
  signer: GhlStandIn;
  private options: WebhookEchoOptions | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(locationId: string) {
    this.signer = new GhlStandIn(locationId);
  }

  sendTo(options: WebhookEchoOptions): void {
    if (options.signer) this.signer = options.signer;
    this.options = options;
  }

  /** No more webhooks (those already scheduled still go). */
  stop(): void {
    this.options = undefined;
  }

  /** Schedules the webhook for a change (nothing when no URL is set). */
  emit(change: ContactChange): void {
    const options = this.options;
    if (!options) return;
    const signer = this.signer;
    // The contact as it is now: a later write must not change what this delivery says.
    const body = contactBody(change.contact);
    this.track(async () => {
      await sleep(options.delayMs ?? 0);
      const event = signer.envelope(change.type, body);
      const text = JSON.stringify(event);
      for (let copy = 1; copy <= (options.copies ?? 1); copy++) {
        const outcome = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signer.signatureHeaders(text) },
          body: text,
        }).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status;
          },
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        this.deliveries.push({
          type: change.type,
          contactId: change.contact.id,
          webhookId: String(event.webhookId),
          copy,
          outcome,
          at: Date.now(),
        });
      }
    });
  }

  /** Runs `work` in the background, counted until it ends (see settled). */
  track(work: () => Promise<void>): void {
    const running: Promise<void> = work().finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Resolves when every scheduled delivery (and tracked work, which may schedule more) is done. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** A contact webhook's fields, as GHL documents them for ContactCreate/Update/Delete/TagUpdate. */
function contactBody(contact: StandInContact): Record<string, unknown> {
  return {
    id: contact.id,
    email: contact.email,
    phone: contact.phone,
    firstName: contact.firstName,
    lastName: contact.lastName,
    name: [contact.firstName, contact.lastName].filter(Boolean).join(' '),
    tags: [...contact.tags],
    customFields: contact.customFields.map((field) => ({ id: field.id, value: field.value })),
    dateAdded: contact.dateAdded,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
