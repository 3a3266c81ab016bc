import { isIP } from 'node:net';
import { validateCronExpression } from 'cron';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isSupportedCountry } from 'libphonenumber-js';
import { parseDurationList } from './duration.js';
import { readPublicKey } from './ghl-public-keys.js';

/** Custom class-validator rules for environment variables; each message states the rule. */
function rule(name: string, test: (value: string) => boolean, message: string, options?: ValidationOptions) {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && test(value),
        defaultMessage: (args) => `${args?.property} ${message}`,
      },
    },
    options,
  );
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

export const IsPostgresUrl = () =>
  rule(
    'isPostgresUrl',
    (value) => URL.canParse(value) && ['postgres:', 'postgresql:'].includes(new URL(value).protocol),
    'must be a postgres:// or postgresql:// connection URL',
  );

export const IsHttpUrl = () =>
  rule(
    'isHttpUrl',
    (value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol),
    'must be an http:// or https:// URL',
  );

export const IsDurationList = () =>
  rule(
    'isDurationList',
    (value) => parseDurationList(value) !== undefined,
    'must be a comma-separated list of positive durations such as 1m,5m,15m,1h,6h (units s, m, h, d; a bare number means seconds)',
  );

export const IsCidrList = () =>
  rule(
    'isCidrList',
    (value) => splitList(value).every(isCidr),
    'must be a comma-separated list of IP addresses or CIDR ranges such as 10.0.0.0/8,2001:db8::/32',
  );

export const IsCronOrOff = () =>
  rule(
    'isCronOrOff',
    (value) => value === 'off' || validateCronExpression(value).valid,
    'must be a cron expression such as "0 3 * * *", or "off"',
  );

export const IsPublicKeyOf = (type: 'ed25519' | 'rsa') =>
  rule(
    `is${type}PublicKey`,
    (value) => readPublicKey(value, type) !== undefined,
    `must be an ${type === 'rsa' ? 'RSA' : 'Ed25519'} public key, as PEM or base64-encoded SPKI`,
  );

export const IsKeyList = (minLength: number) =>
  rule(
    'isKeyList',
    (value) => splitList(value).every((key) => key.length >= minLength && !/\s/.test(key)),
    `must be a comma-separated list of keys, each at least ${minLength} characters without spaces`,
  );

export const IsPhoneRegion = () =>
  rule(
    'isPhoneRegion',
    (value) => isSupportedCountry(value),
    'must be a two-letter country code that libphonenumber knows, such as US, GB or IN',
  );
