// Encryption at rest around any BlobStore (filesystem or S3): puts store blob-cipher.ts's format,
// gets decrypt only the chunks a range needs. Sizes and MD5s reported are those of the plaintext,
// so what FDS clients see (Content-Length, ETag, Content-MD5) does not change. The inner store
// keeps its own durability (the filesystem store's write, fsync, rename).
import { PassThrough, pipeline as pipelineCb, Readable } from 'node:stream';
import {
  type BlobHeader,
  BlobIntegrityError,
  CHUNK_SIZE,
  HEADER_SIZE,
  headerKeyId,
  type Layout,
  layoutOf,
  type MasterKey,
  openChunk,
  openHeader,
  sealHeader,
  storedSizeOf,
  TAG_SIZE,
} from './blob-cipher.ts';
import {
  assertBlobKey,
  BlobNotFoundError,
  type BlobStore,
  type ByteRange,
  type PutOptions,
  type PutResult,
  readBytes,
} from './blob-store.ts';
import { OpenStream, SealStream } from './cipher-streams.ts';
import { CountingHash } from './counting-hash.ts';

export interface Keyring {
  /** Seals new blobs (and rekeyed headers). */
  current: MasterKey;
  /** Also accepted for reading: keys being rotated away from. */
  previous: MasterKey[];
}

export class EncryptedBlobStore implements BlobStore {
  private readonly keys: MasterKey[];

  constructor(
    private readonly inner: BlobStore,
    private readonly ring: Keyring,
  ) {
    this.keys = [ring.current, ...ring.previous];
  }

  async put(key: string, body: Readable, options?: PutOptions): Promise<PutResult> {
    assertBlobKey(key);
    const { header, parsed } = sealHeader(key, this.ring.current);
    const counter = new CountingHash();
    const seal = new SealStream(header, parsed);
    // pipeline destroys every stream on a failure, so the inner put sees the error and keeps nothing.
    pipelineCb(body, counter, seal, () => undefined);
    await this.inner.put(key, seal, {
      ...(options?.size !== undefined ? { size: storedSizeOf(options.size) } : {}),
      ...(options?.replace ? { replace: true } : {}),
    });
    return counter.result();
  }

  /** The blob's unwrapped header and layout (one header read, one size look-up). */
  private async open(key: string, known?: { stored: number; header: Buffer }): Promise<{ h: BlobHeader; layout: Layout; header: Buffer }> {
    const stored = known?.stored ?? (await this.inner.size(key));
    if (stored === undefined) throw new BlobNotFoundError(key);
    if (stored < HEADER_SIZE) throw new BlobIntegrityError(key, 'shorter than its header');
    const header = known?.header ?? (await readBytes(this.inner, key, 0, HEADER_SIZE));
    const h = openHeader(key, header, this.keys);
    return { h, layout: layoutOf(key, stored, h.chunkSize), header };
  }

  /** Chunks covering plaintext [start, end] and where the wanted bytes begin in the first. */
  private static span(layout: Layout, start: number, end: number) {
    const first = Math.floor(start / layout.chunkSize);
    // An empty range (an empty blob) still reads, and so authenticates, its one chunk.
    const last = Math.max(first, Math.floor(end / layout.chunkSize));
    return { first, last, skip: start - first * layout.chunkSize, take: Math.max(0, end - start + 1) };
  }

  private static clamp(layout: Layout, range?: ByteRange): { start: number; end: number } {
    if (!range) return { start: 0, end: layout.plainSize - 1 };
    if (range.start < 0 || range.start > range.end) throw new RangeError(`bad range ${range.start}-${range.end}`);
    return { start: range.start, end: Math.min(range.end, layout.plainSize - 1) };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const { h, layout } = await this.open(key);
    const { start, end } = EncryptedBlobStore.clamp(layout, range);
    const s = EncryptedBlobStore.span(layout, start, end);
    const from = layout.offsetOf(s.first);
    const to = layout.offsetOf(s.last) + layout.lengthOf(s.last) - 1;
    // One sealed chunk a read: each arrives whole, and is opened without being copied first.
    const stored = await this.inner.get(key, { start: from, end: to }, { readSize: layout.chunkSize + TAG_SIZE });
    const out = new OpenStream(key, h, layout, s.first, s.last, s.skip, s.take);
    pipelineCb(stored, out, () => undefined);
    // The first chunk is authenticated before the caller gets the stream, so damage there is an
    // error answer (500) rather than a response cut short after its headers.
    await new Promise<void>((resolve, reject) => {
      const ok = () => {
        out.off('error', failed);
        resolve();
      };
      const failed = (e: Error) => {
        out.off('readable', ok);
        reject(e);
      };
      out.once('readable', ok);
      out.once('error', failed);
    });
    return out;
  }

