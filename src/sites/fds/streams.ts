// Body streams: bounded JSON bodies checked against their schemas, and concatenation of blobs
// (multipart complete, copy) without buffering. (The Java MD5 trailer: java-md5-trailer.ts.)
import { PassThrough, type Readable } from 'node:stream';
import type { Static, TSchema } from '@sinclair/typebox/type';
import { FdsError } from '../../core/fds/errors.ts';
import { type BodyShape, checked } from '../../core/fds/json-input.ts';

/** Reads a whole (small) body; larger than `limit` is an Invalid Request. */
export async function readSmallBody(body: Readable, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new FdsError('InvalidRequest', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; empty → undefined. */
export async function readJson(body: Readable, limit?: number): Promise<unknown> {
  const text = (await readSmallBody(body, limit)).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new FdsError('InvalidRequest', 'body is not valid JSON');
  }
}

/** A JSON body checked against its shape (core/fds/json-input.ts); empty → undefined. */
export async function readJsonBody<S extends TSchema>(body: Readable, shape: BodyShape<S>): Promise<Static<S> | undefined> {
  const value = await readJson(body);
  return value === undefined ? undefined : checked(shape, value);
}

/** One stream that plays the given streams one after the other (opened lazily). */
export function concatStreams(open: Array<() => Promise<Readable>>): Readable {
  const out = new PassThrough();
  (async () => {
    for (const o of open) {
      const s = await o();
      for await (const chunk of s) {
        if (out.destroyed) {
          s.destroy();
          return;
        }
        if (!out.write(chunk)) {
          await new Promise<void>((r) => {
            const done = () => {
              out.off('drain', done);
              out.off('close', done);
              r();
            };
            out.on('drain', done);
            out.on('close', done);
          });
        }
      }
    }
    out.end();
  })().catch((e: unknown) => out.destroy(e as Error));
  return out;
}
