import type { GraphError } from './graph-responses.js';
import type { RouteMatch } from './pipeline.js';

type Method = 'GET' | 'POST' | 'DELETE';

interface RouteSpec {
  name: string;
  method: Method;
  /** Path segments; `{name}` captures one segment. Literal segments match case-insensitively, as in Graph. */
  pattern: string[];
  auth: boolean;
}

function spec(name: string, method: Method, path: string, auth: boolean): RouteSpec {
  return { name, method, pattern: path.split('/').filter(Boolean), auth };
}

const ROUTES: readonly RouteSpec[] = [
  spec('sendMail', 'POST', '/v1.0/users/{mailbox}/sendMail', true),
  spec('sendMail', 'POST', '/v1.0/users/{mailbox}/microsoft.graph.sendMail', true),
  spec('messages', 'GET', '/v1.0/users/{mailbox}/messages', true),
  spec('folderMessages', 'GET', '/v1.0/users/{mailbox}/mailFolders/{folder}/messages', true),
  // Test and dev controls; no token, like the rest of a loopback-only dev tool.
  spec('admin.stats', 'GET', '/_sim/stats', false),
  spec('admin.accepted', 'GET', '/_sim/accepted', false),
  spec('admin.reset', 'POST', '/_sim/reset', false),
  spec('admin.revokeTokens', 'POST', '/_sim/tokens/revoke', false),
  spec('admin.faults.list', 'GET', '/_sim/faults', false),
  spec('admin.faults.add', 'POST', '/_sim/faults', false),
  spec('admin.faults.clear', 'DELETE', '/_sim/faults', false),
  spec('admin.faults.remove', 'DELETE', '/_sim/faults/{id}', false),
];

export type RouteResult = { ok: true; route: RouteMatch } | { ok: false; error: GraphError };

/** Matches a request to a route, or gives Graph's 404 / 405 answer. */
export function matchRoute(method: string, pathname: string): RouteResult {
  const segments = pathname.split('/').filter(Boolean);
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return {
      ok: false,
      error: { status: 400, code: 'BadRequest', message: 'The request URI is malformed.' },
    };
  }
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, decoded);
    if (!params) continue;
    if (route.method === method) return { ok: true, route: { name: route.name, params, auth: route.auth } };
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    return {
      ok: false,
      error: {
        status: 405,
        code: 'BadRequest',
        message: `The requested resource does not support http method '${method}'.`,
        headers: { allow: [...new Set(allowed)].join(', ') },
      },
    };
  }
  const last = decoded.at(-1) ?? '';
  return {
    ok: false,
    error: {
      status: 404,
      code: 'ResourceNotFound',
      message: `Resource not found for the segment '${last}'.`,
    },
  };
}

function matchPattern(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] ?? '';
    const got = segments[i] ?? '';
    if (want.startsWith('{') && want.endsWith('}')) params[want.slice(1, -1)] = got;
    else if (want.toLowerCase() !== got.toLowerCase()) return undefined;
  }
  return params;
}
