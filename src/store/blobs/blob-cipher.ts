// The at-rest format of an encrypted blob (docs/storage.md, "Encryption at rest"): a fixed header,
// then the plaintext in 64 KiB chunks, each sealed with AES-256-GCM under the blob's own random
// data key. The header carries that data key wrapped (AES-256-GCM) by a master key and the master
// key's id, so a blob is self-describing on any backend and rotation rewrites only the header.
//
//   header (88 bytes)                         chunk i (all but the last: chunkSize + 16 bytes)
//   0  magic "OPALENC\x01"                    ciphertext of plaintext[i*chunkSize …] | GCM tag (16)
//   8  chunk size, uint32 BE                  nonce = nonce prefix (8) | i as uint32 BE
//   12 master key id (8)                      AAD   = i as uint64 BE | final flag (1 byte)
//   20 wrap nonce (12)
//   32 wrapped data key (32) | wrap tag (16)  wrap AAD = header[0..20] | nonce prefix | blob key
//   80 chunk nonce prefix (8)
//
// A blob always has at least one chunk and its last one carries the final flag, so truncation at a
// chunk boundary, reordering, a swapped header (the blob key is in the wrap's AAD) and any flipped
// byte fail authentication instead of yielding wrong bytes.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export const MAGIC = Buffer.from('OPALENC\x01', 'latin1');
export const HEADER_SIZE = 88;
export const TAG_SIZE = 16;
export const CHUNK_SIZE = 64 * 1024;
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;

/** A blob could not be decrypted: damaged, truncated, or not in this format. Never served as data. */
export class BlobIntegrityError extends Error {
  constructor(key: string, what: string) {
    super(`blob ${key}: ${what}`);
    this.name = 'BlobIntegrityError';
  }
}

export interface MasterKey {
  /** 8 bytes derived from the key (never the key itself), stored in every header it wraps. */
  id: Buffer;
  secret: Buffer;
}

/** The key id of a 32-byte master key: HMAC-SHA256(key, label), first 8 bytes. */
export function masterKeyOf(secret: Buffer): MasterKey {
  if (secret.length !== 32) throw new Error('a blob encryption key is 32 bytes');
  return { id: createHmac('sha256', secret).update('opal blob master key id').digest().subarray(0, 8), secret };
}

export interface BlobHeader {
  chunkSize: number;
  keyId: Buffer;
  dataKey: Buffer;
  noncePrefix: Buffer;
}

function wrapAad(header: Buffer, blobKey: string): Buffer {
  return Buffer.concat([header.subarray(0, 20), header.subarray(80, 88), Buffer.from(blobKey, 'latin1')]);
}

/** A header for `blobKey` sealing `dataKey` (a new random one unless given, as rekey does) under `master`. */
export function sealHeader(
  blobKey: string,
  master: MasterKey,
  keep?: { dataKey: Buffer; noncePrefix: Buffer; chunkSize: number },
): { header: Buffer; parsed: BlobHeader } {
  const dataKey = keep?.dataKey ?? randomBytes(32);
  const noncePrefix = keep?.noncePrefix ?? randomBytes(8);
  const chunkSize = keep?.chunkSize ?? CHUNK_SIZE;
  const h = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(h, 0);
  h.writeUInt32BE(chunkSize, 8);
  master.id.copy(h, 12);
  const wrapNonce = randomBytes(12);
  wrapNonce.copy(h, 20);
  noncePrefix.copy(h, 80);
  const c = createCipheriv('aes-256-gcm', master.secret, wrapNonce);
  c.setAAD(wrapAad(h, blobKey));
  const wrapped = Buffer.concat([c.update(dataKey), c.final()]);
  wrapped.copy(h, 32);
  c.getAuthTag().copy(h, 64);
  return { header: h, parsed: { chunkSize, keyId: master.id, dataKey, noncePrefix } };
}

/** The master key id a header names (checked for the magic), without unwrapping. */
export function headerKeyId(blobKey: string, header: Buffer): Buffer {
  if (header.length < HEADER_SIZE || !header.subarray(0, 8).equals(MAGIC))
    throw new BlobIntegrityError(blobKey, 'not an encrypted blob (no header)');
  return header.subarray(12, 20);
}

