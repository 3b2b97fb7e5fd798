import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CorsPreflightOptions,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  CORS_EXPOSE_HEADERS,
  CORS_METHODS,
  DEFAULT_CORS_MAX_AGE_SECONDS,
  MAX_CORS_MAX_AGE_SECONDS,
  corsAllowHeaders,
  corsHeaderProblem,
  corsOriginsProblem,
} from './cors-settings.js';
import { exportConditionsOfThisProcess } from './export-conditions.js';
import { LAMBDA_NODE_OPTIONS, LAMBDA_RUNTIME, lambdaBundling } from './lambda-function.js';

/** The environment variable the generated handler reads the table name from. */
export const EVENT_STORE_TABLE_NAME_VARIABLE = 'EVENT_STORE_TABLE_NAME';

/**
 * The table actions a generated handler needs, and no more: `GetItem` (snapshot), `Query`
 * (history, index queries), and the item actions that authorize the items of a
 * `TransactWriteItems` commit (`PutItem`, `UpdateItem`, `DeleteItem`, `ConditionCheckItem`;
 * DynamoDB has no `TransactWriteItems` IAM action). No `Scan`, no table management.
 */
export const HTTP_HANDLER_TABLE_ACTIONS: readonly string[] = [
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

/** One aggregate served by an {@link EventSourcedHttpApi}. */
export interface HttpApiAggregate {
  /** The first path segment of its routes: the aggregate's folder name, e.g. `account`, `bank-account`. */
  readonly path: string;
  /** The handler module the function is bundled from: the aggregate's generated `api.ts`. */
  readonly entry: string;
  /**
   * Whether to route `GET /{aggregate}/by/{index}/{key}` (default true). False for an aggregate
   * without indexes: the route would only ever answer 404.
   */
  readonly indexQueries?: boolean;
}

/** Default stage throttling of an {@link EventSourcedHttpApi}. */
export interface HttpApiThrottling {
  /** Steady-state requests per second (default 50). */
  readonly rateLimit?: number;
  /** Burst of requests above the rate (default 100). */
  readonly burstLimit?: number;
}

/**
 * Which web apps may call an {@link EventSourcedHttpApi} from a browser (CORS). API Gateway then
 * answers the browsers' preflight `OPTIONS` requests itself (no function runs, no authorization
 * is asked), and adds the CORS headers to every answer to an allowed origin.
 */
export interface HttpApiCors {
  /**
   * Origins allowed, as browsers send them in `Origin`: scheme, host and port only
   * (`https://app.example.com`, `http://localhost:5173`; no path, no trailing slash), compared
   * exactly; or `['*']` for any origin (with `auth: 'none'` the construct warns about it).
   */
  readonly allowOrigins: readonly string[];
  /**
   * Request headers to allow besides those the API needs, which are always allowed:
   * `content-type`, `idempotency-key` and, with IAM authorization, the SigV4 headers
   * (`authorization`, `x-amz-content-sha256`, `x-amz-date`, `x-amz-security-token`).
   */
  readonly allowHeaders?: readonly string[];
  /** How long browsers may cache a preflight answer (default 10 minutes, at most 24 hours; Chromium caps it at 2 hours). */
  readonly maxAge?: Duration;
}

/** Props of {@link EventSourcedHttpApi}. Everything but the table and the aggregates has a secure default. */
export interface EventSourcedHttpApiProps {
  /** The event store's table (an `EventSourcedTable`). */
  readonly table: ITable;
  /** The aggregates to serve: one function and five routes each (four without index queries). */
  readonly aggregates: readonly HttpApiAggregate[];
  /**
   * Who may call the API (default `'iam'`): `'iam'` puts AWS_IAM authorization on every route
   * (callers sign requests with SigV4 and need `execute-api:Invoke`); `'none'` leaves every
   * route open to anyone on the internet, who can then append events. The construct adds a
   * warning annotation for `'none'`, which `cdk synth` prints.
   */
  readonly auth?: 'iam' | 'none';
  /** Default throttling of the stage (defaults: 50 requests per second, bursts of 100). */
  readonly throttling?: HttpApiThrottling;
  /**
   * Lets web apps on the given origins call the API from a browser (default: no CORS, so
   * browsers let only pages served from the API's own origin read its answers). See {@link HttpApiCors}.
   */
  readonly cors?: HttpApiCors;
  /** Name of the API (default: the construct's path). */
  readonly apiName?: string;
  /** Memory of each function in MB (default 512). */
  readonly memorySize?: number;
  /** Timeout of each function (default 10 seconds; API Gateway gives up after 30). */
  readonly timeout?: Duration;
  /** Retention of the functions' and the access log's log groups (default one month). */
  readonly logRetention?: RetentionDays;
  /**
   * Export conditions esbuild resolves packages with (default: the `--conditions` the CDK app
   * itself runs with, so the bundle imports what the app would).
   */
  readonly conditions?: readonly string[];
}

/**
 * The methods of the catch-all route `/{aggregate}/{proxy+}` when CORS is on: all but
 * `OPTIONS`. An `ANY` route would catch the browsers' preflight requests (and ask them for a
 * signature they never carry); with no route for `OPTIONS`, API Gateway answers them itself.
 */
const CATCH_ALL_METHODS_WITH_CORS: readonly HttpMethod[] = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.HEAD];

