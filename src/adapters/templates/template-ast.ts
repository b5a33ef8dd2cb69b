import type Handlebars from 'handlebars';

/** What `Handlebars.parse` returns. */
export type ParsedTemplate = ReturnType<typeof Handlebars.parse>;

/**
 * What a template reads and calls, found from its parsed AST (`Handlebars.parse`) rather than from its
 * text, so a loader can check it against the manifest before any message is rendered: every field it
 * reads is declared, every helper exists, and nothing is emitted unescaped.
 */

// The AST as Handlebars really produces it (the bundled typings mark optional parts as required).
interface Node {
  type: string;
}
interface PathExpression extends Node {
  type: 'PathExpression';
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}
interface Hash {
  pairs: { key: string; value: Node }[];
}
interface Call extends Node {
  path: Node;
  params: Node[];
  hash?: Hash | null;
}
interface Mustache extends Call {
  type: 'MustacheStatement';
  escaped: boolean;
}
interface Program extends Node {
  body: Node[];
}
interface Block extends Call {
  type: 'BlockStatement';
  program: Program;
  inverse?: Program | null;
}

export interface TemplateUsage {
  /** Message-data paths read at the top level, e.g. `startDate`, `salary.amount`. */
  fields: Set<string>;
  /** Fields iterated with `#each`: they must be declared as lists. */
  listFields: Set<string>;
  helpers: Set<string>;
  /** Unescaped output (`{{{x}}}` or `{{&x}}`), by what it outputs. */
  unescaped: string[];
  /** Constructs this catalog does not allow, phrased for a load error. */
  problems: string[];
}

/** Block helpers a template may use. `with` and partials are left out: they hide which fields are read. */
const BLOCKS = new Set(['if', 'unless', 'each']);

const isPath = (n: Node): n is PathExpression => n.type === 'PathExpression';

function describe(n: Node): string {
  return isPath(n) ? n.original : n.type;
}

export function analyseTemplate(program: ParsedTemplate, helpers: ReadonlySet<string>): TemplateUsage {
  const usage: TemplateUsage = {
    fields: new Set(),
    listFields: new Set(),
    helpers: new Set(),
    unescaped: [],
    problems: [],
  };

  /** The data path a path expression reads from the top-level context, if it reads one. */
  const rootPath = (p: PathExpression, scope: number): string | undefined => {
    if (p.data) return p.parts[0] === 'root' && p.parts.length > 1 ? p.parts.slice(1).join('.') : undefined;
    if (p.depth !== scope) {
      // Inside #each: the item. List items are text, so `this` is the only thing to read from one.
      if (p.depth < scope && p.parts.length > 0) {
        usage.problems.push(`reads "${p.original}" inside #each; list items are text, use {{this}}`);
      }
      return undefined;
    }
    if (p.parts.length === 0) {
      usage.problems.push('uses "this" at the top level; name the field instead');
      return undefined;
    }
    return p.parts.join('.');
  };

  const expression = (n: Node, scope: number): void => {
    if (isPath(n)) {
      const field = rootPath(n, scope);
      if (field !== undefined) usage.fields.add(field);
    } else if (n.type === 'SubExpression') {
      call(n as Call, scope);
    }
  };

  const call = (c: Call, scope: number): void => {
    const name = describe(c.path);
    if (helpers.has(name)) usage.helpers.add(name);
    else usage.problems.push(`uses helper "${name}", which is not available in this file`);
    for (const p of c.params) expression(p, scope);
    for (const pair of c.hash?.pairs ?? []) expression(pair.value, scope);
  };

  const block = (b: Block, scope: number): void => {
    const name = describe(b.path);
    if (!BLOCKS.has(name)) {
      usage.problems.push(`uses block "{{#${name}}}"; only if, unless and each are allowed`);
      return;
    }
    for (const p of b.params) expression(p, scope);
    for (const pair of b.hash?.pairs ?? []) expression(pair.value, scope);
    if (name === 'each') {
      const list = b.params[0];
      const field = list && isPath(list) ? rootPath(list, scope) : undefined;
      if (field !== undefined) usage.listFields.add(field);
      walk(b.program, scope + 1);
    } else {
      walk(b.program, scope);
    }
    if (b.inverse) walk(b.inverse, scope);
  };

  const statement = (n: Node, scope: number): void => {
    switch (n.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const m = n as Mustache;
        if (!m.escaped) usage.unescaped.push(describe(m.path));
        const isCall =
          m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0 || helpers.has(describe(m.path));
        if (isCall) call(m, scope);
        else expression(m.path, scope);
        return;
      }
      case 'BlockStatement':
        block(n as Block, scope);
        return;
      default:
        // Partials, decorators and inline partials: templates are self-contained files here.
        usage.problems.push(`uses ${n.type}, which this catalog does not support`);
    }
  };

  const walk = (p: Program, scope: number): void => {
    for (const n of p.body) statement(n, scope);
  };

  walk(program, 0);
  return usage;
}
