/**
 * event-sourced-rules-engine/http: serves an aggregate over an API Gateway HTTP API (payload
 * format 2.0), as the Lambda handlers `esre generate` writes with `service.api` on do. It
 * imports no AWS SDK: the caller passes the aggregate, with whatever store it uses.
 */
export {
  createHttpHandler,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_MAX_BODY_BYTES,
  MAX_HISTORY_LIMIT,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type AppendResponseBody,
  type HistoryPageBody,
  type HttpHandler,
  type HttpHandlerOptions,
  type IndexKeyType,
  type IndexQueryBody,
  type ServedAggregate,
} from './handler.js';
export { type HttpApiEvent, type HttpApiResult } from './api-gateway.js';
export { PROBLEM_TYPE_BASE, PROBLEM_TYPES, problemTypeUri, type Problem, type ProblemIssue, type ProblemType } from './problem.js';
export { type Logger, type LogEntry } from '../eventbridge/log.js';
