// Secrets never reach a log line: query parameters and headers that carry credentials are replaced
// by "[redacted]" before a URL or header set is logged.

export const SECRET_PARAMS = new Set(
  [
    'token',
    'access_token',
    'refresh_token',
    'code',
    'client_secret',
    'mac_key',
    'password',
    'code_verifier',
    'storageaccesstoken',
    'oauthaccesstoken',
    'oauthmackey',
    'signature',
    'servicetoken',
    'xmsign',
    '_xmsign',
    'secret',
    'clientsecret',
  ].map((s) => s.toLowerCase()),
);

export const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-xiaomi-storage-access-token'];

/** Replaces the values of secret query parameters in a request target. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* keep raw */
      }
      return eq >= 0 && SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : p;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

const TEXT_PARAM_RE = /([?&;])([^=&#\s?;]+)=([^&#\s;]*)/g;

/**
 * Replaces secret `name=value` query parameters wherever they appear in free text (log messages
 * such as Fastify's "Route GET:/x?token=… not found").
 */
export function redactText(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(TEXT_PARAM_RE, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      /* keep raw */
    }
    return SECRET_PARAMS.has(decoded.toLowerCase()) ? `${sep}${name}=[redacted]` : whole;
  });
}
