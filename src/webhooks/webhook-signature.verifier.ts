import { verify, type KeyObject } from 'node:crypto';

export const ED25519_SIGNATURE_HEADER = 'x-ghl-signature';
export const RSA_SIGNATURE_HEADER = 'x-wh-signature';

export type SignatureCheck =
  { readonly valid: true; readonly scheme: 'ed25519' | 'rsa' } | { readonly valid: false; readonly reason: string };

/**
 * Checks GHL's signature over the exact bytes received. `x-ghl-signature` (Ed25519) wins when
 * present, with no fallback to the legacy header, as HighLevel's SDK does; otherwise
 * `x-wh-signature` (RSA-SHA256, deprecated by HighLevel on 2026-07-01).
 */
export class WebhookSignatureVerifier {
  constructor(private readonly keys: { readonly ed25519PublicKey: KeyObject; readonly rsaPublicKey: KeyObject }) {}

  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): SignatureCheck {
    const ed25519 = single(headers[ED25519_SIGNATURE_HEADER]);
    if (ed25519 !== undefined) {
      return check(
        () => verify(null, rawBody, this.keys.ed25519PublicKey, decode(ed25519)),
        'ed25519',
        ED25519_SIGNATURE_HEADER,
      );
    }
    const rsa = single(headers[RSA_SIGNATURE_HEADER]);
    if (rsa !== undefined) {
      return check(() => verify('sha256', rawBody, this.keys.rsaPublicKey, decode(rsa)), 'rsa', RSA_SIGNATURE_HEADER);
    }
    return {
      valid: false,
      reason: `missing signature: send ${ED25519_SIGNATURE_HEADER} (or the legacy ${RSA_SIGNATURE_HEADER})`,
    };
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decode(signature: string): Buffer {
  return Buffer.from(signature.trim(), 'base64');
}

function check(run: () => boolean, scheme: 'ed25519' | 'rsa', header: string): SignatureCheck {
  let valid = false;
  try {
    valid = run();
  } catch {
    // A signature of the wrong length or encoding makes crypto.verify throw; it is simply invalid.
  }
  return valid ? { valid, scheme } : { valid: false, reason: `${header} does not match the body` };
}
