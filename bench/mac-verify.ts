// CPU per MAC verification (core/account/mac-canonical.ts verifyMac) of a request shaped like the
// peers kit's `/user/profile` MAC set: two parameters, signed with the host without its port, the
// request's host list as the server builds it. Each iteration signs a new nonce and verifies it,
// so the figure is a sign plus a verify; compare builds (worktrees) with the same command, pinned.
//
//   taskset -c 0 node --import tsx bench/mac-verify.ts [iterations=200000] [rounds=4]
import { canonicalString, javaQuery, macOf, verifyMac } from '../src/core/account/mac-canonical.ts';

const n = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 4);
const token = 'V3_abcdEFGHijklMNOPqrstUVWXyz0123456789-_abcdEFGHij';
const params = [
  ['clientId', '2882303761517520369'],
  ['token', token],
] as const;
const query = javaQuery(params);
const key = 'abcdefghijABCDEFGHIJ0123456789';
const request = { method: 'GET', path: '/user/profile', params, rawQueryString: query, hosts: ['127.0.0.1', '127.0.0.1:18596'] };

for (let round = 0; round < rounds; round++) {
  const t0 = process.hrtime.bigint();
  let verified = 0;
  for (let i = 0; i < n; i++) {
    const nonce = `${1_000_000 + i}:29000000`;
    const mac = macOf(key, canonicalString(nonce, 'GET', '127.0.0.1', '/user/profile', query));
    if (verifyMac(key, nonce, mac, request)) verified++;
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  if (verified !== n) throw new Error(`${n - verified} of ${n} did not verify`);
  console.log(`round ${round + 1}: ${us.toFixed(3)} µs per sign + verify`);
}
