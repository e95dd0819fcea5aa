// Raw ceiling for the FDS bench: a Node hello-world HTTP server. It reads and discards any request
// body and answers a small JSON document, or for GET /size-<n>/… <n> bytes from a prebuilt buffer.
// Prints {"url"} on stdout once listening on a loopback port.
import http from 'node:http';

const bodies = new Map();
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const m = /^\/size-(\d+)\//.exec(req.url ?? '');
    if (req.method === 'GET' && m) {
      const n = Number(m[1]);
      if (!bodies.has(n)) bodies.set(n, Buffer.alloc(n, 120));
      const b = bodies.get(n);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
      res.end(b);
      return;
    }
    const body =
      '{"bucketName":"b","objectName":"o","accessKeyId":"AK","signature":"s","expires":1,"partNumber":1,"etag":"e","partSize":1,"uploadId":"u"}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${a.port}`, pid: process.pid })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
