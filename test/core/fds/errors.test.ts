// FDS errors (fds-protocol §10): the status and description of every error code, as clients see
// them. The SDKs look at the status and paste the body into their exception text (Java looks for
// "Access Denied"), so the descriptions are wire strings: pinned here from a literal table, not
// read back from FDS_ERRORS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FDS_ERRORS, FdsError, type FdsErrorCode } from '../../../src/core/fds/errors.ts';

const WIRE: Record<FdsErrorCode, [number, string]> = {
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
  RequestEntityTooLarge: [413, 'Request Entity Too Large'],
  UnsupportedMediaType: [415, 'Unsupported Media Type'],
  InvalidRequestRange: [416, 'Request Out of Range'],
  TooManyRequests: [429, 'Too Many Requests'],
  InternalServerError: [500, 'Internal Server Error'],
  InsufficientStorage: [507, 'Insufficient Storage'],
  ServiceUnavailable: [503, 'Service Unavailable'],
  UpstreamServiceError: [502, 'Upstream Service Error'],
};

describe('FdsError', () => {
  it('has exactly the codes of the wire table', () => {
    assert.deepEqual(Object.keys(FDS_ERRORS).sort(), Object.keys(WIRE).sort());
  });

  it('answers every code with its status and description (message and body)', () => {
    for (const [code, [status, description]] of Object.entries(WIRE) as Array<[FdsErrorCode, [number, string]]>) {
      const e = new FdsError(code);
      assert.equal(e.status, status, code);
      assert.equal(e.description, description, code);
      assert.equal(e.message, description, code);
      assert.equal(e.code, code);
      assert.equal(e.detail, undefined);
      assert.deepEqual(e.body(), { code: status, error: code, message: description });
    }
  });

  it('appends a detail to the message after a colon, and ignores an empty one', () => {
    const e = new FdsError('ObjectNotFound', 'b1/o');
    assert.equal(e.message, 'Object Not Found: b1/o');
    assert.equal(e.description, 'Object Not Found');
    assert.equal(e.detail, 'b1/o');
    assert.deepEqual(e.body(), { code: 404, error: 'ObjectNotFound', message: 'Object Not Found: b1/o' });
    assert.equal(new FdsError('InvalidRequest', '').message, 'Invalid Request');
  });

  it('is an Error named FdsError', () => {
    const e = new FdsError('BucketAccessDenied');
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'FdsError');
    assert.match(String(e), /^FdsError: Bucket Access Denied$/);
  });
});
