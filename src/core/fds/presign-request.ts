// The JS SDK's server-side presign request (fds-protocol §5.13): `GET /{b}/{o}?presignedUrl
// &subResources=a:b&expiration=<ms>&httpMethod=GET&enableCdn=false&enableHttps=false
// &signAlgorithm=HmacSHA1`, parsed strictly. `subResources` is a `:`-separated list of `key` or
// `key=value` items (the SDK joins its array with `:`); `expiration` is an absolute time in ms
// since the epoch (the SDK's example passes "1464829356000"), empty for the server's default.
import { FdsError } from './errors.ts';
import type { SignAlgorithm } from './signer.ts';

export interface PresignRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Items as they go into the URL and the signature: `key` or `key=<percent-encoded value>`. */
  subResources: string[];
  /** Absolute expiry asked for (ms), or undefined for the default. */
  expiration: number | undefined;
  algorithm: SignAlgorithm;
}

const METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);
const ALGORITHMS = new Map<string, SignAlgorithm>([
  ['hmacsha1', 'sha1'],
  ['hmacsha256', 'sha256'],
  ['hmacmd5', 'md5'],
]);
/** Never allowed as a sub-resource: they would forge or duplicate the credential triple. */
const RESERVED = new Set(['GalaxyAccessKeyId', 'Expires', 'Signature', 'presignedUrl']);
const MAX_SUB_RESOURCES = 16;

function bad(what: string): never {
  throw new FdsError('InvalidRequest', what);
}

/** Parses the presign parameters from the decoded query; every missing one takes the SDK's default. */
export function parsePresignRequest(params: ReadonlyMap<string, string>): PresignRequest {
  const m = (params.get('httpMethod') || 'GET').toUpperCase();
  if (!METHODS.has(m)) bad('httpMethod must be GET, HEAD, PUT, POST or DELETE');
  const alg = (params.get('signAlgorithm') || 'HmacSHA1').toLowerCase();
  const algorithm = ALGORITHMS.get(alg);
  if (!algorithm) bad('signAlgorithm must be HmacSHA1, HmacSHA256 or HmacMD5');
  const exp = params.get('expiration') ?? '';
  if (exp !== '' && !/^\d{1,16}$/.test(exp)) bad('expiration must be milliseconds since the epoch');
  const raw = params.get('subResources') ?? '';
  const items = raw === '' ? [] : raw.split(':');
  if (items.length > MAX_SUB_RESOURCES) bad(`at most ${MAX_SUB_RESOURCES} subResources`);
  const subResources = items.map((item) => {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key) || RESERVED.has(key)) bad(`subResource ${JSON.stringify(key.slice(0, 64))}`);
    return eq < 0 ? key : `${key}=${encodeURIComponent(item.slice(eq + 1))}`;
  });
  return {
    method: m as PresignRequest['method'],
    subResources,
    expiration: exp === '' ? undefined : Number(exp),
    algorithm,
  };
}
