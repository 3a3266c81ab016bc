import { withoutFields } from './change-fields.js';
import type { GhlContactChange } from './contact.mapper.js';
import { CUSTOM_FIELD_PREFIX, SCALAR_FIELDS } from './synced-values.js';

/**
 * Who owns a synced field (`SYNC_FIELD_RULES`, ARCHITECTURE.md "Outbound flow"). The rules govern
 * both directions: what the push sends and what the inbound path and the backfill apply.
 */
export const FIELD_RULES = [
  'two_way',
  'prefer_ghl',
  'prefer_trainu',
  'prefer_ghl_unless_blank',
  'prefer_trainu_unless_blank',
  'ghl_only',
  'trainu_only',
] as const;
export type FieldRule = (typeof FIELD_RULES)[number];

export const DEFAULT_FIELD_RULE: FieldRule = 'two_way';

/** The fields a rule may name; custom fields as `customField.<fieldId>`. */
export const RULED_FIELDS = [...SCALAR_FIELDS, 'tags'] as const;

const CUSTOM_FIELD_ID = /^[A-Za-z0-9_-]+$/;

/** The rule of each field; a field no entry names is `two_way`. */
export class FieldRules {
  static readonly DEFAULT = new FieldRules(new Map());

  /** The `trainu_only` fields, and the ids of the custom fields among them: the inbound path drops them. */
  private readonly trainuOnly: ReadonlySet<string>;
  private readonly trainuOnlyCustomFieldIds: readonly string[];

  constructor(private readonly rules: ReadonlyMap<string, FieldRule>) {
    this.trainuOnly = new Set([...rules].filter(([, rule]) => rule === 'trainu_only').map(([field]) => field));
    this.trainuOnlyCustomFieldIds = [...this.trainuOnly]
      .filter((field) => field.startsWith(CUSTOM_FIELD_PREFIX))
      .map((field) => field.slice(CUSTOM_FIELD_PREFIX.length));
  }

  ruleOf(field: string): FieldRule {
    return this.rules.get(field) ?? DEFAULT_FIELD_RULE;
  }

  /** A TrainU change of the field may go to GHL. */
  pushes(field: string): boolean {
    return this.ruleOf(field) !== 'ghl_only';
  }

  /** A GHL change of the field may come to TrainU (webhooks, backfill, the push's pull). */
  pulls(field: string): boolean {
    return this.ruleOf(field) !== 'trainu_only';
  }

  /**
   * A GHL change without its `trainu_only` fields, which TrainU keeps as they are (custom fields
   * too, whether the change's set names them or not).
   */
  withoutTrainuOnly(change: GhlContactChange): GhlContactChange {
    if (this.trainuOnly.size === 0) return change;
    return withoutFields(change, this.trainuOnly, change.customFields ? this.trainuOnlyCustomFieldIds : []);
  }

  /** `field:rule` entries, as SYNC_FIELD_RULES would hold them (logs, preview). */
  describe(): string {
    return [...this.rules].map(([field, rule]) => `${field}:${rule}`).join(',');
  }
}

/**
 * Reads `SYNC_FIELD_RULES` (comma-separated `field:rule`). Each bad entry is a problem naming the
 * variable and the entry, so the start stops and says which; a field named twice is a problem too.
 */
export function parseFieldRules(text: string | undefined): { rules: FieldRules; problems: string[] } {
  const rules = new Map<string, FieldRule>();
  const problems: string[] = [];
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const problem = (reason: string) => problems.push(`SYNC_FIELD_RULES entry "${entry}": ${reason}`);
    const separator = entry.lastIndexOf(':');
    if (separator <= 0) {
      problem('must be field:rule, such as email:prefer_trainu');
      continue;
    }
    const field = entry.slice(0, separator).trim();
    const rule = entry.slice(separator + 1).trim();
    if (!isRuledField(field)) {
      problem(`unknown field "${field}" (fields: ${RULED_FIELDS.join(', ')}, ${CUSTOM_FIELD_PREFIX}<fieldId>)`);
    } else if (!(FIELD_RULES as readonly string[]).includes(rule)) {
      problem(`unknown rule "${rule}" (rules: ${FIELD_RULES.join(', ')})`);
    } else if (rules.has(field)) {
      problem(`field "${field}" has a rule already (${rules.get(field)})`);
    } else {
      rules.set(field, rule as FieldRule);
    }
  }
  return { rules: new FieldRules(rules), problems };
}

function isRuledField(field: string): boolean {
  if ((RULED_FIELDS as readonly string[]).includes(field)) return true;
  return field.startsWith(CUSTOM_FIELD_PREFIX) && CUSTOM_FIELD_ID.test(field.slice(CUSTOM_FIELD_PREFIX.length));
}

export type SyncSide = 'TRAINU' | 'GHL';

/** One field's values on both sides and in the agreed state, for `decideField`. */
export interface FieldSides {
  readonly trainu: string | null;
  readonly ghl: string | null;
  /** The last value both held; undefined when they were never in step (a contact just linked). */
  readonly agreed: string | null | undefined;
  /** TrainU's change is later than GHL's (`dateUpdated`); a tie is GHL's. */
  readonly trainuIsLater: boolean;
}

/** Which side's value the field ends on (none: each keeps its own), and whether both had changed it. */
export interface FieldDecision {
  readonly winner: SyncSide | 'NONE';
  readonly conflict: boolean;
}

/**
 * Decides a field (values that are equal need nothing). A side changed it when its value is not the agreed one
 * (without an agreed state: when it has a value at all). Changed on one side only, the change goes
 * across unless the rule keeps it home (`ghl_only` never pushes, `trainu_only` never pulls).
 * Changed on both, it is a conflict and the rule names the winner: `two_way` the later write,
 * `prefer_*` and `*_only` their side, `*_unless_blank` their side unless its value is blank.
 */
export function decideField(rule: FieldRule, sides: FieldSides): FieldDecision {
  if (sides.trainu === sides.ghl) return { winner: 'NONE', conflict: false };
  const trainuChanged = sides.agreed === undefined ? sides.trainu !== null : sides.trainu !== sides.agreed;
  const ghlChanged = sides.agreed === undefined ? sides.ghl !== null : sides.ghl !== sides.agreed;
  if (trainuChanged && !ghlChanged) return { winner: rule === 'ghl_only' ? 'NONE' : 'TRAINU', conflict: false };
  if (ghlChanged && !trainuChanged) return { winner: rule === 'trainu_only' ? 'NONE' : 'GHL', conflict: false };
  if (!trainuChanged) return { winner: 'NONE', conflict: false };
  return { winner: conflictWinner(rule, sides), conflict: true };
}

function conflictWinner(rule: FieldRule, { trainu, ghl, trainuIsLater }: FieldSides): SyncSide {
  switch (rule) {
    case 'two_way':
      return trainuIsLater ? 'TRAINU' : 'GHL';
    case 'prefer_ghl':
    case 'ghl_only':
      return 'GHL';
    case 'prefer_trainu':
    case 'trainu_only':
      return 'TRAINU';
    case 'prefer_ghl_unless_blank':
      return isBlank(ghl) ? 'TRAINU' : 'GHL';
    case 'prefer_trainu_unless_blank':
      return isBlank(trainu) ? 'GHL' : 'TRAINU';
  }
}

function isBlank(value: string | null): boolean {
  return value === null || value.trim() === '';
}
