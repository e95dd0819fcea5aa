// Image rendering with sharp (libvips), loaded only when an image operation is first asked for.
// Lean by design: libvips runs one thread per image (`sharp.concurrency(1)`) with its operation
// cache off, at most MAX_RENDERS images are read and processed at once per process (MAX_WAITING more
// queue; beyond that 429 TooManyRequests; the gate, lib/gate.ts, is shared with avatar uploads), sources larger than maxSourceBytes are refused before
// they are read, and `limitInputPixels` refuses decompression bombs from the image header, before
// any pixel is decoded. Only JPEG, PNG, WebP and GIF sources are processed; anything else, or
// bytes that are no image, is 400 InvalidRequest.

import type { Sharp } from 'sharp';
import { FdsError } from '../../core/fds/errors.ts';
import { type Crop, FORMAT_TYPES, type ImageFormat, type ImageOp } from '../../core/fds/image-params.ts';
import { Gate } from '../../lib/gate.ts';
import { loadSharp } from '../../lib/load-sharp.ts';

export const MAX_RENDERS = 2;
export const MAX_WAITING = 32;

export interface Rendered {
  data: Buffer;
  contentType: string;
  width: number;
  height: number;
}

export interface ImageLimits {
  /** Largest width × height accepted (sharp limitInputPixels). */
  maxPixels: number;
  /** Largest source object, bytes. */
  maxSourceBytes: number;
}

const SOURCE_FORMATS = new Set<string>(['jpeg', 'png', 'webp', 'gif']);

/** The gate of every sharp job in the process: MAX_RENDERS at once, MAX_WAITING in line. */
export function imageGate(): Gate {
  return new Gate(MAX_RENDERS, MAX_WAITING);
}

export class FdsImageRenderer {
  constructor(
    readonly limits: ImageLimits,
    private readonly gate: Gate = imageGate(),
  ) {}

  /** Refuses a source by its size before any byte is read. */
  checkSourceSize(size: number): void {
    if (size > this.limits.maxSourceBytes)
      throw new FdsError('InvalidRequest', `images larger than ${this.limits.maxSourceBytes} bytes are not processed`);
  }

  /** Renders `op`; `load` reads the source only once a slot is free (at most MAX_RENDERS sources in memory). */
  render(load: () => Promise<Buffer>, op: ImageOp): Promise<Rendered> {
    return this.slot(async () => {
      const { img, format } = await this.open(await load());
      if (op.kind === 'thumb') {
        const resized = img.rotate().resize({ width: op.w, height: op.h, fit: 'inside', withoutEnlargement: true });
        return this.encode(resized, format);
      }
      if (op.kind === 'webp') return this.encode(img.rotate(), 'webp', op.q);
      if (format !== 'gif') throw new FdsError('InvalidRequest', 'gf extracts a frame of a GIF; the object is no GIF');
      return this.encode(img, op.format);
    });
  }

  crop(load: () => Promise<Buffer>, c: Crop): Promise<Rendered> {
    return this.slot(async () => {
      const { img, format, width, height } = await this.open(await load());
      if (c.x + c.w > width || c.y + c.h > height) {
        throw new FdsError('InvalidRequest', `the crop ${c.w}x${c.h}+${c.x}+${c.y} is outside the ${width}x${height} image`);
      }
      return this.encode(img.extract({ left: c.x, top: c.y, width: c.w, height: c.h }), format);
    });
  }

  private async open(source: Buffer): Promise<{ img: Sharp; format: ImageFormat; width: number; height: number }> {
    const sharp = await loadSharp();
    const img = sharp(source, { limitInputPixels: this.limits.maxPixels, failOn: 'error' });
    let meta: Awaited<ReturnType<Sharp['metadata']>>;
    try {
      meta = await img.metadata();
    } catch (e) {
      if (/pixel limit/i.test((e as Error).message)) this.tooManyPixels();
      throw new FdsError('InvalidRequest', 'the object is not an image Opal can process (JPEG, PNG, WebP, GIF)');
    }
    const format: string | undefined = meta.format;
    if (!format || !SOURCE_FORMATS.has(format) || !meta.width || !meta.height) {
      throw new FdsError('InvalidRequest', 'the object is not an image Opal can process (JPEG, PNG, WebP, GIF)');
    }
    if (meta.width * meta.height > this.limits.maxPixels) this.tooManyPixels();
    return { img, format: format as ImageFormat, width: meta.width, height: meta.height };
  }

  private tooManyPixels(): never {
    throw new FdsError('InvalidRequest', `images over ${this.limits.maxPixels} pixels are not processed`);
  }

  private async encode(img: Sharp, format: ImageFormat, quality?: number): Promise<Rendered> {
    const out = format === 'webp' ? img.webp(quality === undefined ? {} : { quality }) : img.toFormat(format);
    try {
      const { data, info } = await out.toBuffer({ resolveWithObject: true });
      return { data, contentType: FORMAT_TYPES[format], width: info.width, height: info.height };
    } catch {
      throw new FdsError('InvalidRequest', 'the image could not be decoded');
    }
  }

  /** Runs `f` when the image gate has a place; 429 when its line is full. */
  private slot<T>(f: () => Promise<T>): Promise<T> {
    return this.gate.run(f, () => new FdsError('TooManyRequests', 'too many images are being processed'));
  }
}
