#!/usr/bin/env node
// A small static server for the example pages, in plain Node (no dependency):
//
//   node examples/serve.mjs [--port 8080] [--host 127.0.0.1]
//
// serves examples/ at / (so /earnings-calculator/ is the earnings calculator and /crm-deal-preview/
// the CRM deal page with the <commission-preview> component) and the built npm
// package js/dist at /payplan/ (the pages import /payplan/web.mjs, which fetches
// /payplan/payplan_bg.wasm next to itself). When js/dist is missing (a fresh clone) it first runs
// ./scripts/build-wasm.sh. Only GET and HEAD, only files under those two folders.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const examplesDir = dirname(fileURLToPath(import.meta.url));
const repo = join(examplesDir, '..');
const distDir = join(repo, 'js', 'dist');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

/** The file under `root` that a URL path names, or null (no escaping the root). */
function fileUnder(root, urlPath) {
  const file = normalize(join(root, decodeURIComponent(urlPath)));
  if (file !== root && !file.startsWith(root + sep)) return null;
  if (!existsSync(file)) return null;
  if (statSync(file).isDirectory()) {
    const index = join(file, 'index.html');
    return existsSync(index) ? index : null;
  }
  return file;
}

/**
 * Starts the server; resolves to { server, url }. `port` 0 picks a free port (the tests do).
 * `log` receives one line per request (nothing by default).
 */
export function startServer({ port = 8080, host = '127.0.0.1', log = () => {} } = {}) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const send = (status, headers, body) => {
      log(`${req.method} ${url.pathname} ${status}`);
      res.writeHead(status, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { Allow: 'GET, HEAD' }, 'method not allowed');
    if (url.pathname === '/') return send(302, { Location: '/earnings-calculator/' }, '');
    if (url.pathname === '/favicon.ico') return send(204, {}, '');
    // a folder without its trailing slash: redirect, so that relative URLs in its page work
    let file;
    try {
      file = url.pathname.startsWith('/payplan/') ? fileUnder(distDir, url.pathname.slice('/payplan/'.length)) : fileUnder(examplesDir, url.pathname.slice(1));
    } catch {
      file = null; // a malformed %-escape
    }
    if (file && file.endsWith(`${sep}index.html`) && !url.pathname.endsWith('/') && !url.pathname.endsWith('index.html')) {
      return send(301, { Location: `${url.pathname}/` }, '');
    }
    if (!file) return send(404, { 'Content-Type': 'text/plain; charset=utf-8' }, `not found: ${url.pathname}\n`);
    return send(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }, readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}` });
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: process.env.PORT ?? '8080' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  if (!existsSync(join(distDir, 'web.mjs')) || !existsSync(join(distDir, 'operations.web.mjs'))) {
    console.log('js/dist is missing: building the package first (./scripts/build-wasm.sh)');
    const r = spawnSync('bash', [join(repo, 'scripts', 'build-wasm.sh')], { stdio: 'inherit', cwd: repo });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const { url } = await startServer({ port: Number(values.port), host: values.host, log: (line) => console.log(line) });
  console.log(`payplan examples on ${url}/  (earnings calculator: ${url}/earnings-calculator/, CRM deal preview: ${url}/crm-deal-preview/); Ctrl-C stops`);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
