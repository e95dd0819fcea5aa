// sharp (libvips) is loaded only when an image is first processed: its native library costs tens of
// MiB of resident memory, which a server that never touches an image should not carry. libvips runs
// one thread per image (`concurrency(1)`) and keeps no operation cache (`cache(false)`).
import type { SharpConstructor } from 'sharp';
import { Lazy } from './lazy.ts';

const sharp = new Lazy(() =>
  import('sharp').then((m) => {
    const s = m.default as SharpConstructor;
    s.concurrency(1);
    s.cache(false);
    return s;
  }),
);

export const loadSharp = (): Promise<SharpConstructor> => sharp.get();
