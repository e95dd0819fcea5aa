// Shared shapes of third-party OAuth token verification (spec/oauth-providers.md): each provider
// describes the HTTP requests that verify a token and how to read the replies. No I/O here: the
// storage-token service sends the requests and hands the replies back.

export const PROVIDERS = ['XiaoMi', 'QQ', 'Sina', 'RenRen'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The verified facts the exchange needs: who the user is and which app the token was issued to. */
export interface VerifyInput {
  /** The user's access token at the provider (`oauthAccessToken`). */
  accessToken: string;
  /** The app at the provider that the token must belong to (`oauthAppId`). */
  oauthAppId: string;
  /** XiaoMi only: the MAC key issued with the token (`oauthMacKey`). */
  macKey?: string | undefined;
}

export interface ProviderRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ProviderReply {
  status: number;
  body: string;
}

export type Verification =
  | { ok: true; providerUserId: string; providerAppId: string }
  | {
      ok: false;
      /** rejected: the provider refused the token; wrong-app: issued to another app; bad-reply: unreadable answer. */
      kind: 'rejected' | 'wrong-app' | 'bad-reply';
      message: string;
    };

/** Values the pure builders need from the outside world (clock, randomness). */
export interface RequestEnv {
  /** Base URL of the provider's API, without a trailing slash. */
  baseUrl: string;
  /** XiaoMi MAC nonce `<random>:<epoch minutes>`. */
  nonce: string;
}

export interface Provider {
  name: ProviderName;
  /** The requests to send; they are independent and may run in parallel. */
  requests(input: VerifyInput, env: RequestEnv): ProviderRequest[];
  /** Reads the replies (same order as the requests) into a verification result. */
  interpret(input: VerifyInput, replies: ProviderReply[]): Verification;
}

export function rejected(message: string): Verification {
  return { ok: false, kind: 'rejected', message };
}

export function badReply(message: string): Verification {
  return { ok: false, kind: 'bad-reply', message };
}

/** Parses a JSON object body; undefined when the body is not a JSON object. */
export function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A provider id given as a JSON string or a safe integer, as a decimal string; undefined otherwise. */
export function idString(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0 && v.length <= 128) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

/** Keeps provider text short and printable before it goes into an error message. */
export function clip(s: unknown, max = 120): string {
  const str = typeof s === 'string' ? s : JSON.stringify(s ?? '');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips control characters on purpose
  const clean = str.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
