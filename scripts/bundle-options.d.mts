import type { BuildOptions } from 'esbuild';
export declare const INLINED_PACKAGES: string[];
export declare const BUNDLE_OPTIONS: BuildOptions;
