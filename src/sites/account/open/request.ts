// What the open APIs need from a request, as received: the path with its percent-encoding, the raw
// query string, and the parameters (query, then for POST the form body) in their order, form-decoded.
// MAC verification signs these bytes, so they are read from the raw URL and the raw body
// (client-quirks.ts keepRawBodies), not from Fastify's parsed query.
import type { FastifyRequest } from 'fastify';
import type { Param } from '../../../core/account/mac-canonical.ts';

export interface OpenRequest {
  method: string;
  path: string;
  rawQueryString: string;
  /** Query parameters, then form-body parameters (POST), in order. */
  params: Param[];
  /** First value of a parameter (body wins over query, like the token endpoint). */
  get(name: string): string | undefined;
  /** The host Fastify derives (X-Forwarded-Host behind a trusted proxy), then the Host header as sent. */
  hosts: string[];
}

function parseForm(s: string): Param[] {
  return [...new URLSearchParams(s)];
}

/** `body`: the raw body text ('' for none); its parameters count when it is a form. */
export function openRequest(req: FastifyRequest, body: string): OpenRequest {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQueryString = q < 0 ? '' : (url.slice(q + 1).split('#')[0] ?? '');
  const query = parseForm(rawQueryString);
  const form = /form-urlencoded/i.test(req.headers['content-type'] ?? '') ? parseForm(body) : [];
  const params = [...query, ...form];
  // The host clients called first: behind a trusted proxy that is the forwarded host (req.host),
  // while the Host header may name the upstream.
  const hosts: string[] = [];
  if (req.host) hosts.push(req.host);
  const rawHost = req.headers.host;
  if (rawHost && !hosts.includes(rawHost)) hosts.push(rawHost);
  return {
    method: req.method,
    path,
    rawQueryString,
    params,
    hosts,
    get(name: string) {
      const fromBody = form.find(([k]) => k === name);
      if (fromBody) return fromBody[1];
      return query.find(([k]) => k === name)?.[1];
    },
  };
}
