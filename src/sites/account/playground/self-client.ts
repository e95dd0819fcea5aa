// The playground's requests to this Opal, made over real HTTP to the listener the page request came
// in on (the socket's local address), exactly as an app's server would make them: the code
// exchange at /oauth2/token (GET as the official SDKs send it, or a POST form), and a MAC-signed
// call to each open API (core/account/mac-sign.ts). Nothing here skips a check the endpoints make.
// The exchange names the developer in a signed header, so that its failures spend that developer's
// token-failure budget rather than the server address's (oauth/playground-budget.ts). A request
// that cannot be made (connection refused, timeout) is a playground error page (502), not a store
// outage.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { newNonce } from '../../../core/account/mac-nonce.ts';
import { signOpenApiCall } from '../../../core/account/mac-sign.ts';
import { TOKEN_PREFIX } from '../../../core/account/token-response.ts';
import { PageError } from '../../../web/error-page.ts';
import { PLAYGROUND_HEADER } from '../oauth/playground-budget.ts';
import type { ApiCall, Exchange } from './runs.ts';

/** The open APIs the playground calls (docs/open-api.md), each needing one of the app's scopes. */
export const PLAYGROUND_APIS = ['/user/profile', '/user/openIdV2', '/user/phoneAndEmail', '/user/relation'] as const;

const TIMEOUT_MS = 10_000;

/** fetch, with a failure to connect or answer in time shown as the playground's own error page. */
async function selfFetch(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    throw new PageError(0, { messageKey: 'playground.unreachable', status: 502 });
  }
}

/** http://<local address>:<local port> of the connection `req` came in on. */
export function selfBase(req: FastifyRequest): string {
  let host = req.socket.localAddress ?? '127.0.0.1';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  if (host === '::' || host === '0.0.0.0') host = '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${req.socket.localPort}`;
}

export interface ExchangeInput {
  base: string;
  method: 'GET' | 'POST';
  clientId: string;
  clientSecret: string | undefined;
  code: string;
  redirectUri: string;
  verifier: string | undefined;
  /** The signed header naming the developer (oauth/playground-budget.ts). */
  pass: string;
}

export async function exchangeCode(x: ExchangeInput): Promise<Exchange> {
  const params = new URLSearchParams({
    client_id: x.clientId,
    grant_type: 'authorization_code',
    code: x.code,
    redirect_uri: x.redirectUri,
  });
  if (x.clientSecret !== undefined) params.set('client_secret', x.clientSecret);
  if (x.verifier) params.set('code_verifier', x.verifier);
  const shown = new URLSearchParams(params);
  if (shown.has('client_secret')) shown.set('client_secret', '********');
  const url = `${x.base}/oauth2/token`;
  const pass = { [PLAYGROUND_HEADER]: x.pass };
  const r =
    x.method === 'GET'
      ? await selfFetch(`${url}?${params}`, { headers: pass })
      : await selfFetch(url, {
          method: 'POST',
          headers: { ...pass, 'content-type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
        });
  const raw = await r.text().catch(() => {
    throw new PageError(0, { messageKey: 'playground.unreachable', status: 502 });
  });
  const shownRequest =
    x.method === 'GET' ? `GET /oauth2/token?${shown}` : `POST /oauth2/token\ncontent-type: application/x-www-form-urlencoded\n\n${shown}`;
  const out: Exchange = { method: x.method, shownRequest, status: r.status, raw, fields: [], calls: [] };
  try {
    const o = JSON.parse(raw.startsWith(TOKEN_PREFIX) ? raw.slice(TOKEN_PREFIX.length) : raw) as Record<string, unknown>;
    out.fields = Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    if (typeof o.access_token === 'string') out.accessToken = o.access_token;
    if (typeof o.mac_key === 'string') out.macKey = o.mac_key;
  } catch {
    // not JSON: the raw body says what happened
  }
  return out;
}

/** Calls each open API with the token: MAC-signed when there is a MAC key, else as a bearer token. */
export async function callOpenApis(base: string, clientId: string, accessToken: string, macKey: string | undefined): Promise<ApiCall[]> {
  const host = new URL(base).hostname;
  const calls: ApiCall[] = [];
  for (const path of PLAYGROUND_APIS) {
    const nonce = newNonce(Date.now(), randomBytes(8).readBigInt64BE());
    const params: Array<[string, string]> = [
      ['clientId', clientId],
      ['token', accessToken],
    ];
    const signed = macKey ? signOpenApiCall({ method: 'GET', host, path, params, accessToken, macKey, nonce }) : undefined;
    const query = signed?.query ?? new URLSearchParams(params).toString();
    const authorization = signed?.authorization ?? `Bearer ${accessToken}`;
    const url = `${base}${path}?${query}`;
    const r = await selfFetch(url, { headers: { authorization } });
    calls.push({
      path,
      url: `${path}?${query}`,
      canonical: signed?.canonical ?? '',
      mac: signed?.mac ?? '',
      authorization,
      status: r.status,
      body: await r.text().catch(() => ''),
    });
  }
  return calls;
}
