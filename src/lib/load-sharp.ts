// sharp (libvips) is loaded only when an image is first processed: its native library costs tens of
// MiB of resident memory, which a server that never touches an image should not carry. libvips runs
// one thread per image (`concurrency(1)`) and keeps no operation cache (`cache(false)`).
import type { SharpConstructor } from 'sharp';

let loading: Promise<SharpConstructor> | undefined;

export function loadSharp(): Promise<SharpConstructor> {
  loading ??= import('sharp').then((m) => {
    const sharp = m.default as SharpConstructor;
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return loading;
}
