import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ghlId } from './ghl-stand-in.js';

/** The REST stand-in's in-memory location: its records, seeded by tests and changed by writes. */

export interface StandInContact {
  id: string;
  locationId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  customFields: { id: string; value: unknown }[];
  dateAdded: string;
  dateUpdated: string;
}

export interface StandInStage {
  id: string;
  name: string;
  position: number;
}

export interface StandInPipeline {
  id: string;
  name: string;
  stages: StandInStage[];
}

export interface StandInOpportunity {
  id: string;
  name: string;
  monetaryValue: number;
  pipelineId: string;
  pipelineStageId: string;
  status: 'open' | 'won' | 'lost' | 'abandoned';
  contactId: string;
  locationId: string;
  createdAt: string;
  updatedAt: string;
}

export interface StandInAppointment {
  id: string;
  calendarId: string;
  locationId: string;
  contactId: string;
  title: string;
  appointmentStatus: string;
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
}

/** A status and JSON body, as the stand-in answers a request. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export class GhlApiRecords {
  readonly contacts = new Map<string, StandInContact>();
  readonly opportunities = new Map<string, StandInOpportunity>();
  readonly pipelines: StandInPipeline[] = [];
  readonly calendars: { id: string; name: string }[] = [];
  readonly appointments = new Map<string, StandInAppointment>();

  constructor(readonly locationId: string) {}

  seedContacts(count: number, startedAt = Date.parse('2025-01-01T00:00:00Z')): StandInContact[] {
    const seeded = Array.from({ length: count }, (_, index) => {
      const at = new Date(startedAt + (this.contacts.size + index) * 1000).toISOString();
      const contact: StandInContact = {
        id: ghlId(),
        locationId: this.locationId,
        email: `client.${this.contacts.size + index}@example.com`,
        phone: `+1213373${String((this.contacts.size + index) % 10_000).padStart(4, '0')}`,
        firstName: 'Jordan',
        lastName: `Client${this.contacts.size + index}`,
        tags: index % 3 === 0 ? ['lead', 'vip'] : ['lead'],
        customFields: [{ id: 'goal', value: 'Run a marathon' }],
        dateAdded: at,
        dateUpdated: at,
      };
      return contact;
    });
    for (const contact of seeded) this.contacts.set(contact.id, contact);
    return seeded;
  }

  seedPipeline(stageNames: string[] = ['Lead', 'Discovery call', 'Proposal']): StandInPipeline {
    const pipeline = {
      id: ghlId(),
      name: `Pipeline ${this.pipelines.length + 1}`,
      stages: stageNames.map((name, position) => ({ id: crypto.randomUUID(), name, position })),
    };
    this.pipelines.push(pipeline);
    return pipeline;
  }

  seedOpportunities(count: number, pipeline: StandInPipeline, contacts: StandInContact[]): StandInOpportunity[] {
    const startedAt = Date.parse('2025-06-01T00:00:00Z');
    const seeded = Array.from({ length: count }, (_, index) => {
      const at = new Date(startedAt + (this.opportunities.size + index) * 1000).toISOString();
      return {
        id: ghlId(),
        name: `Coaching ${this.opportunities.size + index}`,
        monetaryValue: 100 * ((index % 12) + 1),
        pipelineId: pipeline.id,
        pipelineStageId: pipeline.stages[index % pipeline.stages.length]!.id,
        status: (['open', 'open', 'won', 'lost'] as const)[index % 4]!,
        contactId: contacts[index % contacts.length]!.id,
        locationId: this.locationId,
        createdAt: at,
        updatedAt: at,
      };
    });
    for (const opportunity of seeded) this.opportunities.set(opportunity.id, opportunity);
    return seeded;
  }

  seedAppointments(
    count: number,
    contacts: StandInContact[],
    from = Date.parse('2026-01-05T09:00:00Z'),
  ): StandInAppointment[] {
    if (this.calendars.length === 0) this.calendars.push({ id: ghlId(), name: 'Coaching sessions' });
    const seeded = Array.from({ length: count }, (_, index) => {
      const start = from + (this.appointments.size + index) * 3_600_000;
      return {
        id: ghlId(),
        calendarId: this.calendars[index % this.calendars.length]!.id,
        locationId: this.locationId,
        contactId: contacts[index % contacts.length]!.id,
        title: 'Coaching session',
        appointmentStatus: 'confirmed',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + 1_800_000).toISOString(),
        dateAdded: new Date(from).toISOString(),
        dateUpdated: new Date(from).toISOString(),
      };
    });
    for (const appointment of seeded) this.appointments.set(appointment.id, appointment);
    return seeded;
  }

  /** The contact holding this email (case-insensitive) or E.164 phone, other than `exceptId`. */
  contactWith(
    field: 'email' | 'phone',
    value: string | null | undefined,
    exceptId?: string,
  ): StandInContact | undefined {
    if (!value) return undefined;
    const wanted = field === 'email' ? value.toLowerCase() : e164(value);
    for (const contact of this.contacts.values()) {
      if (contact.id === exceptId) continue;
      const held = field === 'email' ? contact.email?.toLowerCase() : contact.phone;
      if (held === wanted) return contact;
    }
    return undefined;
  }

  /** A write happened: `dateUpdated` moves to now, in milliseconds, always forward. */
  touch(contact: StandInContact): void {
    contact.dateUpdated = new Date(Math.max(Date.now(), Date.parse(contact.dateUpdated) + 1)).toISOString();
  }
}

/** GHL stores phones in E.164 (`+1 888-888-8888` in, `+18888888888` out); a number it cannot read, as sent. */
export function e164(phone: string): string {
  return parsePhoneNumberFromString(phone, 'US')?.number ?? phone;
}
