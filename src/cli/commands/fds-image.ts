// `opal fds thumb|webp`: the FDS image operations (fds-protocol §5.13, docs/fds.md) through the
// signing client: `GET /{b}/{o}?thumb=1&w=&h=` and `?f=webp[&q=]`, the result written to a file
// (under a temporary name, renamed into place once complete) or to stdout.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import type { FdsHttp } from '../fds-client/http.ts';
import { formatSize } from '../fds-client/sizes.ts';
import { run, withConn } from './fds.ts';

interface ImageResult {
  bucket: string;
  object: string;
  file: string;
  contentType: string | undefined;
  size: number;
  /** The server's derived-image cache answered (`x-opal-derived: hit`). */
  cached: boolean;
}

function intOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new InvalidInputError(`--${name}: expected an integer from ${min} to ${max}, got "${v}"`);
  return Number(v);
}

async function fetchImage(c: FdsHttp, bucket: string, object: string, query: string, file: string): Promise<ImageResult> {
  const res = await c.send({ method: 'GET', bucket, object, query });
  const toStdout = file === '-';
  const tmp = toStdout ? '' : join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.part`);
  let size = 0;
  res.body.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  try {
    if (toStdout) await pipeline(res.body, process.stdout, { end: false });
    else {
      await pipeline(res.body, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, file);
    }
  } catch (e) {
    if (tmp) await rm(tmp, { force: true });
    throw e;
  }
  const type = res.headers['content-type'];
  return { bucket, object, file, contentType: type, size, cached: res.headers['x-opal-derived'] === 'hit' };
}

const human = (r: ImageResult) => (r.file === '-' ? undefined : `wrote ${r.file}: ${r.contentType ?? 'image'}, ${formatSize(r.size)}`);

export function registerFdsImage(program: Command): void {
  const fds = program.commands.find((c) => c.name() === 'fds') ?? program.command('fds');

  withConn(
    fds
      .command('thumb')
      .description('download a thumbnail of an image object: fitted inside WxH, aspect ratio kept, never enlarged (?thumb=1&w=&h=)')
      .argument('<bucket>')
      .argument('<object>')
      .argument('<file>', 'destination file; "-": stdout (the --json summary then goes to stderr)')
      .option('--width <px>', 'largest width (1-8192)')
      .option('--height <px>', 'largest height (1-8192)'),
  ).action(async (bucket: string, object: string, file: string, o: { width?: string; height?: string }, cmd: Command) => {
    await run(
      cmd,
      async (c) => {
        const w = intOption('width', o.width, 1, 8192);
        const h = intOption('height', o.height, 1, 8192);
        if (w === undefined && h === undefined) throw new InvalidInputError('thumb needs --width or --height (or both)');
        return fetchImage(c, bucket, object, `thumb=1${w ? `&w=${w}` : ''}${h ? `&h=${h}` : ''}`, file);
      },
      human,
      file === '-',
    );
  });

  withConn(
    fds
      .command('webp')
      .description("download an image object converted to WebP (?f=webp[&q=]); quality defaults to the bucket's webpQuality, else 80")
      .argument('<bucket>')
      .argument('<object>')
      .argument('<file>', 'destination file; "-": stdout (the --json summary then goes to stderr)')
      .option('--quality <q>', 'WebP quality (1-100)'),
  ).action(async (bucket: string, object: string, file: string, o: { quality?: string }, cmd: Command) => {
    await run(
      cmd,
      async (c) => {
        const q = intOption('quality', o.quality, 1, 100);
        return fetchImage(c, bucket, object, `f=webp${q ? `&q=${q}` : ''}`, file);
      },
      human,
      file === '-',
    );
  });
}
