// Errors of the storage-token exchange, named after the FDSError they map to (fds-protocol §10).

export type StorageTokenErrorName = 'InvalidOAuthParameters' | 'VerifyOAuthAccessTokenError' | 'TooManyRequests' | 'UpstreamServiceError';

const STATUS: Record<StorageTokenErrorName, number> = {
  InvalidOAuthParameters: 400,
  VerifyOAuthAccessTokenError: 400,
  TooManyRequests: 429,
  UpstreamServiceError: 502,
};

/** The FDSError descriptions the SDKs and the docs show (fds-protocol §2.4). */
const DESCRIPTION: Record<StorageTokenErrorName, string> = {
  InvalidOAuthParameters: 'Invalid OAuth Parameters',
  VerifyOAuthAccessTokenError: 'Verify OAuth Access Token Error',
  TooManyRequests: 'Too Many Requests',
  UpstreamServiceError: 'Upstream Service Error',
};

export class StorageTokenError extends Error {
  readonly status: number;
  readonly description: string;
  constructor(
    readonly error: StorageTokenErrorName,
    /** Detail for the client; never holds a credential. */
    readonly detail: string,
  ) {
    super(`${DESCRIPTION[error]}: ${detail}`);
    this.name = 'StorageTokenError';
    this.status = STATUS[error];
    this.description = DESCRIPTION[error];
  }

  /** The FDS JSON error body: `{"code":400,"error":"…","message":"Verify OAuth Access Token Error: …"}`. */
  toBody(): { code: number; error: string; message: string } {
    return { code: this.status, error: this.error, message: this.message };
  }
}
