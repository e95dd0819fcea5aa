// V8 heap settings of every Opal server process, set before anything else is loaded: bin/opal.js
// imports this module first and the server after it (dynamic import); the tests' child server is
// started with `--import` of this file (test/helpers/child-server.ts).
// glibc's allocator settings first (bin/malloc-tuning.js).
import './malloc-tuning.js';
import { setFlagsFromString } from 'node:v8';

// Keep V8's young generation at its initial size (two 1 MiB semi-spaces) instead of letting it
// grow to 2 × 16 MiB: module loading and start-up would grow it at once, and it then stays that
// size for good (about 25 MiB of the idle RSS). Set before anything is loaded (V8 honours it set
// at run time, not on node's command line); once the server is up, `opal serve` lets it grow under
// load to 2 × 4 MiB (src/lib/young-generation.ts; bench/README.md, issue 10).
setFlagsFromString('--semi-space-growth-factor=1');
// Let the old generation grow to 1.5 × what survived the last full GC before the next one, instead
// of V8's dynamic factor (up to 4 ×): with the small young generation much short-lived garbage is
// promoted under load, and the old space grew to ~4 × its live size (code exchange and refresh at
// 50 connections: 183 → 145 MiB peak; CPU per request within noise; bench/README.md, issue 10).
setFlagsFromString('--heap-growing-percent=50');
