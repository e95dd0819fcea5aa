// Open-API response envelopes (account-protocol §6.2, §6.3): exact bytes, no prefix, no trailing
// newline, `code` a JSON number, no `data` key in errors, and the HTTP status of errors per mode.

export type ErrorStatusMode = 'mapped' | '200';

export const OPEN_API_CONTENT_TYPE = 'application/json;charset=UTF-8';

export interface OkEnvelope<T> {
  result: 'ok';
  code: 0;
  description: 'no error';
  data: T;
}

/** The success envelope, keys in wire order (sites serialize it with the matching schema). */
export function okEnvelope<T>(data: T): OkEnvelope<T> {
  return { result: 'ok', code: 0, description: 'no error', data };
}

export function errorBody(code: number, description: string): string {
  return JSON.stringify({ result: 'error', code, description });
}

/** `mapped` (default): 96008 → 403, 96012 → 401, anything else → 400; `200`: always 200. */
export function errorStatus(code: number, mode: ErrorStatusMode): number {
  if (mode === '200') return 200;
  if (code === 96008) return 403;
  if (code === 96012) return 401;
  return 400;
}

/** Throws if a value anywhere in `data` is null or undefined (json-lib turns null into "null"). */
export function assertNoNulls(data: unknown, path = 'data'): void {
  const at = firstNull(data);
  if (at) throw new Error(`${path}${at.path} is ${at.value}`);
}

/** Where the first null or undefined in `data` is, as a path below it; paths are built only then. */
function firstNull(data: unknown): { path: string; value: null | undefined } | undefined {
  if (data === null || data === undefined) return { path: '', value: data };
  if (typeof data !== 'object') return undefined;
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const at = firstNull(data[i]);
      if (at) return { path: `[${i}]${at.path}`, value: at.value };
    }
    return undefined;
  }
  for (const k of Object.keys(data)) {
    const at = firstNull((data as Record<string, unknown>)[k]);
    if (at) return { path: `.${k}${at.path}`, value: at.value };
  }
  return undefined;
}
