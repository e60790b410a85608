/**
 * The second half of coalesce-eventfd-wakeups: an event-loop thread that queues tasks for other workers
 * owes each of them one wake-up, paid when its own loop iteration ends, instead of one per task.
 *
 * Why: "wake only when nothing was pending" still writes whenever the target has drained its queue and
 * parked, and a worker that finishes each task faster than the producer queues the next parks between
 * them: measured on the demo (two workers handing every request over twice, wrk with 200 connections on
 * a 2-core machine) that left 0.24 writes per request, from 1.95 (−86%). Paying the wake-ups once per
 * loop iteration hands the target the producer's whole batch at once: 0.03 writes per request (−98%),
 * requests/s equal or higher, latency unchanged. Threads that run no event loop still wake at once.
 *
 * The cost, said in the code the recipe writes: a wake-up waits for the rest of the producer's
 * iteration (one batch of completions and queued tasks), so a task that blocks its event-loop thread
 * also delays the workers it queued for — blocking an event loop is a bug of its own.
 *
 * This module decides whether the shape allows it (the producer's arguments can be captured safely, the
 * producer and the loop share a file) and writes the pieces; when it does not, the recipe falls back to
 * the immediate guarded wake.
 */
import type { SyntaxNode } from '../../core/symbols/cpp-parser';
import type { Workspace, SourceFile } from '../workspace';

interface LocalVar {
  /** `&` for an lvalue reference, `&&` for an rvalue reference, null for a value. */
  ref: '&' | '&&' | null;
}

/** The innermost identifier a declarator declares, and whether it declares a reference. */
function declared(declarator: SyntaxNode | null): { name: string; ref: LocalVar['ref'] } | null {
  let ref: LocalVar['ref'] = null;
  let cur = declarator;
  for (let guard = 0; cur && guard < 16; guard++) {
    if (cur.type === 'identifier') return { name: cur.text, ref };
    if (cur.type === 'reference_declarator') ref = cur.text.trimStart().startsWith('&&') ? '&&' : '&';
    else if (cur.type === 'init_declarator' || cur.type === 'pointer_declarator') {
      // A pointer is copied by value; a reference to a pointer stays a reference.
    } else if (cur.type !== 'parenthesized_declarator') return null;
    cur =
      cur.childForFieldName('declarator') ??
      cur.namedChildren.find((c) => c !== null && (c.type === 'identifier' || c.type.endsWith('declarator'))) ??
      null;
  }
  return null;
}

/** The `function_declarator` of a definition (under pointer/reference declarators for the return type). */
function functionDeclarator(fn: SyntaxNode): SyntaxNode | null {
  let decl = fn.childForFieldName('declarator');
  while (decl && decl.type !== 'function_declarator') decl = decl.childForFieldName('declarator');
  return decl;
}

/** Parameters and the locals declared before `before`, outside nested lambdas. */
function localsOf(fn: SyntaxNode, before: number): Map<string, LocalVar> | null {
  const out = new Map<string, LocalVar>();
  const params = functionDeclarator(fn)?.childForFieldName('parameters');
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === 'variadic_parameter_declaration') return null;
    if (p.type !== 'parameter_declaration' && p.type !== 'optional_parameter_declaration') continue;
    const d = p.childForFieldName('declarator');
    if (!d) continue;
    const v = declared(d);
    if (!v) return null;
    out.set(v.name, { ref: v.ref });
  }
  const body = fn.childForFieldName('body');
  for (const decl of body?.descendantsOfType('declaration') ?? []) {
    if (!decl || decl.startIndex >= before) continue;
    let inLambda = false;
    for (let cur = decl.parent; cur && cur.id !== body!.id; cur = cur.parent)
      if (cur.type === 'lambda_expression') inLambda = true;
    if (inLambda) continue;
    for (const d of decl.childrenForFieldName('declarator')) {
      if (!d) continue;
      const v = declared(d);
      if (v) out.set(v.name, { ref: v.ref });
    }
  }
  return out;
}

/** Whether `fn` is a non-static member function (true), a free function (false), or unclear (null). */
async function isInstanceMember(fn: SyntaxNode, ws: Workspace, name: string): Promise<boolean | null> {
  const staticRe = new RegExp(`\\bstatic\\b[^;{}()]*\\b${name}\\s*\\(`);
  if (fn.parent?.type === 'field_declaration_list') {
    return !fn.namedChildren.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
  }
  const id = functionDeclarator(fn)?.childForFieldName('declarator');
  if (!id || id.type !== 'qualified_identifier') return false;
  // `A::B::f`: the scope's last component names the class, or a namespace.
  const scope = id.text.slice(0, id.text.lastIndexOf('::'));
  const owner = /([A-Za-z_]\w*)\s*(<[^<>]*>)?\s*$/.exec(scope)?.[1];
  if (!owner) return null;
  const classRe = new RegExp(`\\b(class|struct)\\s+(\\[\\[[^\\]]*\\]\\]\\s*)?${owner}\\b[^;]*\\{`);
  let isClass = false;
  for (const path of ws.index.filePaths()) {
    const src = await ws.source(path);
    if (!src || !src.text.includes(owner)) continue;
    if (classRe.test(src.text)) {
      isClass = true;
      if (staticRe.test(src.text)) return null;
    }
  }
  return isClass;
}

