// Schemas of the open APIs (account-protocol §6): the common parameters, the raw body, and the
// success envelope around each API's data, serialized in wire key order.
import { type TObject, type TSchema, Type } from '@sinclair/typebox';

/** Parameters every open API reads (query or form body; extra parameters are allowed). */
export const OPEN_PARAMS = {
  clientId: Type.Optional(Type.String({ description: 'The app (also as client_id); inferred from the token when absent' })),
  client_id: Type.Optional(Type.String()),
  token: Type.Optional(Type.String({ description: 'The access token (or in the MAC or Bearer header)' })),
};

export const OpenQuery = Type.Object(OPEN_PARAMS);

/** The body as sent: form parameters for POST, read from the text (MAC verification signs them). */
export const RawBody = Type.String();

/** `{"result":"ok","code":0,"description":"no error","data":…}` (§6.2). */
export function okEnvelopeSchema<T extends TSchema>(data: T) {
  return Type.Object({ result: Type.Literal('ok'), code: Type.Literal(0), description: Type.Literal('no error'), data });
}

export type OpenQuerySchema = TObject<typeof OPEN_PARAMS>;
