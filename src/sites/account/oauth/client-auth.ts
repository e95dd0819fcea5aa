// Client authentication at the token, revocation and introspection endpoints: client_id and
// client_secret from the merged parameters (with the §4.4 tolerance for unencoded secrets), or
// HTTP Basic (RFC 6749 §2.3.1). Public apps authenticate with client_id alone.
import { secretCandidates } from '../../../core/account/client-secret.ts';
import { missing, XM, XmOAuthError } from '../../../core/account/errors.ts';
import { isNumericId } from '../../../core/account/numeric-id.ts';
import type { App, AppService } from '../../../services/apps.ts';

/** The credentials a request carries in its parameters (Basic credentials come from the header). */
export interface ClientCredentials {
  client_id?: string | undefined;
  client_secret?: string | undefined;
}

function basic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: dec(text.slice(0, i)), secret: dec(text.slice(i + 1)) };
}

export interface ClientAuthOptions {
  /** Refuse public apps that send no secret (APIs that always need the app's secret). */
  requireSecret?: boolean;
  /** Parameter names quoted in the "missing" errors (default client_id / client_secret). */
  names?: { id: string; secret: string };
}

/** The authenticated app; throws XmOAuthError 96002 / 96001 / 96003. */
export async function authenticateClient(
  apps: AppService,
  p: ClientCredentials,
  authorization: string | undefined,
  opts: ClientAuthOptions = {},
): Promise<App> {
  const names = opts.names ?? { id: 'client_id', secret: 'client_secret' };
  const b = basic(authorization);
  const clientId = p.client_id ?? b?.id;
  if (clientId === undefined || clientId === '') throw missing(names.id);
  if (!isNumericId(clientId)) throw new XmOAuthError(XM.CLIENT_NOT_EXISTS);
  const app = await apps.get(clientId);
  if (!app) throw new XmOAuthError(XM.CLIENT_NOT_EXISTS);
  const secret = p.client_secret ?? (b && b.id === clientId ? b.secret : undefined);
  if (app.flags.public === true && !opts.requireSecret && (secret === undefined || secret === '')) return app;
  if (secret === undefined || secret === '') throw missing(names.secret);
  for (const candidate of secretCandidates(secret)) {
    if (await apps.verifySecret(clientId, candidate)) return app;
  }
  throw new XmOAuthError(XM.INVALID_CLIENT);
}
