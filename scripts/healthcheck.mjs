// The container's HEALTHCHECK (Dockerfile): GET /healthz on each origin this process serves
// (OPAL_SITES, default both) on loopback; exit 0 when every one answers 200, 1 otherwise.
// Usage: node scripts/healthcheck.mjs   (reads OPAL_SITES, OPAL_PORT, OPAL_FDS_PORT)
const env = process.env;
const sites = (env.OPAL_SITES || 'account,fds').split(',').map((s) => s.trim());
const ports = { account: env.OPAL_PORT || '8080', fds: env.OPAL_FDS_PORT || '8081' };
try {
  for (const site of sites) {
    const r = await fetch(`http://127.0.0.1:${ports[site]}/healthz`, { signal: AbortSignal.timeout(4000) });
    if (r.status !== 200) throw new Error(`${site}: /healthz answered ${r.status}`);
  }
  process.exit(0);
} catch (e) {
  console.error(`unhealthy: ${e.message}`);
  process.exit(1);
}
