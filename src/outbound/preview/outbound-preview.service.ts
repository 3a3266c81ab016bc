import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ReadPrismaService } from '../../database/read-prisma.service.js';
import { RateLimitGovernor } from '../../ghl/rate-limit-governor.js';
import { ContactOutboxRepository } from '../contact-outbox.repository.js';
import { ContactPlanner } from '../contact-planner.service.js';
import { noopPlan, OUTBOUND_ACTIONS, type OutboundAction, type OutboundPlan } from '../outbound-plan.js';

/** Contacts one page of `previewAll` plans. */
const PREVIEW_PAGE_SIZE = 100;

/** What `--all` found: every pending contact's plan, summed up against today's GHL budget. */
export interface PreviewSummary {
  readonly contacts: number;
  readonly byAction: Readonly<Record<OutboundAction, number>>;
  /** The GHL requests carrying every plan out would cost. */
  readonly apiCalls: number;
  /** What is left of the location's daily GHL budget, and the part of it outbound writes must leave to webhooks. */
  readonly dailyRemaining: number;
  readonly dailyReserve: number;
  /** The plans fit in what outbound may still spend today. */
  readonly fitsToday: boolean;
}

export class ContactNotFoundError extends Error {}

/**
 * Preview (ADR 0024): the plan the outbound worker would carry out now for a contact, computed by
 * the worker's own planner with nothing written, to GHL or to TrainU (it may read GHL, as the
 * worker does, to tell LINK from CREATE).
 */
@Injectable()
export class OutboundPreviewService {
  constructor(
    private readonly planner: ContactPlanner,
    private readonly outbox: ContactOutboxRepository,
    private readonly reads: ReadPrismaService,
    private readonly governor: RateLimitGovernor,
    private readonly config: AppConfig,
  ) {}

  /** The contact's plan; NOOP when no TrainU change of it waits (the worker would not run). */
  async preview(contactId: string): Promise<OutboundPlan> {
    const planned = await this.planner.plan(contactId, { persist: false });
    if (planned.kind !== 'nothing pending') return planned.plan;
    const contact = await this.reads.contact.findUnique({
      where: { id: contactId },
      select: { id: true, ghlContactId: true },
    });
    if (!contact) throw new ContactNotFoundError(`no contact ${contactId}`);
    return noopPlan(contact, 'no TrainU change of this contact waits to be pushed');
  }

  /** Every contact with pending changes, planned one by one; `onPlan` sees each (the CLI's list and progress bar). */
  async previewAll(
    onPlan: (plan: OutboundPlan, done: number, total: number) => void = () => {},
  ): Promise<PreviewSummary> {
    const total = await this.outbox.countPendingContacts();
    const byAction = Object.fromEntries(OUTBOUND_ACTIONS.map((action) => [action, 0])) as Record<
      OutboundAction,
      number
    >;
    let apiCalls = 0;
    let done = 0;
    let after: string | null = null;
    for (;;) {
      const page = await this.outbox.pendingContacts(PREVIEW_PAGE_SIZE, after);
      if (page.length === 0) break;
      for (const contactId of page) {
        const plan = await this.preview(contactId);
        byAction[plan.action] += 1;
        apiCalls += plan.apiCalls;
        onPlan(plan, ++done, Math.max(total, done));
      }
      after = page.at(-1)!;
    }
    const dailyRemaining = await this.governor.remainingToday(this.config.ghl.locationId!);
    const dailyReserve = this.config.ghl.dailyReserve;
    return {
      contacts: done,
      byAction,
      apiCalls,
      dailyRemaining,
      dailyReserve,
      fitsToday: apiCalls <= dailyRemaining - dailyReserve,
    };
  }
}
