// A value kept on one request for the rest of its handling (who the caller is, once a guard found
// out): a symbol-keyed field of the request object, so it ends with the request. One helper, so
// that no module keeps its own map from requests to values.
import type { FastifyRequest } from 'fastify';

export interface RequestSlot<T> {
  get(req: FastifyRequest): T | undefined;
  set(req: FastifyRequest, value: T): void;
  delete(req: FastifyRequest): void;
}

export function requestSlot<T>(name: string): RequestSlot<T> {
  const key = Symbol(name);
  type Holder = { [key]?: T };
  return {
    get: (req) => (req as FastifyRequest & Holder)[key],
    set: (req, value) => {
      (req as FastifyRequest & Holder)[key] = value;
    },
    delete: (req) => {
      delete (req as FastifyRequest & Holder)[key];
    },
  };
}
