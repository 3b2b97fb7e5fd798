// The SigV4 block of docs/http-service.md ("Call it with SigV4"), run as written against a
// loopback server that checks each request's signature the way API Gateway does (recomputing it
// from what arrived over the wire) and then hands the request to the account's HTTP handler.
import { spawn } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'chai';
import { InMemoryEventStore } from 'event-sourced-rules-engine';
import { createHttpHandler } from 'event-sourced-rules-engine/http';
import { AccountAggregate } from '../examples/account/src/generated/account/aggregate.js';
import { REPO } from './compiler.support.js';
import { codeBlocks } from './support/markdown.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const REGION = 'eu-west-1';

/** SHA-256 / HMAC-SHA-256 for the verifying signer. */
class Sha256 {
  #hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = this.#create();
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
  reset(): void {
    this.#hash = this.#create();
  }
  #create(): Hash | Hmac {
    const secret = this.secret;
    if (secret === undefined) return createHash('sha256');
    return createHmac('sha256', typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret));
  }
}

/** Whether a request, as received, carries a valid SigV4 signature for execute-api in REGION. */
async function signatureIsValid(request: { method: string; url: string; headers: IncomingMessage['headers']; body: string }, port: number): Promise<boolean> {
  const authorization = String(request.headers.authorization ?? '');
  const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(request.headers['x-amz-date'] ?? ''));
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || !stamp || !signed.includes('host')) return false;
  const url = new URL(request.url, `http://127.0.0.1:${port}`);
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: Sha256 });
  const again = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(signed.map((name) => [name, String(request.headers[name])])),
      ...(request.body === '' ? {} : { body: request.body }),
    },
    { signingDate: new Date(Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]!, +stamp[5]!, +stamp[6]!)) },
  );
  return again.headers.authorization === authorization;
}

describe('docs/http-service.md: calling the service with SigV4', function () {
  this.timeout(60_000);
  const scratch = path.join(REPO, 'test/fixtures/docs', `.tmp-sigv4-${process.pid}`);
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('signs every request so that a verifier recomputing the signature from the wire accepts it, and the handler answers', async () => {
    const block = codeBlocks(REPO, 'docs/http-service.md').find((candidate) => candidate.code.includes('new SignatureV4('));
    expect(block, 'the SigV4 block').to.not.equal(undefined);
    const handler = createHttpHandler({ aggregate: new AccountAggregate({ store: new InMemoryEventStore() }), path: 'account' });
    const seen: { route: string; valid: boolean; tamperedValid: boolean }[] = [];
    const server = createServer((incoming, response) => {
      let body = '';
      incoming.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      incoming.on('end', async () => {
        const request = { method: incoming.method!, url: incoming.url!, headers: incoming.headers, body };
        const port = (server.address() as AddressInfo).port;
        const valid = await signatureIsValid(request, port);
        const tamperedValid = await signatureIsValid({ ...request, url: `${request.url.split('?')[0]}-x` }, port);
        seen.push({ route: `${request.method} ${request.url}`, valid, tamperedValid });
        if (!valid) {
          response.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
          return;
        }
        const url = new URL(request.url, 'http://127.0.0.1');
        const answer = await handler({
          rawPath: url.pathname,
          rawQueryString: url.search.slice(1),
          headers: Object.fromEntries(Object.entries(incoming.headers).map(([name, value]) => [name, String(value)])),
          requestContext: { requestId: `r-${seen.length}`, stage: '$default', http: { method: request.method } },
          ...(body === '' ? {} : { body }),
        });
        response.writeHead(answer.statusCode, answer.headers).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      // The example's own account needs opening before a deposit: the handler takes it first.
      const open = await handler({
        rawPath: '/account/a-1/events',
        headers: { 'content-type': 'application/json' },
        requestContext: { requestId: 'open', stage: '$default', http: { method: 'POST' } },
        body: JSON.stringify({ events: [{ type: 'ACCOUNT_OPENED', payload: { owner: 'Ada', email: 'ada@example.com' } }] }),
      });
      expect(open.statusCode).to.equal(201);
      mkdirSync(scratch, { recursive: true });
      const file = path.join(scratch, 'sigv4.ts');
      writeFileSync(file, block!.code);
      const env: NodeJS.ProcessEnv = {};
      for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
      Object.assign(env, {
        API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_REGION: REGION,
        AWS_EC2_METADATA_DISABLED: 'true',
        HOME: scratch, // no ~/.aws profile
      });
      // Asynchronously: this process serves the requests the block sends.
      const run = await new Promise<{ status: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ['--conditions=esre-source', '--import', 'tsx', file], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('close', (status) => resolve({ status, output }));
      });
      expect(run.status, run.output).to.equal(0);
      expect(seen.map(({ route }) => route)).to.deep.equal(['POST /account/a-1/events', 'GET /account/a-1/events?limit=10']);
      for (const request of seen) {
        expect(request.valid, request.route).to.equal(true);
        expect(request.tamperedValid, `${request.route}, path changed`).to.equal(false);
      }
      expect(run.output).to.match(/^200 \{/m); // the deposit to the opened account
      expect(run.output).to.include("type: 'MONEY_DEPOSITED'");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
