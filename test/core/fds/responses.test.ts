// FDS JSON response schemas (fds-protocol §13): the serializer writes what the schema says, so each
// schema is pinned here as the JSON Schema the serializer reads, rendered compactly: keys in wire
// order, `?` for an optional key, `|null` for a nullable one. The orders match
// test/sites/fds/json-shapes.test.ts, which checks the bytes on the wire.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as R from '../../../src/core/fds/responses.ts';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  patternProperties?: Record<string, Schema>;
}

function shape(s: Schema): string {
  if (s.anyOf) return s.anyOf.map(shape).join('|');
  if (s.type === 'array') return `${s.items ? shape(s.items) : 'unknown'}[]`;
  if (s.type === 'object' && s.patternProperties) {
    return `{[string]:${Object.values(s.patternProperties).map(shape).join('|')}}`;
  }
  if (s.type === 'object') {
    const required = new Set(s.required ?? []);
    const fields = Object.entries(s.properties ?? {}).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}:${shape(v)}`);
    return `{${fields.join(',')}}`;
  }
  return s.type ?? 'unknown';
}
const of = (s: unknown) => shape(s as Schema);

const OWNER = '{id:string,displayName:string}';
const BUCKET = '{name:string,creationTime:number,orgId:string}';

describe('FDS response schemas', () => {
  it('errors (§10)', () => {
    assert.equal(of(R.ErrorBody), '{code:number,error:string,message:string}');
  });
  it('buckets (§4.4–4.6) and developer info', () => {
    assert.equal(of(R.ListAllBucketsResult), `{owner:${OWNER},buckets:${BUCKET}[]}`);
    assert.equal(of(R.ListAllAuthorizedBucketsResult), `{buckets:${BUCKET}[]}`);
    assert.equal(of(R.DeveloperInfo), '{developerId:string|null,displayName:string}');
    assert.equal(
      of(R.BucketInfo),
      '{name:string,creationTime:number,usedSpace:number,numObjects:number,allowOutsideAccess:boolean,enableSSE:boolean,orgId:string}',
    );
  });
  it('object listing (§5.9): every key present, metadataBean only with withMetaData', () => {
    const bean = `{name:string,size:number,owner:${OWNER},etag:string,lastModified:string,uploadTime:number,versionId:string,metadataBean?:{rawMeta:{[string]:string}}}`;
    assert.equal(of(R.ObjectBean), bean);
    assert.equal(
      of(R.ListObjectsResult),
      `{name:string,prefix:string,delimiter:string,marker:string,nextMarker:string|null,maxKeys:number,truncated:boolean,reverse:boolean,withMetaData:boolean,objects:${bean}[],commonPrefixes:string[]}`,
    );
  });
  it('batch delete (§5.8), ACL (§7.2), put result (§5.1), version ids (§8.2)', () => {
    assert.equal(of(R.DeleteObjectsResult), '{object_name:string|null,error_code:number,error_description:string}[]');
    assert.equal(of(R.AccessControlPolicy), '{owner:{id:string},accessControlList:{grantee:{id:string},permission:string,type:string}[]}');
    assert.equal(
      of(R.PutObjectResult),
      '{bucketName:string,objectName:string,accessKeyId:string,signature:string,expires:number,previousVersionId:string|null,versionId:string}',
    );
    assert.equal(of(R.VersionIds), 'string[]');
  });
  it('multipart (§6.1, §6.2, §6.6)', () => {
    assert.equal(of(R.InitMultipartUploadResult), '{bucketName:string,objectName:string,uploadId:string}');
    assert.equal(of(R.UploadPartResult), '{partNumber:number,etag:string,partSize:number}');
    assert.equal(
      of(R.UploadPartResultList),
      '{uploadPartResultList:{partNumber:number,etag:string,partSize:number,lastModified:number}[]}',
    );
    assert.equal(
      of(R.ListMultipartUploadsResult),
      '{bucketName:string,prefix:string,delimiter:string,maxKeys:number,marker:string,isTruncated:boolean,nextMarker:null,commonPrefixes:string[],uploads:{objectName:string,uploadId:string,uploadParts:unknown[]}[]}',
    );
  });
  it("Java's version listing (§8.3)", () => {
    assert.equal(
      of(R.VersionListing),
      `{versionSummaries:{bucketName:string,objectName:string,versionId:string,latest:boolean,lastModified:string,owner:${OWNER},size:number,deleteMarker:boolean}[],commonPrefixes:string[],bucketName:string,nextKeyMarker:string|null,nextVersionIdMarker:string|null,truncated:boolean,prefix:string,keyMarker:string,versionIdMarker:string|null,maxKeys:number,delimiter:string}`,
    );
  });
  it('domains (§9), storage token (§2.4), CDN operations (§5.13)', () => {
    assert.equal(of(R.ListDomainMappingsResult), '{domainMappings:string[]}');
    assert.equal(of(R.StorageAccessTokenResult), '{token:string,expireTime:number}');
    assert.equal(of(R.CdnOperationResult), 'number');
  });
});
