// Static files of the pages (scripts that enhance them), kept beside the templates so that the
// bundle (scripts/build.mjs copies templates/) finds them too.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'templates');

export function readAsset(name: string): string {
  return readFileSync(join(DIR, name), 'utf8');
}
