// SPDX-License-Identifier: BSD-3-Clause
// server.js - the example's web server: the static files of app/ and a tiny
// JSON API, with nothing but Node's own modules.
//
//   node server.js PORT
//
// It listens on 127.0.0.1 only. Every shard of the suite starts its own
// server on a port of its own (see playwright.config.ts), so shards that
// run side by side on one host never share, or fight over, a server.
'use strict';

const http = require('node:http');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');

const port = Number(process.argv[2] || process.env.PORT || 4100);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`server.js: not a port number: ${process.argv[2] || process.env.PORT}`);
  process.exit(2);
}

const root = path.join(__dirname, 'app');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

const catalog = [
  { id: 1, name: 'Rack server', category: 'compute', price: 2400, cores: 24 },
  { id: 2, name: 'Workstation', category: 'compute', price: 1800, cores: 16 },
  { id: 3, name: 'Mini PC', category: 'compute', price: 450, cores: 4 },
  { id: 4, name: 'Raspberry Pi', category: 'compute', price: 80, cores: 4 },
  { id: 5, name: 'NVMe disk', category: 'storage', price: 120, cores: 0 },
  { id: 6, name: 'Network switch', category: 'network', price: 300, cores: 0 },
];

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function json(res, status, value) {
  send(res, status, 'application/json', JSON.stringify(value));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/health') return json(res, 200, { ok: true, port });
  if (url.pathname === '/api/status') return json(res, 200, { status: 'operational', shards: 4 });
  if (url.pathname === '/api/catalog') return json(res, 200, catalog);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');

  // A path is looked up below app/ only: decoded, normalized, and refused
  // if it would leave the directory.
  let rel;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'text/plain', 'bad path\n');
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.normalize(path.join(root, rel));
  if (!file.startsWith(root + path.sep)) return send(res, 403, 'text/plain', 'forbidden\n');
  fs.readFile(file, (err, data) => {
    if (err) return send(res, 404, 'text/html; charset=utf-8', '<!doctype html><title>Not found</title><h1>Not found</h1>\n');
    send(res, 200, types[path.extname(file)] || 'application/octet-stream', data);
  });
});

server.on('error', (err) => {
  console.error(`server.js: cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`server.js: serving ${root} on http://127.0.0.1:${port}/ (host ${os.hostname()})`);
});

// Playwright stops the server with SIGTERM (or SIGINT) at the end of the run;
// there is nothing to save, and open keep-alive connections must not keep it.
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
