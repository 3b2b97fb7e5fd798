// The EventSourcedHttpApi construct: an IAM-authorized HTTP API over one bundled Lambda per
// aggregate, least-privilege table grants, access logs, throttling; checked with `cdk synth`
// (Template assertions, the real esbuild bundling) and cdk-nag AwsSolutions.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { TableEncryptionV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { expect } from 'chai';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  EVENT_STORE_TABLE_NAME_VARIABLE,
  EventSourcedHttpApi,
  type EventSourcedHttpApiProps,
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

  describe('cors: browsers on other origins', () => {
    const routesOf = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources).map((route) => route.Properties);
    const corsOf = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Api') as Resources)[0]!.Properties.CorsConfiguration;

    it('has no CORS unless configured: no CorsConfiguration, and the catch-all route takes ANY method', () => {
      const stack = new Stack(noBundling(), 'NoCors');
      new EventSourcedHttpApi(stack, 'Http', { table: new EventSourcedTable(stack, 'EventStore'), aggregates: aggregates.slice(0, 1) });
      const template = Template.fromStack(stack);
      expect(corsOf(template)).to.equal(undefined);
      expect(routesOf(template).map((route) => route.RouteKey)).to.include('ANY /account/{proxy+}');
    });

    it('configures the preflight: the origins, GET and POST, the headers the API reads and SigV4 signs, Location exposed, maxAge; no route catches OPTIONS; AWS_IAM stays on every route; cdk-nag clean', () => {
      const stack = new Stack(noBundling(), 'Cors');
      new EventSourcedHttpApi(stack, 'Http', {
        table: new EventSourcedTable(stack, 'EventStore'),
        aggregates,
        cors: { allowOrigins: ['https://app.example.com', 'http://localhost:5173'], allowHeaders: ['X-Request-Id'], maxAge: Duration.minutes(5) },
      });
      const template = Template.fromStack(stack);
      expect(corsOf(template)).to.deep.equal({
        AllowOrigins: ['https://app.example.com', 'http://localhost:5173'],
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: ['content-type', 'idempotency-key', 'authorization', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token', 'x-request-id'],
        ExposeHeaders: ['location'],
        MaxAge: 300,
      });
      const routes = routesOf(template);
      const keys = routes.map((route) => route.RouteKey as string);
      // API Gateway answers a preflight itself only when no route matches OPTIONS: no ANY, no OPTIONS route
      expect(keys.filter((key) => key.startsWith('ANY ') || key.startsWith('OPTIONS '))).to.deep.equal([]);
      expect(keys.filter((key) => key.startsWith('GET /account/') || key.startsWith('POST /account/')).sort()).to.deep.equal(
        ['GET /account/by/{index}/{key}', 'GET /account/{id}', 'GET /account/{id}/events', 'GET /account/{proxy+}', 'POST /account/{id}/events', 'POST /account/{proxy+}'].sort(),
      );
      expect(keys.filter((key) => key.endsWith(' /bank-account/{proxy+}')).map((key) => key.split(' ')[0]).sort()).to.deep.equal(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT']);
      for (const route of routes) expect(route.AuthorizationType, route.RouteKey).to.equal('AWS_IAM');
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).to.deep.equal([]);
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations.filter((violation) => violation.severity === 'error').map((violation) => violation.ruleName)).to.deep.equal([]);
    });

    it("allows any origin with '*': quietly with IAM authorization (requests still need a signature), with a synth warning with auth: 'none'", () => {
      const withIam = new Stack(noBundling(), 'AnyOriginIam');
      new EventSourcedHttpApi(withIam, 'Http', { table: new EventSourcedTable(withIam, 'EventStore'), aggregates: aggregates.slice(0, 1), cors: { allowOrigins: ['*'] } });
      const template = Template.fromStack(withIam);
      expect(corsOf(template)).to.deep.include({ AllowOrigins: ['*'], MaxAge: 600 });
      expect(Annotations.fromStack(withIam).findWarning('*', Match.anyValue())).to.deep.equal([]);

      const open = new Stack(noBundling(), 'AnyOriginOpen');
      new EventSourcedHttpApi(open, 'Http', { table: new EventSourcedTable(open, 'EventStore'), aggregates: aggregates.slice(0, 1), auth: 'none', cors: { allowOrigins: ['*'] } });
      expect(corsOf(Template.fromStack(open)).AllowHeaders).to.deep.equal(['content-type', 'idempotency-key']);
      Annotations.fromStack(open).hasWarning('/AnyOriginOpen/Http', Match.stringLikeRegexp("cors.allowOrigins \\['\\*'\\] with auth: 'none'.*List the origins"));
    });

    it('refuses origins a browser never sends, "*" among origins, a bad header name, a maxAge over 24 hours', () => {
      const stack = new Stack(noBundling(), 'BadCors');
      const table = new EventSourcedTable(stack, 'EventStore');
      const bad: [string, EventSourcedHttpApiProps['cors'], RegExp][] = [
        ['none', { allowOrigins: [] }, /cors\.allowOrigins: give the origins/],
        ['slash', { allowOrigins: ['https://app.example.com/'] }, /write "https:\/\/app\.example\.com"/],
        ['path', { allowOrigins: ['https://app.example.com/app'] }, /write "https:\/\/app\.example\.com"/],
        ['port', { allowOrigins: ['https://app.example.com:443'] }, /write "https:\/\/app\.example\.com"/],
        ['bare', { allowOrigins: ['app.example.com'] }, /not an origin; give scheme and host/],
        ['pattern', { allowOrigins: ['https://*.example.com'] }, /is a pattern; list each origin/],
        ['mixed', { allowOrigins: ['*', 'https://app.example.com'] }, /give it alone/],
        ['header', { allowOrigins: ['https://app.example.com'], allowHeaders: ['x request'] }, /cors\.allowHeaders: "x request" is not a header name/],
        ['age', { allowOrigins: ['https://app.example.com'], maxAge: Duration.hours(25) }, /cors\.maxAge: at most 86400 seconds/],
      ];
      for (const [id, cors, message] of bad) expect(() => new EventSourcedHttpApi(stack, id, { table, aggregates: aggregates.slice(0, 1), cors }), id).to.throw(message);
    });
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
