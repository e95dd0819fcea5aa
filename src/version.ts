// Opal's version, as package.json names it (bundled into dist/ by esbuild).
import pkg from '../package.json' with { type: 'json' };

export const OPAL_VERSION: string = pkg.version;
