/**
 * The API Gateway HTTP API shapes the handler reads and returns (payload format version 2.0),
 * declared here so that the handler needs no `@types/aws-lambda`: `APIGatewayProxyEventV2`
 * from that package is assignable to {@link HttpApiEvent}.
 */

/** An API Gateway HTTP API request, payload format 2.0: the fields the handler reads. */
export interface HttpApiEvent {
  /** `"2.0"`. */
  readonly version?: string;
  /** The matched route, e.g. `"POST /account/{id}/events"` (the handler routes by `rawPath` itself). */
  readonly routeKey?: string;
  /** The path as sent, percent-encoded, e.g. `/account/a%2F1/events`; with a named stage, it starts with `/<stage>`. */
  readonly rawPath: string;
  /** The query string as sent, without `?`. */
  readonly rawQueryString?: string;
  /** Request headers; API Gateway gives their names in lower case. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: {
    /** API Gateway's id of the request: problems and log lines carry it. */
    readonly requestId?: string;
    /** The stage, `"$default"` for the default stage. */
    readonly stage?: string;
    readonly http: {
      /** `GET`, `POST`, ... */
      readonly method: string;
    };
  };
  /** The body: text, or base64 when {@link isBase64Encoded}. */
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** What the handler returns: API Gateway sends it as the HTTP response. */
export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text (`application/json` or `application/problem+json`). */
  readonly body: string;
  readonly isBase64Encoded: false;
}
