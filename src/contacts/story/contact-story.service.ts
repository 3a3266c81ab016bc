import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ReadPrismaService } from '../../database/read-prisma.service.js';
import { normalizeEmail, normalizePhone } from '../contact.mapper.js';
import type { StoryEntry } from './contact-story.model.js';

/** Entries of each kind a story reads at most (newest first). */
const PER_KIND = 100;

export interface FoundStory {
  readonly contactId: string | null;
  readonly matches: number;
  readonly entries: StoryEntry[];
}

/**
 * A contact's story (the console, ADR 0025): found by email, phone (any format, read as inbound
 * reads it) or GHL id, then each kind of entry through its own index, the latest 100 of each,
 * merged newest first. Summaries name fields and outcomes, never values.
 */
@Injectable()
export class ContactStoryService {
  constructor(
    private readonly reads: ReadPrismaService,
    private readonly config: AppConfig,
  ) {}

  async find(search: string): Promise<FoundStory> {
    const text = search.trim();
    const email = text.includes('@') ? normalizeEmail(text) : null;
    const phone =
      !email && /^[+(\d][\d\s().-]{5,}$/.test(text)
        ? normalizePhone(text, this.config.sync.defaultPhoneRegion).phone
        : null;
    const found = await this.reads.$queryRaw<{ id: string; ghlContactId: string | null }[]>`
      SELECT id, ghl_contact_id AS "ghlContactId" FROM contacts
       WHERE email = ${email} OR phone = ${phone ?? null} OR ghl_contact_id = ${text}
       ORDER BY created_at LIMIT 20`;
    const contact = found[0];
    if (!contact) return { contactId: null, matches: 0, entries: [] };
    return {
      contactId: contact.id,
      matches: found.length,
      entries: await this.entries(contact.id, contact.ghlContactId),
    };
  }

  private async entries(contactId: string, ghlContactId: string | null): Promise<StoryEntry[]> {
    const ghlId = ghlContactId ?? '';
    const [events, plans, writes, echoes, conflicts, letters] = await Promise.all([
      this.reads.$queryRaw<StoryEntry[]>`
        SELECT received_at AS at, 'inbound_event' AS kind,
               type || ': ' || lower(outcome::text) || CASE WHEN attempts > 1 THEN ' after ' || attempts || ' attempts' ELSE '' END AS summary,
               correlation_id AS "correlationId"
          FROM ghl_sync.sync_events WHERE object_id = ${ghlId} ORDER BY received_at DESC LIMIT ${PER_KIND}`,
      this.reads.$queryRaw<StoryEntry[]>`
        SELECT planned_at AS at, 'outbound_plan' AS kind,
               mode || ' plan: ' || action || ', ' || api_calls || ' GHL request(s)' ||
               COALESCE(' (' || (SELECT string_agg(c->>'field', ', ') FROM jsonb_array_elements(changes) c) || ')', '') AS summary,
               correlation_id AS "correlationId"
          FROM ghl_sync.outbound_plans WHERE contact_id = ${contactId}::uuid ORDER BY id DESC LIMIT ${PER_KIND}`,
      this.reads.$queryRaw<StoryEntry[]>`
        SELECT written_at AS at, 'outbound_write' AS kind,
               'wrote to GHL: ' || action || CASE WHEN cardinality(fields) > 0 THEN ' (' || array_to_string(fields, ', ') || ')' ELSE '' END AS summary,
               correlation_id AS "correlationId"
          FROM ghl_sync.outbound_writes WHERE contact_id = ${contactId}::uuid ORDER BY written_at DESC LIMIT ${PER_KIND}`,
      this.reads.$queryRaw<StoryEntry[]>`
        SELECT COALESCE(consumed_at, written_at) AS at, 'echo' AS kind,
               CASE WHEN consumed_at IS NULL THEN 'echo of ' || field || ' expected' ELSE 'echo of ' || field || ' recognised, changed nothing' END AS summary,
               NULL AS "correlationId"
          FROM ghl_sync.outbound_echoes WHERE ghl_contact_id = ${ghlId} ORDER BY id DESC LIMIT ${PER_KIND}`,
      this.reads.$queryRaw<StoryEntry[]>`
        SELECT created_at AS at, 'conflict' AS kind,
               field || ' changed on both sides: ' || winner || ' won (' || rule || ')' ||
               CASE WHEN reapplied_at IS NOT NULL THEN ', losing value re-applied' ELSE '' END AS summary,
               correlation_id AS "correlationId"
          FROM ghl_sync.sync_conflicts WHERE contact_id = ${contactId}::uuid ORDER BY created_at DESC LIMIT ${PER_KIND}`,
      this.reads.$queryRaw<StoryEntry[]>`
        SELECT d.last_failed_at AS at, 'dead_letter' AS kind,
               d.error_class || ' in ' || d.queue || ' (' || lower(d.status::text) || ')' AS summary,
               d.correlation_id AS "correlationId"
          FROM ghl_sync.sync_dead_letters d
         WHERE d.payload->>'contactId' = ${contactId}
            OR d.idempotency_key IN (SELECT idempotency_key FROM ghl_sync.sync_events WHERE object_id = ${ghlId})
         ORDER BY d.last_failed_at DESC LIMIT ${PER_KIND}`,
    ]);
    return [...events, ...plans, ...writes, ...echoes, ...conflicts, ...letters].sort(
      (left, right) => right.at.getTime() - left.at.getTime(),
    );
  }
}
