// The API reference page (/docs), rendered on the server from the service's own OpenAPI
// document: every operation with who may call it, its parameters, body, responses and the
// schemas they refer to. No script, no font, nothing from elsewhere.

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: unknown; example?: unknown }> };
  responses?: Record<string, { description?: string; headers?: Json; content?: Json }>;
  'x-roles'?: string[];
}
export interface DocsDocument {
  info?: { description?: string; version?: string };
  servers?: { url: string }[];
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const SCHEMA_REF = '#/components/schemas/';

export function docsPage(
  title: string,
  document: DocsDocument,
  specPath = '/openapi.json',
): string {
  const schemas = document.components?.schemas ?? {};
  const byTag = new Map<string, { path: string; method: string; op: Operation }[]>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { path, method, op }]);
    }
  }
  const tags = [...byTag.keys()].sort();
  const operations = tags
    .map(
      (tag) =>
        `<h2 id="tag-${attr(tag)}">${esc(tag)}</h2>\n${byTag
          .get(tag)!
          .map((e) => operation(e.path, e.method, e.op, schemas))
          .join('\n')}`,
    )
    .join('\n');
  const schemaList = Object.keys(schemas)
    .sort()
    .map(
      (name) =>
        `<section id="schema-${attr(name)}"><h3>${esc(name)}</h3>${json(schemas[name])}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#8b1a1a;color:#fff;padding:12px 20px}header a{color:#fff}
main{max-width:980px;margin:0 auto;padding:16px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:10px 0;padding:10px 14px}
.m{display:inline-block;min-width:56px;font-weight:700;font-family:monospace}
.get{color:#0a5c2e}.post{color:#0b4a8b}.put{color:#7a4b00}.delete{color:#8b1a1a}
code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{background:#f3f3f3;padding:8px;overflow:auto;max-height:420px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left;vertical-align:top}
details summary{cursor:pointer}
h2{font-size:17px;margin:18px 0 4px}h3{font-size:15px;margin:0 0 4px}
nav a{margin-right:10px}
</style>
</head>
<body>
<header><h1 style="margin:0;font-size:20px">${esc(title)}</h1>
<div>API 参考 · API reference · <a href="${attr(specPath)}">openapi.json</a>${
    document.info?.version ? ` · ${esc(document.info.version)}` : ''
  }</div></header>
<main>
${document.info?.description ? `<p>${markdownCode(document.info.description)}</p>` : ''}
<nav>${tags.map((t) => `<a href="#tag-${attr(t)}">${esc(t)}</a>`).join('')}<a href="#schemas">模式 · schemas</a></nav>
${operations}
<h2 id="schemas">模式 · Schemas</h2>
${schemaList}
</main>
</body>
</html>`;
}

function operation(path: string, method: string, op: Operation, schemas: Json): string {
  const roles = op['x-roles'];
  const params = op.parameters?.length
    ? `<table><tr><th>参数 · parameter</th><th>in</th><th></th><th></th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${
              p.required ? 'required' : ''
            }</td><td>${esc(p.description ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const body = Object.entries(op.requestBody?.content ?? {})
    .map(
      ([type, media]) =>
        `<h3>请求体 · body <code>${esc(type)}</code></h3>${json(media.schema)}${
          media.example === undefined ? '' : `<h3>示例 · example</h3>${json(media.example)}`
        }`,
    )
    .join('');
  const responses = `<table><tr><th>状态 · status</th><th></th></tr>${Object.entries(
    op.responses ?? {},
  )
    .map(
      ([status, r]) =>
        `<tr><td><code>${esc(status)}</code></td><td>${markdownCode(r.description ?? '')}${
          r.headers && Object.keys(r.headers).length
            ? `<br><small>headers: ${Object.keys(r.headers).map(esc).join(', ')}</small>`
            : ''
        }${Object.entries(r.content ?? {})
          .map(([type, media]) => `<br><small>${esc(type)}</small>${schemaOf(media)}`)
          .join('')}</td></tr>`,
    )
    .join('')}</table>`;
  const referred = [...referredSchemas(op, schemas)].sort();
  return `<section id="op-${attr(op.operationId ?? `${method} ${path}`)}">
<div><span class="m ${attr(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> <small><code>${esc(op.operationId ?? '')}</code></small></div>
${op.summary ? `<div>${esc(op.summary)}</div>` : ''}
<div>可用角色 · Roles: ${roles?.length ? roles.map((r) => `<code>${esc(r)}</code>`).join(' ') : '—'}</div>
${
  referred.length
    ? `<div>模式 · Schemas: ${referred.map((n) => `<a href="#schema-${attr(n)}">${esc(n)}</a>`).join(' ')}</div>`
    : ''
}
<details><summary>参数、请求体与响应 · parameters, body and responses</summary>
${op.description ? `<p>${markdownCode(op.description)}</p>` : ''}${params}${body}${responses}
</details></section>`;
}

/** The component schemas an operation refers to, directly or through other schemas. */
function referredSchemas(op: Operation, schemas: Json): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const inner of value) visit(inner);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF)) {
        const name = inner.slice(SCHEMA_REF.length);
        if (!found.has(name)) {
          found.add(name);
          visit(schemas[name]);
        }
      } else visit(inner);
    }
  };
  visit({ parameters: op.parameters, requestBody: op.requestBody, responses: op.responses });
  return found;
}

/** A response's schema: a link when it is a component, else the schema itself. */
function schemaOf(media: unknown): string {
  const { schema, example } = (media ?? {}) as { schema?: { $ref?: string }; example?: unknown };
  const ref = schema?.$ref?.startsWith(SCHEMA_REF) ? schema.$ref.slice(SCHEMA_REF.length) : null;
  const shown = ref ? ` <a href="#schema-${attr(ref)}">${esc(ref)}</a>` : json(schema);
  return example === undefined ? shown : `${shown}<small>示例 · example</small>${json(example)}`;
}

/** JSON in a <pre>, each schema reference a link to the schema. */
function json(value: unknown): string {
  const text = esc(JSON.stringify(value, null, 2) ?? '');
  return `<pre>${text.replace(
    /&#34;#\/components\/schemas\/([A-Za-z0-9_.-]+)&#34;/g,
    (_, name: string) => `<a href="#schema-${attr(name)}">&#34;${SCHEMA_REF}${name}&#34;</a>`,
  )}</pre>`;
}

/** `code` spans of a description, the rest escaped. */
function markdownCode(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
const attr = esc;