/** The fields of each access log line (JSON), from API Gateway's `$context` variables. */
const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * An API Gateway HTTP API over the generated command and query handlers of a service:
 * one Node.js 22 arm64 `NodejsFunction` per aggregate (bundled from its generated `api.ts` with
 * the local esbuild, no Docker; the AWS SDK is left to the Lambda runtime), routed as
 * `POST /{aggregate}/{id}/events`, `GET /{aggregate}/{id}`, `GET /{aggregate}/{id}/events` and
 * `GET /{aggregate}/by/{index}/{key}`, plus `ANY /{aggregate}/{proxy+}` so that any other
 * request under the aggregate gets the handler's `application/problem+json` 404 or 405.
 *
 * Secure by default:
 * - every route has AWS_IAM authorization unless `auth: 'none'` (then a warning annotation);
 * - each function has its own role: the item actions of {@link HTTP_HANDLER_TABLE_ACTIONS} on
 *   this table (and its indexes), the table's key when it has a customer-managed one, writes to
 *   its own log group; no managed policies, no `Scan`, no `*` action;
 * - access logs (JSON lines) go to a log group with a retention; the `$default` stage is
 *   throttled (50 requests per second, bursts of 100, unless given);
 * - no CORS unless `cors` names the origins allowed. With it, the catch-all route takes every
 *   method but `OPTIONS` (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`) instead of `ANY`, so
 *   that no route, and no authorizer, catches a browser's preflight: API Gateway answers it.
 */
export class EventSourcedHttpApi extends Construct {
  /** The HTTP API. */
  readonly api: HttpApi;
  /** Its `$default` stage, deployed automatically. */
  readonly stage: HttpStage;
  /** The URL of the stage, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/`. */
  readonly url: string;
  /** Where access logs go. */
  readonly accessLogGroup: LogGroup;
  /** The function of each aggregate, by its path segment. */
  readonly functions: Readonly<Record<string, NodejsFunction>>;

  constructor(scope: Construct, id: string, props: EventSourcedHttpApiProps) {
    super(scope, id);
    if (props.aggregates.length === 0) throw new Error(`${this.node.path}: give at least one aggregate to serve`);
    const seen = new Set<string>();
    for (const { path } of props.aggregates) {
      if (!/^[a-z][a-z0-9-]*$/.test(path)) throw new Error(`${this.node.path}: ${JSON.stringify(path)} is not a path segment (lowercase letters, digits and "-", e.g. "bank-account")`);
      if (seen.has(path)) throw new Error(`${this.node.path}: aggregate path ${path} is given twice`);
      seen.add(path);
    }
    const auth = props.auth ?? 'iam';
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName ?? this.node.path.replace(/\//g, '-'),
      description: 'event-sourced-rules-engine: commands and queries of the generated aggregates',
      createDefaultStage: false,
      ...(props.cors ? { corsPreflight: this.corsPreflight(props.cors, auth) } : {}),
    });
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttling?.rateLimit ?? 50, burstLimit: props.throttling?.burstLimit ?? 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.stage.url;

    const authorizer: IHttpRouteAuthorizer = auth === 'iam' ? new HttpIamAuthorizer() : new HttpNoneAuthorizer();
    if (auth === 'none') {
      Annotations.of(this).addWarningV2(
        'event-sourced-rules-engine:httpApiWithoutAuthorization',
        "auth: 'none': every route of this HTTP API is open to anyone who knows its URL, who can append events and read every aggregate. Use IAM authorization unless something else in front of the API authorizes requests.",
      );
    }
    const conditions = props.conditions ?? exportConditionsOfThisProcess();
    const functions: Record<string, NodejsFunction> = {};
    for (const aggregate of props.aggregates) {
      const fn = this.handlerFunction(aggregate, props, retention, conditions);
      functions[aggregate.path] = fn;
      const integration = new HttpLambdaIntegration(`${aggregate.path}-integration`, fn);
      const routes: [string, HttpMethod][] = [
        [`/${aggregate.path}/{id}/events`, HttpMethod.POST],
        [`/${aggregate.path}/{id}`, HttpMethod.GET],
        [`/${aggregate.path}/{id}/events`, HttpMethod.GET],
        ...(aggregate.indexQueries === false ? [] : [[`/${aggregate.path}/by/{index}/{key}`, HttpMethod.GET] as [string, HttpMethod]]),
        ...(props.cors ? CATCH_ALL_METHODS_WITH_CORS : [HttpMethod.ANY]).map((method): [string, HttpMethod] => [`/${aggregate.path}/{proxy+}`, method]),
      ];
      for (const [path, method] of routes) this.api.addRoutes({ path, methods: [method], integration, authorizer });
    }
    this.functions = functions;
  }

  /** The API's CORS configuration, checked; a warning for any origin on an API without authorization. */
  private corsPreflight(cors: HttpApiCors, auth: 'iam' | 'none'): CorsPreflightOptions {
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: cors.${message}`);
    };
    const originsProblem = corsOriginsProblem(cors.allowOrigins);
    if (originsProblem) fail(`allowOrigins: ${originsProblem}`);
    for (const name of cors.allowHeaders ?? []) {
      const problem = corsHeaderProblem(name);
      if (problem) fail(`allowHeaders: ${problem}`);
    }
    const maxAge = cors.maxAge ?? Duration.seconds(DEFAULT_CORS_MAX_AGE_SECONDS);
    if (!maxAge.isUnresolved() && maxAge.toSeconds() > MAX_CORS_MAX_AGE_SECONDS) fail(`maxAge: at most ${MAX_CORS_MAX_AGE_SECONDS} seconds (24 hours), API Gateway's limit`);
    if (auth === 'none' && cors.allowOrigins.includes('*')) {
      Annotations.of(this).addWarningV2(
        'event-sourced-rules-engine:httpApiCorsAnyOriginWithoutAuthorization',
        "cors.allowOrigins ['*'] with auth: 'none': any web page can make its visitors' browsers append events to this API. List the origins of your web apps instead.",
      );
    }
    return {
      allowOrigins: [...cors.allowOrigins],
      allowMethods: CORS_METHODS.map((method) => CorsHttpMethod[method]),
      allowHeaders: corsAllowHeaders(auth, cors.allowHeaders),
      exposeHeaders: [...CORS_EXPOSE_HEADERS],
      maxAge,
    };
  }

  private handlerFunction(aggregate: HttpApiAggregate, props: EventSourcedHttpApiProps, retention: RetentionDays, conditions: readonly string[]): NodejsFunction {
    const scope = new Construct(this, aggregate.path);
    const logGroup = new LogGroup(scope, 'LogGroup', { retention });
    const role = new Role(scope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Serves the HTTP routes /${aggregate.path}/... of the event store`,
    });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    const fn = new NodejsFunction(scope, 'Function', {
      entry: aggregate.entry,
      handler: 'handler',
      ...LAMBDA_RUNTIME,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      description: `event-sourced-rules-engine: HTTP commands and queries of /${aggregate.path}`,
      environment: {
        [EVENT_STORE_TABLE_NAME_VARIABLE]: props.table.tableName,
        ...LAMBDA_NODE_OPTIONS,
      },
      bundling: lambdaBundling(conditions),
    });
    props.table.grant(fn, ...HTTP_HANDLER_TABLE_ACTIONS);
    props.table.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The handler is bundled and tested for Node.js 22 (target node22); moving to a newer runtime is a deliberate, tested upgrade of this construct.',
    });
    return fn;
  }
}
