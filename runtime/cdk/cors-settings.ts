/**
 * The CORS settings of the generated HTTP API, checked alike by `esre generate` (`service.api.cors`)
 * and by `EventSourcedHttpApi` (its `cors` prop). No CDK import: the compiler loads this module.
 */

/** Request headers a browser must be allowed to send for the API to work: those the handler reads. */
export const CORS_API_HEADERS: readonly string[] = ['content-type', 'idempotency-key'];

/** With IAM authorization, also the headers of an AWS Signature Version 4 (`x-amz-security-token` with temporary credentials). */
export const CORS_SIGV4_HEADERS: readonly string[] = ['authorization', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'];

/** Response headers a page may read besides the CORS-safelisted ones: `Location` of a 201. */
export const CORS_EXPOSE_HEADERS: readonly string[] = ['location'];

/** The methods of the routes (the preflight answers them). */
export const CORS_METHODS: readonly ('GET' | 'POST')[] = ['GET', 'POST'];

/** Default time browsers may cache a preflight answer: 10 minutes. */
export const DEFAULT_CORS_MAX_AGE_SECONDS = 600;

/** The longest preflight cache API Gateway takes: 24 hours (Chromium caps it at 2 hours, Firefox at 24). */
export const MAX_CORS_MAX_AGE_SECONDS = 86_400;

/** A header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Why an entry of `allowOrigins` cannot work, or undefined when it can: `'*'`, or an origin as a
 * browser sends it in the `Origin` header (scheme, host, and a port unless the scheme's default;
 * no path, no trailing slash), which API Gateway compares exactly. Patterns such as
 * `https://*.example.com` are not origins: list each one.
 */
export function corsOriginProblem(origin: unknown): string | undefined {
  if (origin === '*') return undefined;
  if (typeof origin !== 'string' || origin.length === 0) return `${JSON.stringify(origin)} is not an origin; give a string such as "https://app.example.com"`;
  if (origin.includes('*')) return `${JSON.stringify(origin)} is a pattern; list each origin (API Gateway compares origins exactly), or give "*" alone for any`;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `${JSON.stringify(origin)} is not an origin; give scheme and host, e.g. "https://app.example.com"`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${JSON.stringify(origin)} is not a web origin; give an https:// (or http://) origin`;
  if (url.origin !== origin) {
    return `${JSON.stringify(origin)} is not written as browsers send it in Origin (API Gateway compares exactly): write ${JSON.stringify(url.origin)}`;
  }
  return undefined;
}

/** Why an entry of `allowHeaders` is not a header name, or undefined when it is. */
export function corsHeaderProblem(name: unknown): string | undefined {
  if (typeof name === 'string' && TOKEN.test(name)) return undefined;
  return `${JSON.stringify(name)} is not a header name`;
}

/**
 * Why a list of origins cannot work, or undefined when it can: at least one, each usable (see
 * {@link corsOriginProblem}), and `'*'` only alone.
 */
export function corsOriginsProblem(origins: unknown): string | undefined {
  if (!Array.isArray(origins) || origins.length === 0) return 'give the origins allowed to call the API from a browser, e.g. ["https://app.example.com"], or ["*"] for any';
  for (const origin of origins) {
    const problem = corsOriginProblem(origin);
    if (problem) return problem;
  }
  if (origins.includes('*') && origins.length > 1) return '"*" allows every origin: give it alone, or list origins without it';
  return undefined;
}

/** The request headers the preflight allows: the API's own, the signature's with IAM, then the extra ones; lower case, each once. */
export function corsAllowHeaders(auth: 'iam' | 'none', extra: readonly string[] = []): string[] {
  const headers = [...CORS_API_HEADERS, ...(auth === 'iam' ? CORS_SIGV4_HEADERS : []), ...extra.map((name) => name.toLowerCase())];
  return [...new Set(headers)];
}
