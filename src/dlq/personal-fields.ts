/**
 * Keys whose values are about a person (GHL's contact fields, and TrainU's). The console shows a
 * dead letter's payload with these masked unless the operator asks for them (ADR 0025).
 */
const PERSONAL_KEY =
  /^(e-?mail|phone|number|(first|last|full)?_?name|contact_?name|address\d*|city|state|postal_?code|country|date_?of_?birth|website|company_?name)$/i;

export const MASK = '•••';

/** `value` with every personal field's value (at any depth) replaced by `•••`; a copy, never the input. */
export function maskPersonalFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPersonalFields);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      PERSONAL_KEY.test(key) && inner !== null && inner !== '' ? MASK : maskPersonalFields(inner),
    ]),
  );
}
