// Sealing of secrets the server must be able to use again (client secrets: the key of the
// checkPassword `_xmSign`, account-protocol §7.4). AES-256-GCM under a key derived from the server
// secret, bound to a context string (the clientId) as additional data; "v1." + base64url(iv|tag|ct).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

function keyOf(serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('opal secret box v1', 'utf8').digest();
}

export function sealSecret(serverSecret: string, context: string, secret: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keyOf(serverSecret), iv);
  c.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return `v1.${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url')}`;
}

/** The sealed secret, or undefined when the box is absent, malformed or was sealed for another context. */
export function openSecret(serverSecret: string, context: string, box: string | null | undefined): string | undefined {
  if (!box?.startsWith('v1.')) return undefined;
  try {
    const raw = Buffer.from(box.slice(3), 'base64url');
    if (raw.length < 29) return undefined;
    const d = createDecipheriv('aes-256-gcm', keyOf(serverSecret), raw.subarray(0, 12));
    d.setAAD(Buffer.from(context, 'utf8'));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