  /**
   * Small reads (BlobStore.read): a size look-up and, when the bytes wanted lie in the first chunks
   * (always, for an object of one chunk), one read of the header and those chunks together.
   */
  async read(key: string, start: number, length: number): Promise<Buffer> {
    const stored = await this.inner.size(key);
    if (stored === undefined) throw new BlobNotFoundError(key);
    let guess: Layout | undefined;
    try {
      guess = layoutOf(key, stored, CHUNK_SIZE);
    } catch {
      guess = undefined;
    }
    if (guess && start + length <= guess.plainSize && Math.floor(start / CHUNK_SIZE) === 0) {
      const s = EncryptedBlobStore.span(guess, start, start + length - 1);
      const bytes = await readBytes(this.inner, key, 0, guess.offsetOf(s.last) + guess.lengthOf(s.last));
      const opened = await this.open(key, { stored, header: bytes.subarray(0, HEADER_SIZE) });
      if (opened.h.chunkSize === CHUNK_SIZE) return this.openSpan(key, opened.h, guess, s, bytes.subarray(HEADER_SIZE), length);
    }
    const { h, layout } = await this.open(
      key,
      stored < HEADER_SIZE ? undefined : { stored, header: await readBytes(this.inner, key, 0, HEADER_SIZE) },
    );
    if (start + length > layout.plainSize) throw new RangeError(`blob ${key} is shorter than ${start + length} bytes`);
    const s = EncryptedBlobStore.span(layout, start, start + length - 1);
    const from = layout.offsetOf(s.first);
    const bytes = await readBytes(this.inner, key, from, layout.offsetOf(s.last) + layout.lengthOf(s.last) - from);
    return this.openSpan(key, h, layout, s, bytes, length);
  }

  /** Authenticates and decrypts chunks `s.first`…`s.last` held in `bytes`, and cuts out the wanted bytes. */
  private openSpan(
    key: string,
    h: BlobHeader,
    layout: Layout,
    s: ReturnType<typeof EncryptedBlobStore.span>,
    bytes: Buffer,
    length: number,
  ): Buffer {
    const out: Buffer[] = [];
    let at = 0;
    for (let i = s.first; i <= s.last; i++) {
      const n = layout.lengthOf(i);
      out.push(openChunk(key, h, i, i === layout.last, bytes.subarray(at, at + n)));
      at += n;
    }
    return Buffer.concat(out).subarray(s.skip, s.skip + length);
  }

  async size(key: string): Promise<number | undefined> {
    const stored = await this.inner.size(key);
    if (stored === undefined) return undefined;
    const header = await readBytes(this.inner, key, 0, Math.min(stored, HEADER_SIZE));
    headerKeyId(key, header);
    return layoutOf(key, stored, header.readUInt32BE(8)).plainSize;
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  check(): Promise<void> {
    return this.inner.check();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  keysOf(): AsyncIterable<string> {
    if (!this.inner.list) throw new Error('this blob store cannot list its blobs');
    return this.inner.list();
  }

  /**
   * Encrypts a blob written before encryption was on (no header), in place through the inner
   * store's put; returns false when it is already encrypted or gone. For `opal fds rekey
   * --encrypt-plaintext`, with no server writing plaintext meanwhile. A blob counts as encrypted
   * only when its whole header opens under one of the configured keys: plaintext that merely
   * begins with the magic bytes is encrypted like any other (so every key the store's blobs were
   * sealed under must be configured, or their blobs would be sealed a second time).
   */
  async encryptPlaintext(key: string): Promise<boolean> {
    const stored = await this.inner.size(key);
    if (stored === undefined) return false;
    if (stored >= HEADER_SIZE && this.opens(key, await readBytes(this.inner, key, 0, HEADER_SIZE))) return false;
    const plain = stored === 0 ? Readable.from([]) : await this.inner.get(key);
    await this.put(key, plain, { replace: true });
    return true;
  }

  /** True when `header` is an encrypted blob's header whose data key unwraps under a configured key. */
  private opens(key: string, header: Buffer): boolean {
    try {
      openHeader(key, header, this.keys);
      return true;
    } catch (e) {
      if (e instanceof BlobIntegrityError) return false;
      throw e;
    }
  }

  /**
   * Rewraps one blob's data key under the current master key (the chunks are copied unchanged,
   * through the inner store's put, so the replacement is as durable and atomic as any put).
   * Returns false when the blob is already under the current key or gone.
   */
  async rekey(key: string): Promise<boolean> {
    let opened: Awaited<ReturnType<EncryptedBlobStore['open']>>;
    try {
      opened = await this.open(key);
    } catch (e) {
      if (e instanceof BlobNotFoundError) return false;
      throw e;
    }
    if (opened.h.keyId.equals(this.ring.current.id)) return false;
    const { header } = sealHeader(key, this.ring.current, opened.h);
    const rest = await this.inner.get(key, {
      start: HEADER_SIZE,
      end: opened.layout.offsetOf(opened.layout.last) + opened.layout.lengthOf(opened.layout.last) - 1,
    });
    const swapped = new SealPrefix(header);
    pipelineCb(rest, swapped, () => undefined);
    await this.inner.put(key, swapped, { replace: true });
    return true;
  }
}

/** The stored body behind a new header. */
class SealPrefix extends PassThrough {
  constructor(header: Buffer) {
    super();
    this.push(header);
  }
}
