import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage as transformerMetadata } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, validateSync, ValidationTypes, type ValidationError } from 'class-validator';
import { WebhookRejection, WebhookRejectionCode } from './webhook-rejection.js';

type Dto = new () => object;

/** A property a DTO validates; `nested` is the DTO class its `@Type(() => X)` names. */
interface DeclaredProperty {
  readonly name: string;
  readonly nested: Dto | undefined;
}

const declaredProperties = new WeakMap<Dto, readonly DeclaredProperty[]>();

/**
 * Validates a parsed delivery against a DTO. Unknown fields pass (GHL adds fields without notice);
 * the first problem's field path is named in the rejection, every problem in its reason.
 */
export function assertValidPayload<T extends object>(dto: new () => T, payload: Record<string, unknown>): T {
  const instance = instanceOf(dto, payload);
  const problems = validateSync(instance, { forbidUnknownValues: false }).flatMap((error) => describe(error, ''));
  if (problems.length > 0) {
    const reason = problems.map((problem) => problem.message).join('; ');
    throw new WebhookRejection(WebhookRejectionCode.PayloadInvalid, reason, problems[0]!.field);
  }
  return instance;
}

/**
 * The DTO instance class-transformer's `plainToInstance` would build, as far as validation can
 * tell, in time linear in the properties the DTO declares: only those are copied, values without a
 * nested type as they are (never walked), so undeclared keys cost nothing however many there are
 * (ADR 0006). Recursion follows the DTOs' own nesting, and arrays only under a `@Type` property,
 * whose depth the intake has bounded before.
 */
function instanceOf<T extends object>(dto: new () => T, source: Record<string, unknown>): T {
  const instance = new dto() as Record<string, unknown>;
  for (const { name, nested } of declaredPropertiesOf(dto)) {
    if (!Object.hasOwn(source, name)) continue;
    const value = source[name];
    instance[name] = nested ? instantiated(nested, value) : value;
  }
  return instance as T;
}

/** As class-transformer treats a `@Type` value: an object becomes an instance, an array each element, the rest stays. */
function instantiated(dto: Dto, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((element) => instantiated(dto, element));
  return typeof value === 'object' && value !== null ? instanceOf(dto, value as Record<string, unknown>) : value;
}

/** The properties class-validator holds rules for, each with its `@Type` class; read once per DTO. */
function declaredPropertiesOf(dto: Dto): readonly DeclaredProperty[] {
  let properties = declaredProperties.get(dto);
  if (!properties) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    const names = [...new Set(metadata.map((rule) => rule.propertyName))];
    properties = names.map((name) => ({ name, nested: nestedDtoOf(dto, name) }));
    // Without its class, a nested value would pass unvalidated; this also catches a second copy of
    // class-transformer whose storage the DTOs' @Type decorators did not write to.
    for (const { name, nested } of properties) {
      const validatesNested = metadata.some(
        (rule) => rule.propertyName === name && rule.type === ValidationTypes.NESTED_VALIDATION,
      );
      if (validatesNested && !nested) throw new Error(`${dto.name}.${name}: @ValidateNested needs @Type(() => X)`);
    }
    declaredProperties.set(dto, properties);
  }
  return properties;
}

/**
 * The class of `@Type(() => X)` on a property. Other class-transformer decorators would change
 * what `plainToInstance` builds, so a webhook DTO using them fails loudly instead of silently
 * validating something else.
 */
function nestedDtoOf(dto: Dto, name: string): Dto | undefined {
  const unsupported =
    transformerMetadata.findTransformMetadatas(dto, name, TransformationType.PLAIN_TO_CLASS).length > 0 ||
    transformerMetadata.findExposeMetadata(dto, name) !== undefined ||
    transformerMetadata.findExcludeMetadata(dto, name) !== undefined;
  if (unsupported) throw new Error(`${dto.name}.${name}: webhook DTOs support only @Type of class-transformer`);
  const type = transformerMetadata.findTypeMetadata(dto, name);
  if (!type) return undefined;
  const nested = type.typeFunction() as Dto;
  if (
    type.options?.discriminator ||
    getMetadataStorage().getTargetValidationMetadatas(nested, '', true, false).length === 0
  )
    throw new Error(`${dto.name}.${name}: @Type must name a class-validator DTO (no discriminator)`);
  return nested;
}

function describe(error: ValidationError, parent: string): { field: string; message: string }[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({
    field,
    message: message.replace(error.property, field),
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, field))];
}
