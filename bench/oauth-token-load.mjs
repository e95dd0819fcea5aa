// Load generator for bench/oauth-token.ts, run as its own process. Reads a JSON file of requests
// ({url, clientId, clientSecret}), sends each exactly once (GET, keep-alive) over `connections`
// parallel loops, and writes {requests, errors, seconds, rps, p50, p99} as JSON to stdout; with
// `out`, also the refresh tokens it received (one per line: clientId secret refreshToken).
import { readFileSync, writeFileSync } from 'node:fs';
import { loadItems } from './lib/item-load.mjs';

const { file, connections, out } = JSON.parse(process.argv[2]);
const items = JSON.parse(readFileSync(file, 'utf8'));
const refresh = [];
const result = await loadItems(items, connections, (item, status, body) => {
  if (status !== 200 || !body.startsWith('&&&START&&&{"access_token"')) return false;
  if (out) refresh.push(`${item.clientId} ${item.clientSecret} ${JSON.parse(body.slice(11)).refresh_token}`);
  return true;
});
if (out) writeFileSync(out, refresh.join('\n'));
process.stdout.write(JSON.stringify(result));
