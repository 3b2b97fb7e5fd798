/**
 * The routes of one aggregate, `{aggregate}` being its path segment (its folder name):
 * `POST /{aggregate}/{id}/events`, `GET /{aggregate}/{id}`, `GET /{aggregate}/{id}/events`,
 * `GET /{aggregate}/by/{index}/{key}`.
 */
import { HttpProblem, PROBLEM_TYPES } from './problem.js';

/** What a request asks for. */
export type Route =
  | { readonly kind: 'append'; readonly id: string }
  | { readonly kind: 'snapshot'; readonly id: string }
  | { readonly kind: 'history'; readonly id: string }
  | { readonly kind: 'query'; readonly index: string; readonly key: string };

/**
 * The route of a request, or an {@link HttpProblem} thrown: 404 for a path that is none of the
 * routes, 405 (with `Allow`) for a method a path does not take, 400 for a path that is not
 * percent-encoded UTF-8. `path` is the raw path without the stage.
 */
export function matchRoute(prefix: string, method: string, path: string): Route {
  const notFound = () => new HttpProblem(PROBLEM_TYPES.notFound, `no route ${method} ${path}`);
  const head = `/${prefix}/`;
  if (!path.startsWith(head)) throw notFound();
  const raw = path.slice(head.length).split('/');
  if (raw.some((segment) => segment === '')) throw notFound();
  let segments: string[];
  try {
    segments = raw.map((segment) => decodeURIComponent(segment));
  } catch {
    throw new HttpProblem(PROBLEM_TYPES.badRequest, `the path ${path} is not percent-encoded UTF-8`);
  }
  const allow = (methods: string[], route: Route): Route => {
    if (methods.includes(method)) return route;
    throw new HttpProblem(PROBLEM_TYPES.methodNotAllowed, `${method} is not allowed on ${path}; allowed: ${methods.join(', ')}`, undefined, { allow: methods.join(', ') });
  };
  const [first, second, third] = segments;
  if (segments.length === 1) return allow(['GET'], { kind: 'snapshot', id: first! });
  if (segments.length === 2 && raw[1] === 'events') return allow(['GET', 'POST'], method === 'POST' ? { kind: 'append', id: first! } : { kind: 'history', id: first! });
  if (segments.length === 3 && raw[0] === 'by') return allow(['GET'], { kind: 'query', index: second!, key: third! });
  throw notFound();
}
