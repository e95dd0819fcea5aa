// The Java SDK's MD5 mode, in its one place (src/sites/fds/java-md5-trailer.ts; fds-protocol §5.1):
// a body of content || MD5(content) loses its 16-byte trailer wherever the chunks split it, and a
// missing or wrong trailer fails as Checksum Does Not Match. Over the wire: test/fds/objects.test.ts
// and test/fds/multipart.test.ts (chunked Java uploads).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { uploadBody } from '../../../src/sites/fds/java-md5-trailer.ts';

const md5 = (b: Buffer) => createHash('md5').update(b).digest();

/** An upload whose body arrives in the given chunk sizes (the last chunk takes the rest). */
function upload(body: Buffer, sizes: number[], trailerHeader: string | null = '1') {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    chunks.push(body.subarray(at, at + n));
    at += n;
  }
  if (at < body.length) chunks.push(body.subarray(at));
  return {
    body: Readable.from(chunks),
    header: (name: string) => (name === 'x-xiaomi-meta-md5-attached-stream' ? (trailerHeader ?? undefined) : undefined),
  };
}

describe('Java MD5 trailer (x-xiaomi-meta-md5-attached-stream: 1)', () => {
  const content = Buffer.from('the quick brown fox jumps over the lazy dog');
  const sent = Buffer.concat([content, md5(content)]);

  it('strips and checks the trailer however the chunks split it', async () => {
    for (const sizes of [[], [1, 1, 1, 1, 1], [content.length], [content.length + 3], [content.length + 15], [10, 40, 2, 3]]) {
      assert.equal(await text(uploadBody(upload(sent, sizes))), content.toString(), JSON.stringify(sizes));
    }
    const oneByteChunks = Array.from({ length: sent.length }, () => 1);
    assert.equal(await text(uploadBody(upload(sent, oneByteChunks))), content.toString());
  });

  it('an empty object is the MD5 of nothing alone', async () => {
    assert.equal(await text(uploadBody(upload(md5(Buffer.alloc(0)), [7]))), '');
  });

  it('refuses a wrong or truncated trailer as Checksum Does Not Match', async () => {
    const wrong = Buffer.concat([content, md5(Buffer.from('something else'))]);
    const short = sent.subarray(0, 10);
    for (const body of [wrong, short, content]) {
      await assert.rejects(text(uploadBody(upload(body, [5]))), (e: unknown) => e instanceof FdsError && e.code === 'ChecksumDoesNotMatch');
    }
  });

  it('leaves bodies without the header (or with another value) untouched', async () => {
    for (const header of [null, '0', 'true']) {
      assert.deepEqual(await buffer(uploadBody(upload(sent, [3], header))), sent, String(header));
    }
    assert.equal(await text(uploadBody(upload(sent, [], ' 1 '))), content.toString());
  });
});
