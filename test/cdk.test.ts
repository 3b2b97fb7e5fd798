// CDK assertions on the generated example stack (examples/account/infra), synthesized with
// the real esbuild bundling of the outbox handler, and the cdk-nag AwsSolutions pack.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TableV2, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { expect } from 'chai';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DynamoDBOutboxEventBridgeHandler, EventSourcedTable, HTTP_HANDLER_TABLE_ACTIONS, eventBridgeEventSchema } from 'event-sourced-rules-engine/cdk';
import { DYNAMO_TABLE_LAYOUT, OUTBOX_INSERT_FILTER_PATTERN } from 'event-sourced-rules-engine/dynamodb';
import { OUTBOX_HANDLER_ENVIRONMENT } from 'event-sourced-rules-engine/eventbridge';
import { AccountServiceStack, accountServiceSettings } from '../examples/account/infra/account-service-stack.js';
import { FakeEventBridge } from './support/eventbridge-server.js';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createEvent } from 'event-sourced-rules-engine';
import { outboxItem } from '../runtime/dynamodb/items.js';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const OUTBOUND_SCHEMAS = new URL('../examples/account/src/generated/account/events/outbound/', import.meta.url);
const OUTBOUND_TYPES = ['BALANCE_CHANGED', 'WITHDRAWAL_REJECTED'];

/** Resources of the template whose type is `type`. */
function ofType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  expect(entries, 'exactly one resource').to.have.length(1);
  return entries[0]!;
}

/** The outbox publisher's function (the stack also has one HTTP handler function per aggregate). */
function outboxFunction(template: Template): [string, Resources[string]] {
  return only(
    Object.fromEntries(
      Object.entries(ofType(template, 'AWS::Lambda::Function')).filter(([, fn]) => fn.Properties.Environment?.Variables?.[OUTBOX_HANDLER_ENVIRONMENT.source] !== undefined),
    ),
  );
}

/** The example project: the stack finds the generated handler modules from there. */
const EXAMPLE = fileURLToPath(new URL('../examples/account/', import.meta.url));

/** Skips asset bundling for stacks under this app (the bundling itself is covered once below). */
const noBundling = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

