// What the factor forms carry besides codes: a WebAuthn answer as JSON in a hidden field (filled
// by assets/factors.js).
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../../services/factors/passkeys.ts';

const MAX_RESPONSE_CHARS = 16_384;

/** The WebAuthn answer of a form field, or undefined when absent or not a JSON object with an id. */
export function passkeyAnswer<T extends AuthenticationResponseJSON | RegistrationResponseJSON>(field: string | undefined): T | undefined {
  if (!field || field.length > MAX_RESPONSE_CHARS) return undefined;
  try {
    const v = JSON.parse(field) as unknown;
    return v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}
