// The OpenAPI 3.1 document of the generated HTTP API: valid for a real OpenAPI validator, built
// from the zod schemas, with one discriminated request schema and a valid example per inbound event.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { type AggregateModel, generate, plan } from 'event-sourced-rules-engine/compiler';
import { Aggregate, InMemoryEventStore, Processor, type SchemaLike } from 'event-sourced-rules-engine';
import { PROBLEM_TYPES, createHttpHandler, problemTypeUri } from 'event-sourced-rules-engine/http';
import { AccountAggregate } from '../examples/account/src/generated/account/aggregate.js';
import { openApiDocument } from '../compiler/openapi.js';
import { EXAMPLE, FIXTURES, copyExampleInputs, isGenerated, removeProject, scratchProject } from './compiler.support.js';
import ledger from './fixtures/compiler/rich/schemas/ledger.schema.js';
import { httpApiEvent } from './support/http-api-event.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
type Json = Record<string, any>;

/** An ajv over the whole document, so that `#/components/...` references resolve. */
function documentValidator(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');
  return (schemaRef: string, value: unknown) => {
    const validate = ajv.getSchema(`openapi.json${schemaRef}`)!;
    const valid = validate(value) as boolean;
    return { valid, errors: ajv.errorsText(validate.errors) };
  };
}

async function aggregatesOf(cwd: string): Promise<readonly AggregateModel[]> {
  return (await plan({ cwd })).model.aggregates;
}

