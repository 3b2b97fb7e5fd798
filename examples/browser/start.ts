/**
 * `npm run example:browser` (from the repository root: generates, then runs this): bundles the
 * task board and serves it on 127.0.0.1, on `PORT` or a free port, until Ctrl-C.
 */
import { buildExample } from './build.js';
import { startExampleServer } from './server.js';

const started = Date.now();
const built = await buildExample();
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`bundled app.js: ${kb(built.bytes)} minified, ${kb(built.gzipBytes)} gzip (${Date.now() - started} ms)`);
const port = process.env.PORT ? Number(process.env.PORT) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
const server = await startExampleServer(built.outdir, port);
console.log(`task board: ${server.url}  (open it in two tabs; ?store=local for localStorage; Ctrl-C stops)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
