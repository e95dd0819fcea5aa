// Small schema pieces every family uses (TypeBox, see typed.ts).
import { Type } from '@sinclair/typebox';

/** An optional string parameter (query, form or JSON field). */
export function optionalString(description?: string) {
  return Type.Optional(Type.String(description ? { description } : {}));
}

/** A server-rendered page (text/html, not serialized from a schema). */
export const HTML_PAGE = Type.String({ description: 'HTML page' });
