// Load generator for bench/storage-tokens.ts, run as its own process. Reads a JSON file of
// requests ({url, headers?}), sends each exactly once (GET, keep-alive) over `connections`
// parallel loops, and writes {requests, errors, seconds, rps, p50, p99} as JSON to stdout.
import { readFileSync } from 'node:fs';
import { loadItems } from './lib/item-load.mjs';

const { file, connections } = JSON.parse(process.argv[2]);
const items = JSON.parse(readFileSync(file, 'utf8'));
const result = await loadItems(items, connections, (_item, status) => status === 200);
process.stdout.write(JSON.stringify(result));
