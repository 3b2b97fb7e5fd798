/**
 * A small static file server for the built app, on 127.0.0.1 only: `index.html`, `app.js`,
 * nothing else. Pages need a real origin for IndexedDB, localStorage and BroadcastChannel.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A running server. */
export interface ExampleServer {
  /** e.g. `http://127.0.0.1:41234/` */
  readonly url: string;
  close(): Promise<void>;
}

/** The files served, by URL path. */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

/** Serves the files of `root` (a folder {@link buildExample} wrote) on `port` (0: a free one). */
export async function startExampleServer(root: string, port = 0): Promise<ExampleServer> {
  const server = createServer((request, response) => {
    const served = FILES[new URL(request.url ?? '/', 'http://127.0.0.1').pathname];
    if (!served || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    readFile(join(root, served.file)).then(
      (body) => response.writeHead(200, { 'content-type': served.type, 'cache-control': 'no-store' }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${served.file} is missing: build the example first`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
