/**
 * A tiny HTTP server on 127.0.0.1 (a free port) serving the test pages and the bundle: pages
 * need a real origin, since `data:` and `about:blank` pages have no storage.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly origin: string;
  close(): Promise<void>;
}

// tsx compiles the test files with esbuild's keepNames, which wraps functions in \`__name(...)\`;
// functions handed to page.evaluate carry those calls into the page, so the page defines it.
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>esre test page</title>
<script>window.__name = function (target) { return target; };</script>
<script src="/esre.js"></script></head><body></body></html>`;

/** Serves `/esre.js` (the bundle) and an HTML page loading it under every other path. */
export async function startPageServer(bundle: string): Promise<PageServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/esre.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(bundle);
    } else if (path === '/favicon.ico') {
      response.writeHead(404).end();
    } else {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(PAGE);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
