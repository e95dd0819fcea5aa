// Where the FDS client connects and with which key: command-line options first, then the
// environment (OPAL_FDS_ENDPOINT, OPAL_FDS_ACCESS_KEY, OPAL_FDS_SECRET), then the default endpoint.
import { InvalidInputError } from '../../lib/errors.ts';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8081';

export interface ClientConfig {
  /** Base URL, e.g. `http://127.0.0.1:8081`. */
  endpoint: string;
  accessKeyId: string;
  secret: string;
}

export interface ConfigOptions {
  endpoint?: string;
  accessKey?: string;
  secret?: string;
}

/** Resolves the client configuration; throws InvalidInputError naming what is missing. */
export function resolveClientConfig(opts: ConfigOptions, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const endpoint = (opts.endpoint ?? env.OPAL_FDS_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidInputError(`endpoint "${endpoint}" is not a URL (e.g. http://127.0.0.1:8081)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInputError('endpoint must be an http:// or https:// URL');
  // FDS has no path prefix (fds-protocol §1.1): the endpoint is scheme, host and port only.
  if (url.search || url.hash || url.pathname !== '/')
    throw new InvalidInputError('endpoint must be scheme://host[:port] only (no path or query)');
  const accessKeyId = opts.accessKey ?? env.OPAL_FDS_ACCESS_KEY;
  const secret = opts.secret ?? env.OPAL_FDS_SECRET;
  if (!accessKeyId) throw new InvalidInputError('no access key: pass --access-key or set OPAL_FDS_ACCESS_KEY');
  if (!secret) throw new InvalidInputError('no secret: pass --secret or set OPAL_FDS_SECRET');
  return { endpoint, accessKeyId, secret };
}