describe('the generated CDK stack of examples/account', function () {
  this.timeout(60_000);
  let app: App;
  let stack: AccountServiceStack;
  let template: Template;

  before(() => {
    app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'esre-cdk-test-')) });
    stack = new AccountServiceStack(app, 'account-service', { projectRoot: EXAMPLE });
    template = Template.fromStack(stack); // bundles the handler with the local esbuild
  });
  after(() => {
    if (app) rmSync(app.outdir, { recursive: true, force: true });
  });

  it('bundles a handler that works: loaded from the asset, it publishes an outbox insert to the bus', async () => {
    const [, fn] = outboxFunction(template);
    const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    const bundle = path.join(app.outdir, `asset.${assetHash}`, 'index.js');
    expect(readdirSync(path.dirname(bundle))).to.include('index.js');
    // Copied below the repository so that `@aws-sdk/*` (external, provided by Lambda) resolves.
    const scratch = fileURLToPath(new URL(`../node_modules/.cache/esre-cdk-test-${process.pid}/`, import.meta.url));
    mkdirSync(scratch, { recursive: true });
    copyFileSync(bundle, path.join(scratch, 'index.cjs'));
    const server = await FakeEventBridge.start();
    const variables: Record<string, string> = {
      ...fn.Properties.Environment.Variables,
      [OUTBOX_HANDLER_ENVIRONMENT.eventBusName]: 'domain-events',
      AWS_ENDPOINT_URL_EVENTBRIDGE: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const saved = Object.fromEntries(Object.keys(variables).map((key) => [key, process.env[key]]));
    try {
      Object.assign(process.env, variables);
      const { handler } = createRequire(import.meta.url)(path.join(scratch, 'index.cjs')) as {
        handler: (event: unknown) => Promise<{ batchItemFailures: unknown[] }>;
      };
      const record = { ...createEvent('BALANCE_CHANGED', { balance: 5, change: 5 }), aggregateType: 'ACCOUNT', aggregateId: 'a-1', sequence: 1, position: 0, causationId: 'c' };
      const image = marshall(outboxItem(record, 'commit', undefined));
      const response = await handler({ Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '1', NewImage: image } }] });
      expect(response).to.deep.equal({ batchItemFailures: [] });
      expect(server.accepted.map((event) => [event.source, event.detailType, event.eventBusName, event.detail['eventId']])).to.deep.equal([
        [accountServiceSettings.eventSource, 'BALANCE_CHANGED', 'domain-events', record.id],
      ]);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('has the event store table: layout keys, new-image stream, TTL, point-in-time recovery, encryption, retained', () => {
    const [, table] = only(ofType(template, 'AWS::DynamoDB::GlobalTable'));
    const resource = template.toJSON().Resources[Object.keys(ofType(template, 'AWS::DynamoDB::GlobalTable'))[0]!];
    expect(resource.DeletionPolicy).to.equal('Retain');
    expect(resource.UpdateReplacePolicy).to.equal('Retain');
    expect(table.Properties.KeySchema).to.deep.equal([
      { AttributeName: DYNAMO_TABLE_LAYOUT.partitionKey, KeyType: 'HASH' },
      { AttributeName: DYNAMO_TABLE_LAYOUT.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.Properties.StreamSpecification).to.deep.equal({ StreamViewType: 'NEW_IMAGE' });
    expect(table.Properties.TimeToLiveSpecification).to.deep.equal({ AttributeName: DYNAMO_TABLE_LAYOUT.ttlAttribute, Enabled: true });
    expect(table.Properties.SSESpecification).to.deep.include({ SSEEnabled: true, SSEType: 'KMS' });
    const replica = table.Properties.Replicas[0];
    expect(replica.PointInTimeRecoverySpecification).to.deep.equal({ PointInTimeRecoveryEnabled: true });
    expect(replica.DeletionProtectionEnabled).to.equal(true);
  });

  it('invokes the handler only for outbox inserts, reports batch item failures, bisects, retries a bounded number of times', () => {
    const [, mapping] = only(ofType(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mapping.Properties.FilterCriteria).to.deep.equal({ Filters: [{ Pattern: JSON.stringify(OUTBOX_INSERT_FILTER_PATTERN) }] });
    expect(JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern)).to.deep.equal({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { _kind: { S: ['outbox'] } } },
    });
    expect(mapping.Properties.FunctionResponseTypes).to.deep.equal(['ReportBatchItemFailures']);
    expect(mapping.Properties.BisectBatchOnFunctionError).to.equal(true);
    expect(mapping.Properties.MaximumRetryAttempts).to.be.within(1, 10);
    expect(mapping.Properties.ParallelizationFactor).to.equal(1);
    expect(mapping.Properties.StartingPosition).to.equal('TRIM_HORIZON');
    expect(mapping.Properties.EventSourceArn).to.deep.equal({ 'Fn::GetAtt': [Object.keys(ofType(template, 'AWS::DynamoDB::GlobalTable'))[0], 'StreamArn'] });
  });

  it('sends what still fails to an encrypted SQS dead-letter queue', () => {
    const [queueId, queue] = only(ofType(template, 'AWS::SQS::Queue'));
    expect(queue.Properties.SqsManagedSseEnabled).to.equal(true);
    const [, mapping] = only(ofType(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mapping.Properties.DestinationConfig).to.deep.equal({ OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('runs the bundled handler on Node.js 22 with the source and bus from esre.config.ts', () => {
    const [, fn] = outboxFunction(template);
    expect(fn.Properties.Runtime).to.equal('nodejs22.x');
    expect(fn.Properties.Handler).to.equal('index.handler');
    expect(fn.Properties.Environment.Variables).to.deep.include({
      [OUTBOX_HANDLER_ENVIRONMENT.source]: accountServiceSettings.eventSource,
    });
    const busId = Object.keys(ofType(template, 'AWS::Events::EventBus'))[0];
    expect(fn.Properties.Environment.Variables[OUTBOX_HANDLER_ENVIRONMENT.eventBusName]).to.deep.equal({ Ref: busId });
    const [, bus] = only(ofType(template, 'AWS::Events::EventBus'));
    expect(bus.Properties.Name).to.equal(accountServiceSettings.eventBusName);
  });

  it('grants least privilege: no wildcard action, PutEvents on the service bus only, no managed policies', () => {
    const busId = Object.keys(ofType(template, 'AWS::Events::EventBus'))[0];
    const statements = Object.values(ofType(template, 'AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Effect: string }[],
    );
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action.includes('*')), 'wildcard actions').to.deep.equal([]);
    const putEvents = statements.filter((statement) => [statement.Action].flat().includes('events:PutEvents'));
    expect(putEvents).to.deep.equal([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } }]);
    for (const statement of statements) expect(statement.Resource, JSON.stringify(statement)).to.not.equal('*');
    for (const role of Object.values(ofType(template, 'AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).to.equal(undefined);
  });

  it('registers one schema per outbound event, built from the generated JSON Schemas', () => {
    const [registryId, registry] = only(ofType(template, 'AWS::EventSchemas::Registry'));
    expect(registry.Properties.RegistryName).to.equal(accountServiceSettings.eventSource);
    const schemas = Object.values(ofType(template, 'AWS::EventSchemas::Schema'));
    expect(schemas.map((schema) => schema.Properties.SchemaName).sort()).to.deep.equal(
      OUTBOUND_TYPES.map((type) => `${accountServiceSettings.eventSource}@${type}`),
    );
    for (const type of OUTBOUND_TYPES) {
      const schema = schemas.find((s) => s.Properties.SchemaName.endsWith(`@${type}`))!;
      expect(schema.Properties.Type).to.equal('JSONSchemaDraft4');
      expect(schema.Properties.RegistryName).to.deep.equal({ 'Fn::GetAtt': [registryId, 'RegistryName'] });
      const generated = JSON.parse(readFileSync(new URL(`${type}.schema.json`, OUTBOUND_SCHEMAS), 'utf8'));
      const content = JSON.parse(schema.Properties.Content);
      expect(content).to.deep.equal(eventBridgeEventSchema(accountServiceSettings.eventSource, type, generated));
      const { $schema: _s, $comment: _c, ...payload } = generated;
      expect(content.properties.detail.properties.payload).to.deep.equal(payload);
      expect(content.properties['detail-type']).to.deep.equal({ type: 'string', enum: [type] });
      const lock = JSON.parse(readFileSync(new URL('../examples/account/esre.lock.json', import.meta.url), 'utf8'));
      const version: number = lock.aggregates.ACCOUNT.outbound[type].version;
      expect(schema.Properties.Description).to.equal(`${type} published by ${accountServiceSettings.eventSource} (schema version ${version})`);
    }
  });

  it('outputs the table, bus, source, function, dead-letter queue and registry', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).to.deep.equal(
      ['ApiUrl', 'DeadLetterQueueUrl', 'EventBusArn', 'EventBusName', 'EventSource', 'OutboxFunctionName', 'SchemaRegistryName', 'TableName'].sort(),
    );
  });

  it('serves the account aggregate over an HTTP API: the four routes (and a catch-all) with AWS_IAM, access logs, the throttling of esre.config.ts', () => {
    only(ofType(template, 'AWS::ApiGatewayV2::Api'));
    const routes = Object.values(ofType(template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).to.deep.equal(
      ['ANY /account/{proxy+}', 'GET /account/by/{index}/{key}', 'GET /account/{id}', 'GET /account/{id}/events', 'POST /account/{id}/events'].sort(),
    );
    for (const route of routes) expect(route.AuthorizationType, route.RouteKey).to.equal('AWS_IAM');
    const [, stage] = only(ofType(template, 'AWS::ApiGatewayV2::Stage'));
    expect(stage.Properties.DefaultRouteSettings).to.deep.equal({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }); // api: true, the defaults
    const logGroup = (template.toJSON().Resources as Resources)[stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]!;
    expect(logGroup.Type).to.equal('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).to.be.a('number');
    expect(template.findOutputs('ApiUrl')).to.have.property('ApiUrl');
  });

  it('runs the generated api.ts on Node.js 22 arm64 with the table name, granted item actions and Query on the table only (no Scan, no DeleteTable, no "*")', async () => {
    const tableId = Object.keys(ofType(template, 'AWS::DynamoDB::GlobalTable'))[0]!;
    const [outboxId] = outboxFunction(template);
    const [, fn] = only(Object.fromEntries(Object.entries(ofType(template, 'AWS::Lambda::Function')).filter(([id]) => id !== outboxId)));
    expect(fn.Properties.Runtime).to.equal('nodejs22.x');
    expect(fn.Properties.Architectures).to.deep.equal(['arm64']);
    expect(fn.Properties.Environment.Variables.EVENT_STORE_TABLE_NAME).to.deep.equal({ Ref: tableId });
    const statements = Object.values(ofType(template, 'AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const onTable = statements.filter((statement) => JSON.stringify(statement.Resource).includes(`"${tableId}","Arn"`));
    expect(onTable).to.have.length(1);
    expect([onTable[0]!.Action].flat().sort()).to.deep.equal([...HTTP_HANDLER_TABLE_ACTIONS].sort());
    expect(onTable[0]!.Resource).to.deep.equal({ 'Fn::GetAtt': [tableId, 'Arn'] });
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).to.not.include.oneOf(['dynamodb:Scan', 'dynamodb:DeleteTable', 'dynamodb:*', '*']);
    // The asset is the bundled handler: loaded as Lambda would, it answers a wrong method with its 405 problem.
    const bundle = path.join(app.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
    const scratch = fileURLToPath(new URL(`../node_modules/.cache/esre-cdk-api-test-${process.pid}/`, import.meta.url));
    mkdirSync(scratch, { recursive: true });
    const saved = { region: process.env.AWS_REGION, table: process.env.EVENT_STORE_TABLE_NAME };
    try {
      copyFileSync(bundle, path.join(scratch, 'index.cjs'));
      Object.assign(process.env, { AWS_REGION: 'us-east-1', EVENT_STORE_TABLE_NAME: 'never-called' });
      const { handler } = createRequire(import.meta.url)(path.join(scratch, 'index.cjs')) as { handler: (event: unknown) => Promise<{ statusCode: number; headers: Record<string, string> }> };
      const response = await handler({ rawPath: '/account/a-1', headers: {}, requestContext: { requestId: 'r-1', stage: '$default', http: { method: 'DELETE' } } });
      expect(response.statusCode).to.equal(405);
      expect(response.headers['content-type']).to.include('application/problem+json');
    } finally {
      for (const [key, value] of [['AWS_REGION', saved.region], ['EVENT_STORE_TABLE_NAME', saved.table]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('passes cdk-nag AwsSolutions: no unacknowledged errors, and every acknowledgment has a written reason', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const errors = report.violations.filter((violation) => violation.severity === 'error');
    expect(errors.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).to.deep.equal([]);
    const acknowledgments = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgments.length).to.be.greaterThan(0);
    for (const [rule, reason] of acknowledgments) expect(reason, rule).to.be.a('string').with.length.above(30);
  });

  it('cdk-nag does report errors for a stack that breaks its rules (the check above can fail)', () => {
    const bad = new Stack(noBundling(), 'Bad');
    new Queue(bad, 'PlainQueue');
    const report = new AwsSolutionsChecks().validateScope(bad);
    expect(report.violations.filter((v) => v.severity === 'error').map((v) => v.ruleName)).to.include.members(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']);
  });

  it('imports an existing bus instead of creating one when asked, still granting PutEvents on that bus only', () => {
    const imported = Template.fromStack(new AccountServiceStack(noBundling(), 'imported', { importEventBus: true, projectRoot: EXAMPLE }));
    imported.resourceCountIs('AWS::Events::EventBus', 0);
    const statements = Object.values(ofType(imported, 'AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const putEvents = statements.filter((statement: { Action: unknown }) => statement.Action === 'events:PutEvents');
    expect(JSON.stringify(putEvents)).to.include(`:event-bus/${accountServiceSettings.eventBusName}`);
    expect(putEvents).to.have.length(1);
  });
});

describe('CDK constructs', () => {
  it('DynamoDBOutboxEventBridgeHandler refuses a table without a stream, and a source starting with "aws."', () => {
    const stack = new Stack(noBundling(), 'Constructs');
    const bus = new EventBus(stack, 'Bus');
    const plain = new TableV2(stack, 'Plain', { partitionKey: { name: '_pk', type: AttributeType.STRING } });
    expect(() => new DynamoDBOutboxEventBridgeHandler(stack, 'NoStream', { table: plain, eventBus: bus, source: 'svc' })).to.throw(/no stream/);
    const table = new EventSourcedTable(stack, 'Table');
    expect(() => new DynamoDBOutboxEventBridgeHandler(stack, 'AwsSource', { table, eventBus: bus, source: 'aws.events' })).to.throw(/aws\./);
  });

  it('DynamoDBOutboxEventBridgeHandler uses a given dead-letter queue and retry bound', () => {
    const stack = new Stack(noBundling(), 'Given');
    const queue = new Queue(stack, 'MyDlq', { enforceSSL: true });
    new DynamoDBOutboxEventBridgeHandler(stack, 'Outbox', {
      table: new EventSourcedTable(stack, 'Table'),
      eventBus: new EventBus(stack, 'Bus'),
      source: 'svc',
      deadLetterQueue: queue,
      retryAttempts: 3,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as never), 'Arn'] } } },
    });
  });
});
