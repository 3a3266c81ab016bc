import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * HighLevel's published webhook verification keys. They are public constants, identical for every
 * Marketplace app, and overridable through GHL_WEBHOOK_PUBLIC_KEY / GHL_WEBHOOK_RSA_PUBLIC_KEY in
 * case HighLevel rotates them (rotation is announced by email; there is no key-id header).
 *
 * Ed25519, header `x-ghl-signature`: Webhook Integration Guide,
 *   https://marketplace.gohighlevel.com/docs/webhook/WebhookIntegrationGuide
 * RSA 4096, header `x-wh-signature` (legacy, deprecated 2026-07-01): GoHighLevel/highlevel-api-docs
 *   docs/oauth/WebhookAuthentication.md
 */
export const HIGHLEVEL_ED25519_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
-----END PUBLIC KEY-----`;

export const HIGHLEVEL_RSA_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----`;

/**
 * Reads a public key given as PEM, or as bare base64 of the SPKI DER (what env files hold most
 * easily). Returns undefined unless it parses and is of the expected type.
 */
export function readPublicKey(text: string, expectedType: 'ed25519' | 'rsa'): KeyObject | undefined {
  const trimmed = text.trim().replace(/\\n/g, '\n');
  try {
    const key = trimmed.startsWith('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === expectedType ? key : undefined;
  } catch {
    return undefined;
  }
}
