// The Xiaomi OAuth error table (account-protocol §9): codes, names and the descriptions we send.

export const XM = {
  CLIENT_NOT_EXISTS: 96001,
  INVALID_REQUEST: 96002,
  INVALID_CLIENT: 96003,
  INVALID_GRANT: 96004,
  UNAUTHORIZED_CLIENT: 96005,
  UNSUPPORTED_GRANT_TYPE: 96006,
  INVALID_SCOPE: 96007,
  INVALID_TOKEN: 96008,
  INVALID_REFRESH_TOKEN: 96009,
  INVALID_REDIRECT_URI: 96010,
  UNSUPPORTED_RESPONSE_TYPE: 96011,
  ACCESS_DENIED: 96012,
  INVALID_CODE: 96013,
} as const;

export type XmErrorCode = (typeof XM)[keyof typeof XM];

export const XM_DESCRIPTIONS: Record<XmErrorCode, string> = {
  96001: 'client not exists',
  96002: 'invalid request',
  96003: 'invalid client secret',
  96004: 'invalid grant',
  96005: 'client not authorized for this api',
  96006: 'unsupported grant type',
  96007: 'invalid scope',
  96008: 'token invalid or expired',
  96009: 'invalid refresh token',
  96010: 'invalid redirect uri',
  96011: 'unsupported response type',
  96012: 'access denied',
  96013: 'invalid authorization code',
};

/** A protocol error carrying its wire code; `description` defaults to the table's text. */
export class XmOAuthError extends Error {
  readonly description: string;
  constructor(
    readonly code: XmErrorCode,
    description?: string,
  ) {
    const d = description ?? XM_DESCRIPTIONS[code];
    super(`${code} ${d}`);
    this.name = 'XmOAuthError';
    this.description = d;
  }
}

/** 96002 with the conventional "invalid request: missing <param>" text. */
export function missing(param: string): XmOAuthError {
  return new XmOAuthError(XM.INVALID_REQUEST, `invalid request: missing ${param}`);
}