describe('openapi.json: the OpenAPI 3.1 document of the generated HTTP API', function () {
  this.timeout(60_000);
  let account: readonly AggregateModel[];
  let rich: readonly AggregateModel[];
  let document: Json;

  before(async () => {
    account = await aggregatesOf(EXAMPLE);
    rich = await aggregatesOf(path.join(FIXTURES, 'rich'));
    document = openApiDocument({ title: 'account-service', auth: 'iam', maxBodyBytes: 262_144, aggregates: account });
  });

  it('is a valid OpenAPI 3.1 document for @seriousme/openapi-schema-validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('is refused by the same validator when broken (the check above can fail)', async () => {
    const broken = structuredClone(document);
    delete broken.info;
    broken.paths['/account/{id}'].get.responses = 'none';
    expect((await new Validator().validate(broken)).valid).to.equal(false);
  });

  it('has the routes of the contract, each answering with the problem responses', () => {
    expect(Object.keys(document.paths).sort()).to.deep.equal(['/account/by/{index}/{key}', '/account/{id}', '/account/{id}/events']);
    const append = document.paths['/account/{id}/events'].post;
    expect(Object.keys(append.responses).sort()).to.deep.equal(['200', '201', '400', '403', '405', '409', '413', '415', '422', '429', '500']);
    expect(Object.keys(document.paths['/account/{id}'].get.responses)).to.include.members(['200', '404', '405', '500']);
    expect(document.paths['/account/{id}/events'].get.parameters.map((p: Json) => p.name)).to.deep.equal(['after', 'limit']);
    expect(document.paths['/account/by/{index}/{key}'].parameters[0].schema.enum).to.deep.equal(['byEmail']);
    for (const status of ['400', '404', '405', '409', '413', '415', '422', '500']) {
      expect(document.components.responses[`Problem${status}`].content['application/problem+json'].schema).to.deep.equal({ $ref: '#/components/schemas/Problem' });
    }
    expect(document.components.schemas.Problem.required).to.deep.equal(['type', 'title', 'status']);
    // every problem type the handler answers with is named under its status
    for (const type of Object.values(PROBLEM_TYPES)) expect(document.components.responses[`Problem${type.status}`].description).to.include(problemTypeUri(type));
    expect(append.parameters).to.deep.equal([{ $ref: '#/components/parameters/IdempotencyKey' }]);
    expect(document.components.parameters.IdempotencyKey).to.include({ name: 'Idempotency-Key', in: 'header', required: false });
  });

  it('takes one request schema per inbound event, discriminated by type, with payloads from the zod schemas', () => {
    const schemas = document.components.schemas;
    const inbound = ['ACCOUNT_OPENED', 'EMAIL_CHANGED', 'MONEY_DEPOSITED', 'MONEY_WITHDRAWN'];
    expect(schemas.AccountInboundEvent.discriminator.propertyName).to.equal('type');
    expect(Object.keys(schemas.AccountInboundEvent.discriminator.mapping)).to.deep.equal(inbound);
    expect(schemas.AccountInboundEvent.oneOf).to.have.length(4);
    expect(schemas.AccountMoneyDepositedEvent.properties.type).to.deep.equal({ const: 'MONEY_DEPOSITED' });
    const { $schema: _, ...payload } = account[0]!.inbound.find((event) => event.type === 'MONEY_DEPOSITED')!.jsonSchema;
    expect(schemas.AccountMoneyDepositedPayload).to.deep.include(payload);
    const { $schema: __, ...state } = account[0]!.stateJsonSchema;
    expect(schemas.AccountState).to.deep.include(state);
    expect(schemas.AccountSnapshot.properties.state).to.deep.equal({ $ref: '#/components/schemas/AccountState' });
    expect(schemas.AccountHistoryPage.properties).to.have.keys('events', 'next');
  });

  it('gives an example request per inbound event that its request schema accepts, and the zod schema too', () => {
    const validate = documentValidator(document);
    const examples = document.paths['/account/{id}/events'].post.requestBody.content['application/json'].examples;
    expect(Object.keys(examples)).to.deep.equal(['ACCOUNT_OPENED', 'EMAIL_CHANGED', 'MONEY_DEPOSITED', 'MONEY_WITHDRAWN']);
    for (const [type, example] of Object.entries<Json>(examples)) {
      const result = validate('#/components/schemas/AccountAppendRequest', example.value);
      expect(result.valid, `${type}: ${result.errors}`).to.equal(true);
      const event = account[0]!.inbound.find((candidate) => candidate.type === type)!;
      expect((event.schema as { safeParse(v: unknown): { success: boolean } }).safeParse(example.value.events[0].payload).success, type).to.equal(true);
    }
    expect(validate('#/components/schemas/AccountAppendRequest', { events: [{ type: 'MONEY_DEPOSITED', payload: { amount: -1 } }] }).valid).to.equal(false);
    expect(validate('#/components/schemas/AccountAppendRequest', { events: [{ type: 'MONEY_STOLEN', payload: {} }] }).valid).to.equal(false);
  });

  it('gives example requests the handler accepts: each example, posted to the generated aggregate’s handler, gets a 2xx', async () => {
    const handler = createHttpHandler({ aggregate: new AccountAggregate({ store: new InMemoryEventStore() }), path: 'account' });
    const post = (id: string, body: unknown) =>
      handler({
        rawPath: `/account/${id}/events`,
        headers: { 'content-type': 'application/json' },
        requestContext: { requestId: `req-${id}`, stage: '$default', http: { method: 'POST' } },
        body: JSON.stringify(body),
      });
    const examples = document.paths['/account/{id}/events'].post.requestBody.content['application/json'].examples as Record<string, Json>;
    for (const [type, example] of Object.entries(examples)) {
      const id = `example-${type}`;
      // every other event goes to an opened account, as it would in use
      if (type !== 'ACCOUNT_OPENED') expect((await post(id, examples.ACCOUNT_OPENED!.value)).statusCode).to.equal(201);
      const response = await post(id, example.value);
      expect(response.statusCode, `${type}: ${response.body}`).to.be.within(200, 201);
      expect(JSON.parse(response.body).events.at(-1).type).to.equal(type);
    }
    const invalid = await post('example-invalid', { events: [{ type: 'MONEY_DEPOSITED', payload: { amount: 'one' } }] });
    expect(invalid.statusCode).to.equal(400);
  });

  it('asks for SigV4 signatures with IAM authorization, and for none without', async () => {
    expect(document.security).to.deep.equal([{ sigv4: [] }]);
    expect(document.components.securitySchemes.sigv4).to.include({ type: 'apiKey', in: 'header', name: 'Authorization', 'x-amazon-apigateway-authtype': 'awsSigv4' });
    const open = openApiDocument({ title: 'account-service', auth: 'none', maxBodyBytes: 262_144, aggregates: account });
    expect(open.security).to.equal(undefined);
    expect((open.components as Json).securitySchemes).to.equal(undefined);
    expect(JSON.stringify(open)).to.not.include('Forbidden');
    expect((await new Validator().validate(structuredClone(open))).valid).to.equal(true);
  });

  it('is deterministic, and its version changes with the API', () => {
    const again = openApiDocument({ title: 'account-service', auth: 'iam', maxBodyBytes: 262_144, aggregates: account });
    expect(JSON.stringify(again)).to.equal(JSON.stringify(document));
    const open = openApiDocument({ title: 'account-service', auth: 'none', maxBodyBytes: 262_144, aggregates: account });
    expect((open.info as Json).version).to.not.equal(document.info.version);
  });

  it('describes richer schemas (zod 4 and zod/v3: unions, records, nested objects, nullable, defaults) validly, with checked examples', async () => {
    const richDocument = openApiDocument({ title: 'rich', auth: 'iam', maxBodyBytes: 1024, aggregates: rich });
    const result = await new Validator().validate(structuredClone(richDocument));
    expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    const validate = documentValidator(richDocument);
    const paths = richDocument.paths as Json;
    let checked = 0;
    for (const aggregate of rich) {
      const examples = paths[`/${aggregate.folder}/{id}/events`].post.requestBody.content['application/json'].examples as Json;
      for (const [type, example] of Object.entries<Json>(examples)) {
        const check = validate(`#/components/schemas/${aggregate.pascal}AppendRequest`, example.value);
        expect(check.valid, `${aggregate.name} ${type}: ${check.errors}`).to.equal(true);
        checked++;
      }
      // every event has one, those with Date fields too (sent as date-time strings, read into Dates by the handler)
      expect(Object.keys(examples).sort(), aggregate.name).to.deep.equal(aggregate.inbound.map((event) => event.type).sort());
    }
    expect(checked).to.be.greaterThan(4);
  });

  it('gives examples with Date fields (zod 4 and zod/v3) that the handler accepts: date-time strings are read into Dates', async () => {
    const richDocument = openApiDocument({ title: 'rich', auth: 'iam', maxBodyBytes: 1024, aggregates: rich });
    const paths = richDocument.paths as Json;
    const withDates = rich.flatMap((aggregate) => aggregate.inbound.filter((event) => JSON.stringify(event.jsonSchema).includes('date-time')).map((event) => ({ aggregate, event })));
    expect(withDates.map(({ event }) => event.type)).to.include.members(['ENTRY_POSTED', 'ORDER_PLACED']);
    for (const { aggregate, event } of withDates) {
      // the aggregate's own schemas, with rules that count events: only validation is under test
      const served = new Aggregate<{ events: number }>({
        type: aggregate.type,
        store: new InMemoryEventStore(),
        processor: new Processor<{ events: number }>(Object.fromEntries(aggregate.inbound.map((inbound) => [inbound.type, ({ state }: { state: { events: number } }) => ({ events: state.events + 1 })])), () => ({ events: 0 })),
        schemas: { inbound: Object.fromEntries(aggregate.inbound.map((inbound) => [inbound.type, inbound.schema as SchemaLike])) },
      });
      const handler = createHttpHandler({ aggregate: served, path: aggregate.folder });
      const example = paths[`/${aggregate.folder}/{id}/events`].post.requestBody.content['application/json'].examples[event.type].value;
      const response = await handler(httpApiEvent({ method: 'POST', path: `/${aggregate.folder}/x-1/events`, json: example }));
      expect(response.statusCode, `${event.type}: ${response.body}`).to.equal(201);
    }
  });

  it('describes the Dates of responses as they are sent: date-time strings (snapshot, append result, history page)', async () => {
    const richDocument = openApiDocument({ title: 'rich', auth: 'iam', maxBodyBytes: 1024, aggregates: rich });
    const validate = documentValidator(richDocument);
    type Ledger = { owner: string; entries: { amount: number; memo?: string; at: Date }[]; currency: 'EUR' | 'USD'; closedAt: Date | null };
    type Posted = { amount: number; memo?: string; at: Date; owner: string; currency: 'EUR' | 'USD' };
    const ledgers = new Aggregate<Ledger, Posted>({
      type: 'LEDGER',
      store: new InMemoryEventStore(),
      processor: new Processor<Ledger, Posted>(
        {
          LEDGER_OPENED: ({ state, current }) => ({ ...state, owner: current.owner, currency: current.currency }),
          ENTRY_POSTED: ({ state, current }) => ({ ...state, entries: [...state.entries, { amount: current.amount, at: current.at }], closedAt: current.at }),
        },
        () => ledger.initial as Ledger,
      ),
      schemas: { inbound: ledger.inbound as Record<string, SchemaLike> },
    });
    const handler = createHttpHandler({ aggregate: ledgers, path: 'ledger' });
    const opened = await handler(httpApiEvent({ method: 'POST', path: '/ledger/l-1/events', json: { events: [{ type: 'LEDGER_OPENED', payload: { owner: 'ann', currency: 'EUR' } }] } }));
    const posted = await handler(
      httpApiEvent({ method: 'POST', path: '/ledger/l-1/events', json: { events: [{ type: 'ENTRY_POSTED', payload: { amount: 5, at: '2024-05-01T14:00:00+02:00' } }] } }),
    );
    expect([opened.statusCode, posted.statusCode], posted.body).to.deep.equal([201, 200]);
    const snapshot = await handler(httpApiEvent({ method: 'GET', path: '/ledger/l-1' }));
    const history = await handler(httpApiEvent({ method: 'GET', path: '/ledger/l-1/events' }));
    const bodies = { LedgerAppendResult: JSON.parse(posted.body), LedgerSnapshot: JSON.parse(snapshot.body), LedgerHistoryPage: JSON.parse(history.body) };
    expect(bodies.LedgerSnapshot.state.entries[0].at).to.equal('2024-05-01T12:00:00.000Z');
    expect(bodies.LedgerHistoryPage.events[1].payload.at).to.equal('2024-05-01T12:00:00.000Z');
    for (const [name, body] of Object.entries(bodies)) {
      const result = validate(`#/components/schemas/${name}`, body);
      expect(result.valid, `${name}: ${result.errors}`).to.equal(true);
    }
    expect((richDocument as Json).components.schemas.LedgerState.properties.closedAt).to.deep.include({ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] });
    // the check can fail: a date sent as a number, or as a string that is no date-time, is refused
    const asNumber = structuredClone(bodies.LedgerSnapshot);
    asNumber.state.entries[0].at = Date.parse(asNumber.state.entries[0].at);
    expect(validate('#/components/schemas/LedgerSnapshot', asNumber).valid).to.equal(false);
    expect(validate('#/components/schemas/LedgerSnapshot', { ...bodies.LedgerSnapshot, updatedAt: 'yesterday' }).valid).to.equal(false);
  });
});

