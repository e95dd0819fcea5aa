// Image processing parameters (fds-protocol §5.13, §9): `GET ?thumb=1&w=&h=` (fit inside w×h,
// keep the aspect ratio, never upscale), `?f=webp[&q=]` (quality: `q`, else the bucket's
// `webpQuality` when 1–100, else 80), `?gf=<mimeType>` (the first frame of a GIF as that type;
// without a type the bucket's `gifType`, else image/jpeg), `PUT ?cropImage&x=&y=&w=&h=`.
// Parsed strictly; each operation has one canonical cache key (`params` of fds_derived).
import { FdsError } from './errors.ts';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export const FORMAT_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

export type ImageOp =
  | { kind: 'thumb'; w: number | undefined; h: number | undefined }
  | { kind: 'webp'; q: number }
  | { kind: 'gif'; format: ImageFormat };

export interface Crop {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Largest thumbnail side asked for (a thumbnail is never larger than its source anyway). */
export const MAX_SIDE = 8192;
const DEFAULT_WEBP_QUALITY = 80;

function bad(what: string): never {
  throw new FdsError('InvalidRequest', what);
}

function int(params: ReadonlyMap<string, string>, key: string, min: number, max: number): number | undefined {
  const v = params.get(key);
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) bad(`${key} must be an integer from ${min} to ${max}`);
  return Number(v);
}

/** The format named by a MIME type (`image/jpeg`, `image/jpg`, `image/png`, `image/webp`, `image/gif`), or undefined. */
export function formatOfMime(mime: string): ImageFormat | undefined {
  const m = mime.trim().toLowerCase();
  if (m === 'image/jpg') return 'jpeg';
  return (Object.keys(FORMAT_TYPES) as ImageFormat[]).find((f) => FORMAT_TYPES[f] === m);
}

/** Bucket configurations that image operations read (`PUT /{b}?webpQuality=`, `?gifType=`). */
export interface ImageDefaults {
  webpQuality?: string | undefined;
  gifType?: string | undefined;
}

export function parseImageOp(kind: ImageOp['kind'], params: ReadonlyMap<string, string>, defaults: ImageDefaults): ImageOp {
  if (kind === 'thumb') {
    const w = int(params, 'w', 1, MAX_SIDE);
    const h = int(params, 'h', 1, MAX_SIDE);
    if (w === undefined && h === undefined) bad('thumb needs w or h');
    return { kind, w, h };
  }
  if (kind === 'webp') {
    const q = int(params, 'q', 1, 100);
    const bucket = defaults.webpQuality !== undefined && /^\d{1,3}$/.test(defaults.webpQuality) ? Number(defaults.webpQuality) : undefined;
    return { kind, q: q ?? (bucket !== undefined && bucket >= 1 && bucket <= 100 ? bucket : DEFAULT_WEBP_QUALITY) };
  }
  const asked = params.get('gf') ?? '';
  if (asked !== '' && asked !== 'true') {
    const format = formatOfMime(asked);
    if (!format) bad('gf must be image/jpeg, image/png, image/webp or image/gif');
    return { kind, format };
  }
  return { kind, format: formatOfMime(defaults.gifType ?? '') ?? 'jpeg' };
}

/** The canonical cache key of an operation. */
export function imageOpKey(op: ImageOp): string {
  switch (op.kind) {
    case 'thumb':
      return `thumb:w=${op.w ?? ''},h=${op.h ?? ''}`;
    case 'webp':
      return `webp:q=${op.q}`;
    case 'gif':
      return `gif:${op.format}`;
  }
}

export function parseCrop(params: ReadonlyMap<string, string>): Crop {
  const x = int(params, 'x', 0, 1_000_000) ?? 0;
  const y = int(params, 'y', 0, 1_000_000) ?? 0;
  const w = int(params, 'w', 1, 1_000_000);
  const h = int(params, 'h', 1, 1_000_000);
  if (w === undefined || h === undefined) bad('cropImage needs w and h');
  return { x, y, w, h };
}
