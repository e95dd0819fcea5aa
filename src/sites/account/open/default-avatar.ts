// Opal's default avatar: a neutral head-and-shoulders silhouette, rendered once per size into a
// real PNG (RGB, 8 bit) with node:zlib, and kept in memory. Served by the open-API routes at
// /avatar/default{,_75,_90,_120,_320,_orig}.png.
import { crc32, deflateSync } from 'node:zlib';
import type { AvatarVariant } from '../../../core/open/profile.ts';

export const VARIANT_SIZES: Record<AvatarVariant, number> = { '': 320, _75: 75, _90: 90, _120: 120, _320: 320, _orig: 640 };

const BG = [0xe3, 0xe8, 0xef];
const FG = [0xa7, 0xb1, 0xc2];

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** Coverage of a pixel by the silhouette, 0..1 (anti-aliased edge one pixel wide). */
function coverage(x: number, y: number, size: number): number {
  const disc = (cx: number, cy: number, r: number) => {
    const d = Math.hypot(x - cx * size, y - cy * size);
    return Math.min(1, Math.max(0, r * size - d + 0.5));
  };
  return Math.max(disc(0.5, 0.38, 0.19), disc(0.5, 1.08, 0.42));
}

export function renderAvatarPng(size: number): Buffer {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const a = coverage(x + 0.5, y + 0.5, size);
      for (let c = 0; c < 3; c++) raw[row + 1 + x * 3 + c] = Math.round((BG[c] ?? 0) * (1 - a) + (FG[c] ?? 0) * a);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const cache = new Map<number, Buffer>();

export function defaultAvatarPng(variant: AvatarVariant): Buffer {
  const size = VARIANT_SIZES[variant];
  let png = cache.get(size);
  if (!png) {
    png = renderAvatarPng(size);
    cache.set(size, png);
  }
  return png;
}
