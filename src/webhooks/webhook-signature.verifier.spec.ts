import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookSignatureVerifier } from './webhook-signature.verifier.js';

describe('WebhookSignatureVerifier', () => {
  const ed25519 = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const verifier = new WebhookSignatureVerifier({ ed25519PublicKey: ed25519.publicKey, rsaPublicKey: rsa.publicKey });
  const body = Buffer.from('{"type":"ContactCreate","id":"abc"}');
  const ed = (bytes: Buffer) => sign(null, bytes, ed25519.privateKey).toString('base64');
  const legacy = (bytes: Buffer) => sign('sha256', bytes, rsa.privateKey).toString('base64');
  const other = Buffer.from('{"type":"ContactCreate","id":"abd"}');

  it.each([
    ['Ed25519 over the exact bytes', { 'x-ghl-signature': ed(body) }, { valid: true, scheme: 'ed25519' }],
    ['legacy RSA over the exact bytes', { 'x-wh-signature': legacy(body) }, { valid: true, scheme: 'rsa' }],
    [
      'both headers, both right',
      { 'x-ghl-signature': ed(body), 'x-wh-signature': legacy(body) },
      { valid: true, scheme: 'ed25519' },
    ],
    [
      'Ed25519 over other bytes',
      { 'x-ghl-signature': ed(other) },
      { valid: false, reason: 'x-ghl-signature does not match the body' },
    ],
    [
      'RSA over other bytes',
      { 'x-wh-signature': legacy(other) },
      { valid: false, reason: 'x-wh-signature does not match the body' },
    ],
    [
      'a wrong Ed25519 beside a right RSA (no fallback)',
      { 'x-ghl-signature': ed(other), 'x-wh-signature': legacy(body) },
      { valid: false, reason: 'x-ghl-signature does not match the body' },
    ],
    [
      'an RSA signature in the Ed25519 header',
      { 'x-ghl-signature': legacy(body) },
      { valid: false, reason: 'x-ghl-signature does not match the body' },
    ],
    [
      'garbage',
      { 'x-ghl-signature': '%%%not base64%%%' },
      { valid: false, reason: 'x-ghl-signature does not match the body' },
    ],
    ['an empty header', { 'x-ghl-signature': '' }, { valid: false, reason: 'x-ghl-signature does not match the body' }],
    [
      'no header',
      {},
      { valid: false, reason: 'missing signature: send x-ghl-signature (or the legacy x-wh-signature)' },
    ],
  ])('%s', (_name, headers, expected) => {
    expect(verifier.verify(body, headers)).toEqual(expected);
  });

  it('rejects a body changed by one byte after signing', () => {
    const signature = ed(body);
    const tampered = Buffer.from(body);
    tampered[tampered.length - 2] = 0x64;
    expect(verifier.verify(tampered, { 'x-ghl-signature': signature }).valid).toBe(false);
  });
});
