/**
 * API Gateway HTTP API requests as API Gateway hands them to Lambda (payload format 2.0, the
 * `$default` stage, IAM authorization): every field a real event carries, so the handler is
 * tested against what it will receive.
 */
import { randomUUID } from 'node:crypto';

/** A request to build: method, path (percent-encoded as sent), optional query, headers, body. */
export interface RequestSpec {
  readonly method: string;
  /** As sent, percent-encoded, e.g. `/account/a%2F1/events`. */
  readonly path: string;
  readonly query?: string;
  readonly headers?: Record<string, string>;
  /** A value to send as JSON (with `content-type: application/json` unless headers say otherwise), or raw text. */
  readonly json?: unknown;
  readonly text?: string;
  readonly base64?: boolean;
  /** The route API Gateway matched (defaults to the generated routes' keys). */
  readonly routeKey?: string;
  readonly stage?: string;
}

/** The route API Gateway matches for a path of the generated routes, and its decoded path parameters. */
function routeOf(method: string, path: string): { routeKey: string; pathParameters: Record<string, string> } {
  const segments = path.split('/').filter(Boolean);
  const decode = (segment: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  };
  const [aggregate, first, second, third] = segments;
  if (method === 'GET' && segments.length === 2) return { routeKey: `GET /${aggregate}/{id}`, pathParameters: { id: decode(first!) } };
  if ((method === 'GET' || method === 'POST') && segments.length === 3 && second === 'events') return { routeKey: `${method} /${aggregate}/{id}/events`, pathParameters: { id: decode(first!) } };
  if (method === 'GET' && segments.length === 4 && first === 'by') return { routeKey: `GET /${aggregate}/by/{index}/{key}`, pathParameters: { index: decode(second!), key: decode(third!) } };
  return { routeKey: `ANY /${aggregate}/{proxy+}`, pathParameters: { proxy: decode(segments.slice(1).join('/')) } };
}

/** An `APIGatewayProxyEventV2` (payload format 2.0) for `spec`. */
export function httpApiEvent(spec: RequestSpec) {
  const stage = spec.stage ?? '$default';
  const rawPath = stage === '$default' ? spec.path : `/${stage}${spec.path}`;
  const body = spec.json !== undefined ? JSON.stringify(spec.json) : spec.text;
  const headers: Record<string, string> = {
    accept: '*/*',
    'content-length': String(body === undefined ? 0 : Buffer.byteLength(body)),
    host: 'abc123defg.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'aws-sdk-js/3 test',
    'x-amz-date': '20261130T060000Z',
    'x-amzn-trace-id': 'Root=1-6567d1a0-0123456789abcdef01234567',
    'x-forwarded-for': '192.0.2.10',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...(spec.json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...Object.fromEntries(Object.entries(spec.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
  };
  const query = spec.query ?? '';
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  const requestId = randomUUID().slice(0, 18).replace(/-/g, '') + '=';
  const route = routeOf(spec.method, spec.path);
  const routeKey = spec.routeKey ?? route.routeKey;
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: query,
    headers,
    ...(query ? { queryStringParameters } : {}),
    pathParameters: route.pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      authorizer: { iam: { accessKey: 'AKIAEXAMPLE', accountId: '123456789012', callerId: 'AIDAEXAMPLE', principalOrgId: null, userArn: 'arn:aws:iam::123456789012:user/tester', userId: 'AIDAEXAMPLE' } },
      domainName: 'abc123defg.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123defg',
      http: { method: spec.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'aws-sdk-js/3 test' },
      requestId,
      routeKey,
      stage,
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body: spec.base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: spec.base64 ?? false }),
    ...(body === undefined ? { isBase64Encoded: false } : {}),
  };
}