/** Unwraps a header with whichever of `keys` it names; throws BlobIntegrityError if it cannot. */
export function openHeader(blobKey: string, header: Buffer, keys: readonly MasterKey[]): BlobHeader {
  const keyId = headerKeyId(blobKey, header);
  const master = keys.find((k) => k.id.equals(keyId));
  if (!master) throw new BlobIntegrityError(blobKey, `encrypted under master key id ${keyId.toString('hex')}, which is not configured`);
  const chunkSize = header.readUInt32BE(8);
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new BlobIntegrityError(blobKey, 'bad chunk size in header');
  const d = createDecipheriv('aes-256-gcm', master.secret, header.subarray(20, 32));
  d.setAAD(wrapAad(header, blobKey));
  d.setAuthTag(header.subarray(64, 80));
  let dataKey: Buffer;
  try {
    dataKey = Buffer.concat([d.update(header.subarray(32, 64)), d.final()]);
  } catch {
    throw new BlobIntegrityError(blobKey, 'header failed authentication');
  }
  return { chunkSize, keyId: Buffer.from(keyId), dataKey, noncePrefix: Buffer.from(header.subarray(80, 88)) };
}

function nonceOf(h: BlobHeader, index: number): Buffer {
  const n = Buffer.alloc(12);
  h.noncePrefix.copy(n, 0);
  n.writeUInt32BE(index, 8);
  return n;
}

function aadOf(index: number, final: boolean): Buffer {
  const a = Buffer.alloc(9);
  a.writeBigUInt64BE(BigInt(index), 0);
  a[8] = final ? 1 : 0;
  return a;
}

export function sealChunk(h: BlobHeader, index: number, final: boolean, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', h.dataKey, nonceOf(h, index));
  c.setAAD(aadOf(index, final));
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

export function openChunk(blobKey: string, h: BlobHeader, index: number, final: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_SIZE) throw new BlobIntegrityError(blobKey, `chunk ${index} is truncated`);
  const d = createDecipheriv('aes-256-gcm', h.dataKey, nonceOf(h, index));
  d.setAAD(aadOf(index, final));
  d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  try {
    const plain = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
    const rest = d.final(); // GCM gives nothing here: its output is all in update's
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch {
    throw new BlobIntegrityError(blobKey, `chunk ${index} failed authentication`);
  }
}

/** Where the chunks of a stored blob lie, from its stored size. */
export interface Layout {
  plainSize: number;
  chunkSize: number;
  /** Index of the last (final) chunk. */
  last: number;
  /** Stored offset of chunk i. */
  offsetOf(i: number): number;
  /** Stored length of chunk i (tag included). */
  lengthOf(i: number): number;
}

export function layoutOf(blobKey: string, storedSize: number, chunkSize: number): Layout {
  const body = storedSize - HEADER_SIZE;
  const full = chunkSize + TAG_SIZE;
  const count = Math.max(1, Math.ceil(body / full));
  const plainSize = body - count * TAG_SIZE;
  // The last chunk holds 1…chunkSize bytes, or 0 when it is the only one.
  const lastPlain = plainSize - (count - 1) * chunkSize;
  if (body < TAG_SIZE || lastPlain < (count === 1 ? 0 : 1) || lastPlain > chunkSize) {
    throw new BlobIntegrityError(blobKey, `stored size ${storedSize} is not that of an encrypted blob`);
  }
  return {
    plainSize,
    chunkSize,
    last: count - 1,
    offsetOf: (i) => HEADER_SIZE + i * full,
    lengthOf: (i) => (i === count - 1 ? lastPlain + TAG_SIZE : full),
  };
}

/** Stored size of a plaintext of `plainSize` bytes. */
export function storedSizeOf(plainSize: number, chunkSize = CHUNK_SIZE): number {
  return HEADER_SIZE + plainSize + Math.max(1, Math.ceil(plainSize / chunkSize)) * TAG_SIZE;
}
