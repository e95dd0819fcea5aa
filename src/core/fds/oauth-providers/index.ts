// The provider registry and the parameter rules of the storage-token exchange (fds-protocol §2.4):
// `GET /?storageAccessToken&appId=…&oauthAppId=…&oauthAccessToken=…&oauthProvider=…
// [&oauthOpenId=…][&oauthMacKey=…&oauthMacAlgorithm=HmacSHA1]`.
import { qq } from './qq.ts';
import { renren } from './renren.ts';
import { sina } from './sina.ts';
import { PROVIDERS, type Provider, type ProviderName } from './types.ts';
import { xiaomi } from './xiaomi.ts';

export * from './types.ts';

export const PROVIDER_IMPLS: Record<ProviderName, Provider> = { XiaoMi: xiaomi, QQ: qq, Sina: sina, RenRen: renren };

/** Matches a provider name as sent (`XiaoMi`, `QQ`, `Sina`, `RenRen`), case-insensitively. */
export function providerByName(name: string): ProviderName | undefined {
  return PROVIDERS.find((p) => p.toLowerCase() === name.toLowerCase());
}

export interface ExchangeParams {
  appId: string;
  provider: ProviderName;
  oauthAppId: string;
  oauthAccessToken: string;
  oauthOpenId: string | undefined;
  oauthMacKey: string | undefined;
}

export type ParseResult = { ok: true; params: ExchangeParams } | { ok: false; message: string };

const MAX_PARAM = 2048;
/** An FDS appId or a provider's app id (oauthAppId): what exchanges, audit and the CLI accept. */
export const APP_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
/** Token characters any of the four providers uses (base64/base64url, `.`, `|` of RenRen, `%`-free). */
const TOKEN_RE = /^[A-Za-z0-9._~+/=|:-]{1,2048}$/;

/** Validates the exchange parameters (already form-decoded); the message names the first problem. */
export function parseExchangeParams(q: ReadonlyMap<string, string>): ParseResult {
  const get = (k: string) => {
    const v = q.get(k);
    return v === undefined || v === '' ? undefined : v;
  };
  for (const k of ['appId', 'oauthAppId', 'oauthAccessToken', 'oauthProvider']) {
    if (!get(k)) return { ok: false, message: `missing parameter ${k}` };
  }
  const appId = get('appId') ?? '';
  const oauthAppId = get('oauthAppId') ?? '';
  const token = get('oauthAccessToken') ?? '';
  const providerRaw = get('oauthProvider') ?? '';
  if (!APP_ID_RE.test(appId)) return { ok: false, message: 'appId is malformed' };
  if (!APP_ID_RE.test(oauthAppId)) return { ok: false, message: 'oauthAppId is malformed' };
  if (!TOKEN_RE.test(token)) return { ok: false, message: 'oauthAccessToken is malformed' };
  const provider = providerByName(providerRaw);
  if (!provider) return { ok: false, message: `unknown oauthProvider (expected one of ${Object.keys(PROVIDER_IMPLS).join(', ')})` };
  const openId = get('oauthOpenId');
  if (openId !== undefined && (openId.length > 128 || !/^[\w.|:-]+$/.test(openId)))
    return { ok: false, message: 'oauthOpenId is malformed' };
  const macKey = get('oauthMacKey');
  const alg = get('oauthMacAlgorithm');
  if (provider === 'XiaoMi') {
    if (!macKey || !alg) return { ok: false, message: 'oauthMacKey and oauthMacAlgorithm are required for XiaoMi' };
    if (alg.toLowerCase() !== 'hmacsha1') return { ok: false, message: 'oauthMacAlgorithm must be HmacSHA1' };
    if (macKey.length > MAX_PARAM) return { ok: false, message: 'oauthMacKey is malformed' };
  }
  return {
    ok: true,
    params: {
      appId,
      provider,
      oauthAppId,
      oauthAccessToken: token,
      oauthOpenId: openId,
      oauthMacKey: provider === 'XiaoMi' ? macKey : undefined,
    },
  };
}
