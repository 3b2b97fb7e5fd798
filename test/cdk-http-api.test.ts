// The EventSourcedHttpApi construct: an IAM-authorized HTTP API over one bundled Lambda per
// aggregate, least-privilege table grants, access logs, throttling; checked with `cdk synth`
// (Template assertions, the real esbuild bundling) and cdk-nag AwsSolutions.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { TableEncryptionV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { expect } from 'chai';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  EVENT_STORE_TABLE_NAME_VARIABLE,
  EventSourcedHttpApi,
  EventSourcedTable,
  HTTP_HANDLER_TABLE_ACTIONS,
  exportConditionsOfThisProcess,
} from 'event-sourced-rules-engine/cdk';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const ENTRY = fileURLToPath(new URL('./fixtures/http-api/handler.ts', import.meta.url));
const aggregates = [
  { path: 'account', entry: ENTRY },
  { path: 'bank-account', entry: ENTRY },
];

/** Skips asset bundling (the bundling itself is covered once below). */
const noBundling = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

function statementsOf(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Resources).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('EventSourcedHttpApi', function () {
  this.timeout(120_000);

  describe('with the defaults (AWS_IAM), synthesized with the real bundling', () => {
    let app: App;
    let stack: Stack;
    let template: Template;
    let tableId: string;

    before(() => {
      app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'esre-http-api-')) });
      stack = new Stack(app, 'Service');
      const table = new EventSourcedTable(stack, 'EventStore');
      new EventSourcedHttpApi(stack, 'Http', { table, aggregates });
      template = Template.fromStack(stack);
      tableId = stack.getLogicalId(table.node.defaultChild as never);
    });
    after(() => rmSync(app.outdir, { recursive: true, force: true }));

    it('routes the four routes of the contract and a catch-all per aggregate, every one with AWS_IAM authorization', () => {
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources).map((route) => route.Properties);
      expect(routes.map((route) => route.RouteKey).sort()).to.deep.equal(
        ['account', 'bank-account']
          .flatMap((name) => [`POST /${name}/{id}/events`, `GET /${name}/{id}`, `GET /${name}/{id}/events`, `GET /${name}/by/{index}/{key}`, `ANY /${name}/{proxy+}`])
          .sort(),
      );
      for (const route of routes) expect(route.AuthorizationType, route.RouteKey).to.equal('AWS_IAM');
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    });

    it('runs one Node.js 22 arm64 function per aggregate, with the table name in EVENT_STORE_TABLE_NAME', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
      expect(functions).to.have.length(2);
      for (const fn of functions) {
        expect(fn.Properties.Runtime).to.equal('nodejs22.x');
        expect(fn.Properties.Architectures).to.deep.equal(['arm64']);
        expect(fn.Properties.Environment.Variables[EVENT_STORE_TABLE_NAME_VARIABLE]).to.deep.equal({ Ref: tableId });
      }
    });

    it('grants the item actions and Query on the table only: no Scan, no DeleteTable, no "*" action, no managed policy', () => {
      const statements = statementsOf(template);
      const actions = statements.flatMap((statement) => [statement.Action].flat());
      expect(actions.filter((action) => action.includes('*')), 'wildcard actions').to.deep.equal([]);
      expect(actions).to.not.include.members(['dynamodb:Scan']);
      expect(actions).to.not.include('dynamodb:DeleteTable');
      const onTable = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
      expect(onTable).to.have.length(2);
      for (const statement of onTable) {
        expect([statement.Action].flat().sort()).to.deep.equal([...HTTP_HANDLER_TABLE_ACTIONS].sort());
        expect(statement.Resource).to.deep.equal({ 'Fn::GetAtt': [tableId, 'Arn'] });
      }
      for (const statement of statements) expect(statement.Resource, JSON.stringify(statement)).to.not.equal('*');
      for (const role of Object.values(template.findResources('AWS::IAM::Role') as Resources)) expect(role.Properties.ManagedPolicyArns).to.equal(undefined);
    });

    it('logs every request as a JSON line to a log group with a retention, and throttles the stage at 50/s, bursts of 100', () => {
      const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage') as Resources);
      expect(stage!.Properties.StageName).to.equal('$default');
      expect(stage!.Properties.AutoDeploy).to.equal(true);
      expect(stage!.Properties.DefaultRouteSettings).to.deep.equal({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
      const destination = stage!.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
      const logGroup = (template.toJSON().Resources as Resources)[destination]!;
      expect(logGroup.Type).to.equal('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).to.equal(30);
      expect(JSON.parse(stage!.Properties.AccessLogSettings.Format)).to.include({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
    });

    it('passes cdk-nag AwsSolutions: no unacknowledged errors, every acknowledgment with a written reason', () => {
      const report = new AwsSolutionsChecks().validateScope(stack);
      const errors = report.violations.filter((violation) => violation.severity === 'error');
      expect(errors.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).to.deep.equal([]);
      const acknowledgments = stack.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
      expect(acknowledgments.map(([rule]) => rule).some((rule) => rule.endsWith('AwsSolutions-L1'))).to.equal(true);
      for (const [rule, reason] of acknowledgments) expect(reason, rule).to.be.a('string').with.length.above(30);
    });

    it('bundles the entry with the export conditions the app runs with, AWS SDK external; the bundle answers', async () => {
      expect(exportConditionsOfThisProcess()).to.include('esre-source'); // .mocharc.json: the sources, not dist/
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function') as Resources);
      const bundle = path.join(app.outdir, `asset.${String(fn!.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
      expect(readdirSync(path.dirname(bundle))).to.include('index.js');
      const scratch = fileURLToPath(new URL(`../node_modules/.cache/esre-http-api-test-${process.pid}/`, import.meta.url));
      mkdirSync(scratch, { recursive: true });
      try {
        copyFileSync(bundle, path.join(scratch, 'index.cjs'));
        const { handler } = createRequire(import.meta.url)(path.join(scratch, 'index.cjs')) as { handler: (event: unknown) => Promise<{ statusCode: number; body: string }> };
        const response = await handler({ rawPath: '/account/a-1' });
        expect(response.statusCode).to.equal(200);
        expect(JSON.parse(response.body)).to.deep.include({ type: 'PROBED', payload: { path: '/account/a-1' } });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });

  it("with auth: 'none', leaves the routes open and warns in the synth output", () => {
    const stack = new Stack(noBundling(), 'Open');
    new EventSourcedHttpApi(stack, 'Http', { table: new EventSourcedTable(stack, 'EventStore'), aggregates: aggregates.slice(0, 1), auth: 'none' });
    const template = Template.fromStack(stack);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources);
    expect(routes).to.have.length(5);
    for (const route of routes) expect(route.Properties.AuthorizationType).to.equal('NONE');
    Annotations.fromStack(stack).hasWarning('/Open/Http', Match.stringLikeRegexp("auth: 'none'.*open to anyone"));
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.filter((v) => v.severity === 'error').map((v) => v.ruleName)).to.include('AwsSolutions-APIG4');
  });

  it('leaves out the index query route of an aggregate without index queries, and keeps the others', () => {
    const stack = new Stack(noBundling(), 'NoIndexes');
    const served = [{ ...aggregates[0]!, indexQueries: false }, aggregates[1]!];
    new EventSourcedHttpApi(stack, 'Http', { table: new EventSourcedTable(stack, 'EventStore'), aggregates: served });
    const keys = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Route') as Resources).map((route) => route.Properties.RouteKey as string);
    expect(keys.filter((key) => key.includes('/by/'))).to.deep.equal(['GET /bank-account/by/{index}/{key}']);
    expect(keys.filter((key) => key.startsWith('POST /account/') || key.startsWith('GET /account/') || key.startsWith('ANY /account/'))).to.have.length(4);
  });

  it('takes the throttling from its props, and grants use of a customer-managed table key without wildcard actions', () => {
    const stack = new Stack(noBundling(), 'Tuned', { env: { account: '123456789012', region: 'eu-west-1' } });
    const key = new Key(stack, 'Key', { enableKeyRotation: true });
    const table = new EventSourcedTable(stack, 'EventStore', { encryption: TableEncryptionV2.customerManagedKey(key) });
    new EventSourcedHttpApi(stack, 'Http', { table, aggregates: aggregates.slice(0, 1), throttling: { rateLimit: 7, burstLimit: 9 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 } });
    const actions = statementsOf(template).flatMap((statement) => [statement.Action].flat());
    expect(actions).to.include.members(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
    expect(actions.filter((action) => action.includes('*'))).to.deep.equal([]);
  });

  it('refuses no aggregates, a path that is not a segment, and a path given twice', () => {
    const stack = new Stack(noBundling(), 'Bad');
    const table = new EventSourcedTable(stack, 'EventStore');
    expect(() => new EventSourcedHttpApi(stack, 'None', { table, aggregates: [] })).to.throw(/at least one aggregate/);
    expect(() => new EventSourcedHttpApi(stack, 'Slash', { table, aggregates: [{ path: 'a/b', entry: ENTRY }] })).to.throw(/not a path segment/);
    expect(() => new EventSourcedHttpApi(stack, 'Twice', { table, aggregates: [aggregates[0]!, aggregates[0]!] })).to.throw(/given twice/);
  });

  it('reads the export conditions from the command line and NODE_OPTIONS, in order, once each', () => {
    expect(exportConditionsOfThisProcess(['--conditions=a', '-C', 'b', '--import', 'tsx'], '--conditions c -C=a')).to.deep.equal(['a', 'b', 'c']);
    expect(exportConditionsOfThisProcess([], '')).to.deep.equal([]);
  });
});
