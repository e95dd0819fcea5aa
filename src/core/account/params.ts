// Request parameters as the protocol sees them: query and form body merged, body wins (§4.1);
// repeated parameters take the first value; non-string values are ignored.

export type Params = Record<string, string>;

function flatten(o: unknown): Params {
  const out: Params = {};
  if (!o || typeof o !== 'object') return out;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

export function mergeParams(query: unknown, body: unknown): Params {
  return { ...flatten(query), ...flatten(body) };
}
