import { withoutFields } from './change-fields.js';
import { normalizeTags, type GhlContactChange } from './contact.mapper.js';
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

/** An entry's field names a tag pattern: `tag.<pattern>`, `*` standing for any run of characters. */
export const TAG_PATTERN_PREFIX = 'tag.';

/** One `tag.<pattern>:rule` entry; `pattern` normalised as tags are (contact.mapper.ts `normalizeTags`). */
export interface TagPatternRule {
  readonly pattern: string;
  readonly rule: FieldRule;
}

/**
 * The rule of each field; a field no entry names is `two_way`. A tag takes the rule of the first
 * `tag.` pattern it matches, in the order given, else the rule of `tags`.
 */
export class FieldRules {
  static readonly DEFAULT = new FieldRules(new Map());

  /** The `trainu_only` fields, and the ids of the custom fields among them: the inbound path drops them. */
  private readonly trainuOnly: ReadonlySet<string>;
  private readonly trainuOnlyCustomFieldIds: readonly string[];
  private readonly tagMatchers: readonly { readonly matches: RegExp; readonly rule: FieldRule }[];
  /** Some tag is `trainu_only`: TrainU keeps its own of those when GHL's tag set is applied. */
  readonly keepsTrainuTags: boolean;

  constructor(
    private readonly rules: ReadonlyMap<string, FieldRule>,
    private readonly tagPatterns: readonly TagPatternRule[] = [],
  ) {
    this.tagMatchers = tagPatterns.map(({ pattern, rule }) => ({ matches: tagPatternRegExp(pattern), rule }));
    const tagRules = [this.ruleOf('tags'), ...tagPatterns.map(({ rule }) => rule)];
    this.keepsTrainuTags = tagRules.includes('trainu_only');
    const pullsNoTag = tagRules.every((rule) => rule === 'trainu_only');
    this.trainuOnly = new Set(
      [...rules]
        .filter(([field, rule]) => rule === 'trainu_only' && (field !== 'tags' || pullsNoTag))
        .map(([field]) => field),
    );
    this.trainuOnlyCustomFieldIds = [...this.trainuOnly]
      .filter((field) => field.startsWith(CUSTOM_FIELD_PREFIX))
      .map((field) => field.slice(CUSTOM_FIELD_PREFIX.length));
  }

  /** The rule of a field; for `tags`, of the tags no `tag.` pattern matches. */
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

  /** The rule of one tag, whatever its case: its first matching `tag.` pattern's, else that of `tags`. */
  tagRuleOf(tag: string): FieldRule {
    const normalized = normalizeTags([tag])[0] ?? '';
    return this.tagMatchers.find(({ matches }) => matches.test(normalized))?.rule ?? this.ruleOf('tags');
  }

  /** TrainU adding or removing the tag may go to GHL. */
  pushesTag(tag: string): boolean {
    return this.tagRuleOf(tag) !== 'ghl_only';
  }

  /** GHL adding or removing the tag may come to TrainU. */
  pullsTag(tag: string): boolean {
    return this.tagRuleOf(tag) !== 'trainu_only';
  }

  /**
   * A GHL change without its `trainu_only` fields, which TrainU keeps as they are (custom fields
   * too, whether the change's set names them or not), and without its `trainu_only` tags. TrainU's
   * own `trainu_only` tags stay when the rest of the set is applied (`keepsTrainuTags`).
   */
  withoutTrainuOnly(change: GhlContactChange): GhlContactChange {
    if (this.trainuOnly.size === 0 && !this.keepsTrainuTags) return change;
    const kept = withoutFields(change, this.trainuOnly, change.customFields ? this.trainuOnlyCustomFieldIds : []);
    if (!kept.tags || !this.keepsTrainuTags) return kept;
    return { ...kept, tags: kept.tags.filter((tag) => this.pullsTag(tag)) };
  }

  /**
   * `field:rule` entries, then the `tag.<pattern>:rule` ones in their order, as SYNC_FIELD_RULES
   * would hold them (logs, preview).
   */
  describe(): string {
    return [
      ...[...this.rules].map(([field, rule]) => `${field}:${rule}`),
      ...this.tagPatterns.map(({ pattern, rule }) => `${TAG_PATTERN_PREFIX}${pattern}:${rule}`),
    ].join(',');
  }
}

/** Anchored, `*` for any run of characters; everything else literal. */
function tagPatternRegExp(pattern: string): RegExp {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${pattern.split('*').map(literal).join('.*')}$`, 'u');
}

/**
 * Reads `SYNC_FIELD_RULES` (comma-separated `field:rule`, and `tag.<pattern>:rule` for the tags a
 * pattern matches). Each bad entry is a problem naming the variable and the entry, so the start
 * stops and says which; a field or a tag pattern named twice is a problem too.
 */
export function parseFieldRules(text: string | undefined): { rules: FieldRules; problems: string[] } {
  const rules = new Map<string, FieldRule>();
  const tagPatterns: TagPatternRule[] = [];
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
    if (field.startsWith(TAG_PATTERN_PREFIX)) {
      const pattern = normalizedTagPattern(field.slice(TAG_PATTERN_PREFIX.length));
      const reason = isFieldRule(rule) ? tagPatternProblem(pattern, tagPatterns) : unknownRule(rule);
      if (reason) problem(reason);
      else tagPatterns.push({ pattern, rule: rule as FieldRule });
    } else if (!isRuledField(field)) {
      problem(
        `unknown field "${field}" (fields: ${RULED_FIELDS.join(', ')}, ${CUSTOM_FIELD_PREFIX}<fieldId>, ${TAG_PATTERN_PREFIX}<pattern>)`,
      );
    } else if (!isFieldRule(rule)) {
      problem(unknownRule(rule));
    } else if (rules.has(field)) {
      problem(`field "${field}" has a rule already (${rules.get(field)})`);
    } else {
      rules.set(field, rule);
    }
  }
  return { rules: new FieldRules(rules, tagPatterns), problems };
}

function isFieldRule(rule: string): rule is FieldRule {
  return (FIELD_RULES as readonly string[]).includes(rule);
}

function unknownRule(rule: string): string {
  return `unknown rule "${rule}" (rules: ${FIELD_RULES.join(', ')})`;
}

function isRuledField(field: string): boolean {
  if ((RULED_FIELDS as readonly string[]).includes(field)) return true;
  return field.startsWith(CUSTOM_FIELD_PREFIX) && CUSTOM_FIELD_ID.test(field.slice(CUSTOM_FIELD_PREFIX.length));
}

/** As a tag is normalised, so that it matches whatever the case; a run of `*` is one. */
function normalizedTagPattern(raw: string): string {
  return (normalizeTags([raw])[0] ?? '').replace(/\*+/g, '*');
}

/** Why a normalised pattern cannot be used, or null. */
function tagPatternProblem(pattern: string, earlier: readonly TagPatternRule[]): string | null {
  if (pattern === '') return `empty tag pattern (such as ${TAG_PATTERN_PREFIX}trainu-*)`;
  // Control characters: no tag a coach can type holds them, so such a pattern is a mistake in the variable.
  if (/\p{Cc}/u.test(pattern)) return `tag pattern "${pattern}" holds a control character`;
  if (pattern === '*') return `tag pattern "*" matches every tag: say tags:<rule> instead`;
  const same = earlier.find((entry) => entry.pattern === pattern);
  return same ? `tag pattern "${pattern}" has a rule already (${same.rule})` : null;
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