describe('esre generate: <output>/openapi.json', function () {
  this.timeout(60_000);
  let dir: string;
  const config = (api: string) => `import { defineConfig } from 'event-sourced-rules-engine/schema';

export default defineConfig({
  schemas: ['schemas/*.schema.ts'],
  output: 'src/generated',
  rules: 'src/rules',
  service: { name: 'account-service', eventSource: 'com.example.account', eventBusName: 'domain-events'${api} },
  cdk: false,
});
`;
  const generated = () => path.join(dir, 'src/generated/openapi.json');

  before(() => {
    dir = scratchProject('openapi');
    copyExampleInputs(dir);
  });
  after(() => removeProject(dir));

  it('is written only with service.api on, with the generated header, valid, the same as the document of the model', async () => {
    writeFileSync(path.join(dir, 'esre.config.ts'), config(''));
    await generate({ cwd: dir });
    expect(existsSync(generated())).to.equal(false);

    writeFileSync(path.join(dir, 'esre.config.ts'), config(", api: { auth: 'none', maxBodyBytes: 1000 }"));
    const first = await generate({ cwd: dir });
    expect(first.written).to.include('src/generated/openapi.json');
    expect(isGenerated(generated())).to.equal(true);
    const written = JSON.parse(readFileSync(generated(), 'utf8')) as Json;
    expect(written['x-generated']).to.match(/^Generated by esre from esre\.config\.ts and schemas\/account\.schema\.ts\./);
    const { 'x-generated': _, ...document } = written;
    const aggregates = (await plan({ cwd: dir })).model.aggregates;
    expect(document).to.deep.equal(JSON.parse(JSON.stringify(openApiDocument({ title: 'account-service', auth: 'none', maxBodyBytes: 1000, aggregates }))));
    const validation = await new Validator().validate(written);
    expect(validation.valid, JSON.stringify(validation.errors)).to.equal(true);
    expect(written.security).to.equal(undefined);

    const again = await generate({ cwd: dir });
    expect(again.written).to.deep.equal([]);
  });

  it('leaves out an aggregate that opts out with api: false, and is removed when no aggregate is served', async () => {
    writeFileSync(path.join(dir, 'esre.config.ts'), config(', api: true'));
    const schema = path.join(dir, 'schemas/account.schema.ts');
    writeFileSync(path.join(dir, 'schemas/wallet.schema.ts'), `import { z } from 'zod';
import { defineAggregate } from 'event-sourced-rules-engine/schema';

export default defineAggregate({
  name: 'wallet',
  state: z.object({ balance: z.number() }),
  initial: { balance: 0 },
  inbound: { TOPPED_UP: z.object({ amount: z.number().int().positive() }) },
  outbound: {},
});
`);
    writeFileSync(schema, readFileSync(schema, 'utf8').replace("indexes: { byEmail: 'email' },", "indexes: { byEmail: 'email' },\n  api: false,"));
    await generate({ cwd: dir });
    const written = JSON.parse(readFileSync(generated(), 'utf8')) as Json;
    expect(Object.keys(written.paths).sort()).to.deep.equal(['/wallet/{id}', '/wallet/{id}/events']);
    expect(written.paths['/wallet/{id}/events'].post.requestBody.content['application/json'].examples.TOPPED_UP.value).to.deep.equal({
      events: [{ type: 'TOPPED_UP', payload: { amount: 1 } }],
    });
    expect(written.security).to.deep.equal([{ sigv4: [] }]);

    rmSync(path.join(dir, 'schemas/wallet.schema.ts'));
    rmSync(path.join(dir, 'src/rules/wallet'), { recursive: true, force: true });
    await generate({ cwd: dir });
    expect(existsSync(generated())).to.equal(false);
  });
});