export interface Deferral {
  /** The lambda's capture list, without brackets. */
  captures: string;
  /** Where the shared helpers go: the top-level declaration holding the earlier of producer and loop. */
  helpersBefore: SyntaxNode;
}

function topLevel(node: SyntaxNode): SyntaxNode {
  let cur = node;
  while (cur.parent && cur.parent.type !== 'translation_unit' && cur.parent.type !== 'declaration_list') {
    cur = cur.parent;
  }
  return cur;
}

/** Whether the deferral can be written for this producer and loop, and with which captures. */
export async function planDeferral(
  ws: Workspace,
  producer: { src: SourceFile; fn: SyntaxNode; name: string; wakeStatement: SyntaxNode },
  consumer: { src: SourceFile; loop: SyntaxNode },
): Promise<Deferral | null> {
  // The helpers are file-local: producer and loop must share the file, a source file (in a header each
  // translation unit would get its own copy of them).
  if (producer.src.path !== consumer.src.path) return null;
  if (/\.(h|hh|hpp|hxx|h\+\+|inl|ipp|tpp)$/i.test(producer.src.path)) return null;
  // The batch guard goes right before the loop: the loop must sit in a block.
  if (consumer.loop.parent?.type !== 'compound_statement') return null;
  const locals = localsOf(producer.fn, producer.wakeStatement.startIndex);
  if (!locals) return null;
  const captures: string[] = [];
  const used = new Set(
    producer.wakeStatement
      .descendantsOfType('identifier')
      .map((n) => n?.text ?? '')
      .filter((n) => n !== ''),
  );
  for (const name of [...used].sort()) {
    const v = locals.get(name);
    if (!v) continue;
    // An rvalue reference's object may not outlive the call; a copy of it may not be possible.
    if (v.ref === '&&') return null;
    captures.push(v.ref === '&' ? `&${name}` : name);
  }
  const member = await isInstanceMember(producer.fn, ws, producer.name);
  if (member === null) return null;
  if (member) captures.unshift('this');
  const a = topLevel(producer.fn);
  const b = topLevel(consumer.loop);
  return { captures: captures.join(', '), helpersBefore: a.startIndex <= b.startIndex ? a : b };
}

export const DEFER_FLAG = 'perf_lens_defer_wakes';
export const OWED = 'perf_lens_owed_wakes';
export const PAY = 'perfLensPayOwedWakes';
export const BATCH = 'PerfLensWakeBatch';

/** File-local helpers, written once above the producer and the loop. `u` is one indent unit. */
export function helperLines(u: string): string[] {
  return [
    '// Perf Lens (coalesce-eventfd-wakeups): wake-ups owed by an event-loop thread. Tasks it queues for',
    '// other workers are woken once, when its loop iteration ends, instead of once per task; any other',
    '// thread wakes them at once. The price: a wake-up waits for the rest of that iteration, so a task',
    '// that blocks its event-loop thread also delays the workers it queued work for.',
    'namespace {',
    `thread_local bool ${DEFER_FLAG} = false;`,
    `thread_local std::vector<std::function<void()>> ${OWED};`,
    '',
    `void ${PAY}() {`,
    `${u}while (!${OWED}.empty()) {`,
    `${u}${u}// Moved out first: a wake-up that queues work owes its own wake-ups to the next round.`,
    `${u}${u}std::vector<std::function<void()>> owed = std::move(${OWED});`,
    `${u}${u}${OWED}.clear();`,
    `${u}${u}for (auto& wake : owed) {`,
    `${u}${u}${u}wake();`,
    `${u}${u}}`,
    `${u}}`,
    '}',
    '',
    '// Defers wake-ups on this thread while its event loop runs, and pays what is owed when it ends.',
    `struct ${BATCH} {`,
    `${u}${BATCH}() { ${DEFER_FLAG} = true; }`,
    `${u}~${BATCH}() {`,
    `${u}${u}${PAY}();`,
    `${u}${u}${DEFER_FLAG} = false;`,
    `${u}}`,
    `${u}${BATCH}(const ${BATCH}&) = delete;`,
    `${u}${BATCH}& operator=(const ${BATCH}&) = delete;`,
    '};',
    '}  // namespace',
    '',
  ];
}
