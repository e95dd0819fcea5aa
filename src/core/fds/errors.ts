// FDS errors (fds-protocol §10): the SDKs look at the status code only and paste the body into their
// exception text, so the body carries the FDSError description (Java looks for "Access Denied").

export const FDS_ERRORS = {
  BucketAccessDenied: [403, 'Bucket Access Denied'],
  ObjectAccessDenied: [403, 'Object Access Denied'],
  SignatureDoesNotMatch: [403, 'Signature Does Not Match'],
  RequestTimeTooSkewed: [403, 'Request Time Too Skewed'],
  RequestExpired: [403, 'Request Expired'],
  OperationDenied: [403, 'Operation Denied'],
  BucketNotFound: [404, 'Bucket Not Found'],
  ObjectNotFound: [404, 'Object Not Found'],
  UploadNotFound: [404, 'Upload Not Found'],
  ConfigNotFound: [404, 'Config Not Found'],
  BucketAlreadyExists: [409, 'Bucket Already Exists'],
  BucketNotEmpty: [409, 'Bucket Not Empty'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidBucketName: [400, 'Invalid Bucket Name'],
  InvalidObjectName: [400, 'Invalid Object Name'],
  InvalidTrashObjectName: [400, 'Invalid Trash Object Name'],
  InvalidPartNumberOrSize: [400, 'Invalid Part Number or Size'],
  MultipartUploadExpired: [400, 'Multipart Upload Expired'],
  ChecksumDoesNotMatch: [400, 'Checksum Does Not Match'],
  InvalidOAuthParameters: [400, 'Invalid OAuth Parameters'],
  VerifyOAuthAccessTokenError: [400, 'Verify OAuth Access Token Error'],
  AuthenticationFailed: [400, 'Authentication Failed'],
  RequestNotSupported: [405, 'Request Not Supported'],
  /** Fastify's own refusals of a body (not raised by FDS handlers, which stream bodies themselves). */
  RequestEntityTooLarge: [413, 'Request Entity Too Large'],
  UnsupportedMediaType: [415, 'Unsupported Media Type'],
  InvalidRequestRange: [416, 'Request Out of Range'],
  /** Storage-token exchanges over the per-address limit (fds-protocol §2.4). */
  TooManyRequests: [429, 'Too Many Requests'],
  InternalServerError: [500, 'Internal Server Error'],
  /** The blob store has no space left (the upload is refused whole; reads go on). */
  InsufficientStorage: [507, 'Insufficient Storage'],
  /** A store (database, cache, S3 endpoint) cannot be reached right now; retry shortly. */
  ServiceUnavailable: [503, 'Service Unavailable'],
  /** An OAuth provider could not be reached or answered unreadably (storage-token exchange). */
  UpstreamServiceError: [502, 'Upstream Service Error'],
} as const satisfies Record<string, readonly [number, string]>;

export type FdsErrorCode = keyof typeof FDS_ERRORS;

/** An error a client can cause, in FDS's shape. `detail` adds context to the message. */
export class FdsError extends Error {
  readonly status: number;
  readonly description: string;

  constructor(
    readonly code: FdsErrorCode,
    readonly detail?: string,
  ) {
    const [status, description] = FDS_ERRORS[code];
    super(detail ? `${description}: ${detail}` : description);
    this.name = 'FdsError';
    this.status = status;
    this.description = description;
  }

  /** The JSON error body (§10): `{"code":403,"error":"ObjectAccessDenied","message":"Object Access Denied"}`. */
  body(): { code: number; error: string; message: string } {
    return { code: this.status, error: this.code, message: this.message };
  }
}
