/**
 * Function definitions in one C/C++ syntax tree (tree-sitter-cpp): free functions, in-class and
 * out-of-line methods, constructors/destructors, operators, templates, coroutines, and the lambdas
 * inside function bodies — each with the scope path perf's demangled names are compared against.
 *
 * Scope rules follow how GCC names things: anonymous namespaces are dropped (and flagged), inline
 * namespaces are kept, a class defined inside a function is scoped under that function, lambdas are
 * numbered per enclosing function and per parameter signature (Itanium ABI discriminators).
 */
import { QueryClass, type Query, type SyntaxNode, type SyntaxTree } from './cpp-parser';
import { canonicalComponent, canonicalOperator, paramKey } from './normalize';

export type DefinitionKind = 'function' | 'method' | 'constructor' | 'destructor' | 'operator' | 'lambda';

export interface SourceRange {
  /** 0-based line and UTF-16 column, like LSP. */
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export interface FunctionDefinition {
  /** Canonical scope path, function name last (for lambdas: the enclosing function's path). */
  path: string[];
  name: string;
  qualifiedName: string;
  kind: DefinitionKind;
  /** Parameter types without names (source spelling). */
  params: string[];
  anonymousNamespace: boolean;
  isTemplate: boolean;
  isCoroutine: boolean;
  /** Whole definition, including a `template <…>` prefix. */
  range: SourceRange;
  /** The declarator name (where hovers and lenses anchor). */
  nameRange: SourceRange;
  /** The body `{ … }` (null for `= default`/`= delete` definitions). */
  bodyRange: SourceRange | null;
  /** For lambdas: index (in this array) of the enclosing function or lambda. */
  parent: number | null;
  /**
   * For lambdas: 1-based position among the lambdas of the same enclosing function, in source order —
   * GCC's `{lambda(…)#N}` — and among those with the same signature (the Itanium ABI discriminator
   * that Clang prints).
   */
  lambdaIndex: number | null;
  lambdaSignatureIndex: number | null;
  /** For lambdas: the parameter-type key of their signature (what `{lambda(int)#2}` shows). */
  lambdaSignature: string | null;
  /**
   * Explicit specialisations: template arguments (whitespace removed) of the owning class
   * (`struct Box<int> { … }` → `<int>`) and of the function name itself (`f<int>`), else null.
   */
  specialization: { owner: string | null; name: string | null };
}

export function rangeOf(node: SyntaxNode): SourceRange {
  return {
    startLine: node.startPosition.row,
    startCharacter: node.startPosition.column,
    endLine: node.endPosition.row,
    endCharacter: node.endPosition.column,
  };
}

interface Scope {
  path: string[];
  anonymous: boolean;
  inClass: boolean;
  className: string | null;
  /** Template arguments when the innermost class is an explicit/partial specialisation. */
  classArgs: string | null;
}

/**
 * One query finds everything the index needs, evaluated inside the WebAssembly module, in document
 * order. Nesting is then recovered from byte ranges with a stack: walking nodes from JavaScript, or
 * asking tree-sitter for a node's parent (it searches down from the root), costs far more.
 */
const QUERY_SOURCE = `
(namespace_definition) @container
(class_specifier body: (_)) @container
(struct_specifier body: (_)) @container
(union_specifier body: (_)) @container
(template_declaration) @template
(friend_declaration) @friend
(function_definition) @fn
(lambda_expression) @lambda
(co_await_expression) @co
(co_return_statement) @co
(co_yield_statement) @co
`;

const queries = new WeakMap<object, Query>();

function queryFor(tree: SyntaxTree): Query {
  const language = tree.language;
  let q = queries.get(language);
  if (!q) {
    q = new QueryClass(language, QUERY_SOURCE);
    queries.set(language, q);
  }
  return q;
}

interface Open {
  end: number;
  kind: 'container' | 'template' | 'friend' | 'fn' | 'lambda';
  node: SyntaxNode;
  /** Scope in effect inside this node. */
  scope: Scope;
  /** For fn/lambda: index of its definition (null when it was not recorded). */
  def: number | null;
}

/** Extracts every function definition (and lambda) from a parsed file. Never throws on odd trees. */
export function extractDefinitions(tree: SyntaxTree, maxDefinitions = 20_000): FunctionDefinition[] {
  const defs: FunctionDefinition[] = [];
  const lambdaCounts = new Map<number, Map<string, number>>();
  const root: Scope = { path: [], anonymous: false, inClass: false, className: null, classArgs: null };
  const stack: Open[] = [];
  const scopeNow = () => (stack.length > 0 ? stack[stack.length - 1].scope : root);
  const ownerNow = (): number | null => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const o = stack[i];
      if (o.kind === 'fn' || o.kind === 'lambda') return o.def;
    }
    return null;
  };

  for (const { name, node } of queryFor(tree).captures(tree.rootNode)) {
    if (defs.length >= maxDefinitions) break;
    const start = node.startIndex;
    while (stack.length > 0 && stack[stack.length - 1].end <= start) stack.pop();
    const top = stack.length > 0 ? stack[stack.length - 1] : null;
    const end = node.endIndex;
    switch (name) {
      case 'container':
        stack.push({ end, kind: 'container', node, scope: scopeStep(node, scopeNow()), def: null });
        break;
      case 'template':
        stack.push({ end, kind: 'template', node, scope: scopeNow(), def: null });
        break;
      case 'friend': {
        // A friend defined in a class lives in the enclosing namespace.
        let outer = root;
        for (let i = stack.length - 1; i >= 0; i--) {
          if (!stack[i].scope.inClass) {
            outer = stack[i].scope;
            break;
          }
        }
        stack.push({ end, kind: 'friend', node, scope: outer, def: null });
        break;
      }
      case 'fn': {
        const template = top && top.kind === 'template' ? top.node : null;
        const index = addFunction(defs, node, scopeNow(), template);
        // A class defined inside a function is scoped under it: `enclosing(…)::Local::method`.
        const inner: Scope =
          index === null
            ? scopeNow()
            : { ...scopeNow(), path: defs[index].path, inClass: false, className: null, classArgs: null };
        stack.push({ end, kind: 'fn', node, scope: inner, def: index });
        break;
      }
      case 'lambda': {
        const o = ownerNow();
        const index = o === null ? null : addLambda(defs, node, o, lambdaCounts);
        stack.push({ end, kind: 'lambda', node, scope: scopeNow(), def: index });
        break;
      }
      default: {
        const o = ownerNow();
        if (o !== null) defs[o].isCoroutine = true;
      }
    }
  }
  return defs;
}

/** The scope inside a namespace or class. */
function scopeStep(node: SyntaxNode, outer: Scope): Scope {
  if (node.type === 'namespace_definition') {
    const nameNode = node.childForFieldName('name');
    return nameNode
      ? {
          ...outer,
          path: [...outer.path, ...namespaceNames(nameNode)],
          inClass: false,
          className: null,
          classArgs: null,
        }
      : { ...outer, anonymous: true, inClass: false, className: null, classArgs: null };
  }
  const nameNode = node.childForFieldName('name');
  const names = nameNode ? scopeNames(nameNode) : ['{unnamed}'];
  return {
    ...outer,
    path: [...outer.path, ...names],
    inClass: true,
    className: names[names.length - 1] ?? null,
    classArgs: nameNode && nameNode.type === 'template_type' ? templateArgsText(nameNode) : null,
  };
}

function addLambda(
  defs: FunctionDefinition[],
  item: SyntaxNode,
  ownerIndex: number,
  lambdaCounts: Map<number, Map<string, number>>,
): number {
  const decl = item.childForFieldName('declarator');
  const params = paramTypes(decl?.childForFieldName('parameters') ?? null);
  const sig = params.map(paramKey).join(',');
  let counts = lambdaCounts.get(ownerIndex);
  if (!counts) lambdaCounts.set(ownerIndex, (counts = new Map()));
  const n = (counts.get('\0all') ?? 0) + 1;
  const bySig = (counts.get(sig) ?? 0) + 1;
  counts.set('\0all', n);
  counts.set(sig, bySig);
  const parentDef = defs[ownerIndex];
  const body = item.childForFieldName('body');
  defs.push({
    path: parentDef.path,
    name: parentDef.name,
    qualifiedName: parentDef.qualifiedName,
    kind: 'lambda',
    params,
    anonymousNamespace: parentDef.anonymousNamespace,
    isTemplate: false,
    isCoroutine: false,
    range: rangeOf(item),
    nameRange: rangeOf(item.child(0) ?? item),
    bodyRange: body ? rangeOf(body) : null,
    parent: ownerIndex,
    lambdaIndex: n,
    lambdaSignatureIndex: bySig,
    lambdaSignature: sig,
    specialization: { owner: null, name: null },
  });
  return defs.length - 1;
}

function namespaceNames(nameNode: SyntaxNode): string[] {
  if (nameNode.type === 'nested_namespace_specifier') {
    return nameNode.namedChildren
      .filter((c): c is SyntaxNode => c !== null && c.type === 'namespace_identifier')
      .map((c) => c.text);
  }
  return [nameNode.text];
}

/** `a::b::C<int>` → ['a', 'b', 'C']. */
function scopeNames(node: SyntaxNode): string[] {
  if (node.type === 'qualified_identifier') {
    const out: string[] = [];
    const s = node.childForFieldName('scope');
    const n = node.childForFieldName('name');
    if (s) out.push(...scopeNames(s));
    if (n) out.push(...scopeNames(n));
    return out;
  }
  if (node.type === 'operator_name' || node.type === 'operator_cast') return [canonicalOperator(node.text)];
  if (node.type === 'destructor_name') return ['~' + canonicalComponent(node.text.replace(/^~\s*/, ''))];
  if (node.type === 'template_function' || node.type === 'template_type' || node.type === 'template_method') {
    const n = node.childForFieldName('name');
    return [canonicalComponent(n ? n.text : node.text)];
  }
  const c = canonicalComponent(node.text);
  return c ? [c] : [];
}

const DECLARATOR_WRAPPERS = new Set([
  'pointer_declarator',
  'reference_declarator',
  'attributed_declarator',
  'parenthesized_declarator',
]);

/** The function_declarator (or operator_cast) under a definition's declarator, through pointers/references. */
function functionDeclarator(node: SyntaxNode | null): SyntaxNode | null {
  let cur = node;
  for (let guard = 0; cur && guard < 32; guard++) {
    if (cur.type === 'function_declarator' || cur.type === 'operator_cast') return cur;
    if (DECLARATOR_WRAPPERS.has(cur.type)) {
      cur =
        cur.childForFieldName('declarator') ??
        cur.namedChildren.find((c) => c !== null && c.type.endsWith('declarator')) ??
        null;
      continue;
    }
    if (cur.type === 'qualified_identifier') {
      // `auto A::operator int() -> …` shapes: the name may wrap an operator_cast.
      const name = cur.childForFieldName('name');
      if (name && name.type === 'operator_cast') return cur;
      return null;
    }
    return null;
  }
  return null;
}

function paramTypes(list: SyntaxNode | null): string[] {
  if (!list) return [];
  const out: string[] = [];
  for (const p of list.namedChildren) {
    if (!p || p.type === 'comment') continue;
    if (p.type === 'variadic_parameter') {
      out.push('...');
      continue;
    }
    let text = p.text;
    const decl = p.childForFieldName('declarator');
    const name = decl ? innermostIdentifier(decl) : null;
    if (name) {
      const start = name.startIndex - p.startIndex;
      text = text.slice(0, start) + text.slice(start + name.text.length);
    }
    const def = p.childForFieldName('default_value');
    if (def) text = text.slice(0, def.startIndex - p.startIndex).replace(/=\s*$/, '');
    text = text.replace(/\s+/g, ' ').trim();
    if (text && text !== 'void') out.push(text);
  }
  return out;
}

function innermostIdentifier(node: SyntaxNode): SyntaxNode | null {
  let cur: SyntaxNode | null = node;
  for (let guard = 0; cur && guard < 32; guard++) {
    if (cur.type === 'identifier' || cur.type === 'field_identifier') return cur;
    // reference_declarator has no `declarator` field: its declarator is its named child.
    cur =
      cur.childForFieldName('declarator') ??
      cur.namedChildren.find((c) => c !== null && (c.type === 'identifier' || c.type.endsWith('declarator'))) ??
      null;
  }
  return null;
}

function addFunction(
  defs: FunctionDefinition[],
  node: SyntaxNode,
  scope: Scope,
  template: SyntaxNode | null,
): number | null {
  // `= default` / `= delete` have no body and no code of their own worth a lens.
  if (!node.childForFieldName('body')) return null;
  const fd = functionDeclarator(node.childForFieldName('declarator'));
  if (!fd) return null;
  let nameNode: SyntaxNode | null;
  let params: string[];
  if (fd.type === 'function_declarator') {
    nameNode = fd.childForFieldName('declarator');
    params = paramTypes(fd.childForFieldName('parameters'));
  } else {
    nameNode = fd; // operator_cast / qualified operator_cast
    const inner = fd.type === 'operator_cast' ? fd : fd.childForFieldName('name');
    const innerDecl = inner?.childForFieldName('declarator') ?? null;
    params = paramTypes(innerDecl?.childForFieldName('parameters') ?? null);
  }
  if (!nameNode) return null;
  const names = scopeNames(nameNode);
  if (names.length === 0) return null;
  // Names like `MACRO(x)` parsed as declarators are still recorded: they can match nothing wrong.
  const path = [...scope.path, ...names];
  const name = path[path.length - 1];
  const owner = path.length >= 2 ? path[path.length - 2] : null;
  let kind: DefinitionKind = 'function';
  if (name.startsWith('operator')) kind = 'operator';
  else if (name.startsWith('~')) kind = 'destructor';
  else if (owner !== null && name === owner && (scope.inClass || names.length > 1)) kind = 'constructor';
  else if (scope.inClass || names.length > 1) kind = 'method';
  const body = node.childForFieldName('body');
  const outer = template ?? node;
  const nameAnchor = nameNode.type === 'qualified_identifier' ? lastName(nameNode) : nameNode;
  defs.push({
    path,
    name,
    qualifiedName: path.join('::'),
    kind,
    params,
    anonymousNamespace: scope.anonymous,
    isTemplate: template !== null,
    isCoroutine: false,
    range: rangeOf(outer),
    nameRange: rangeOf(nameAnchor),
    bodyRange: body ? rangeOf(body) : null,
    parent: null,
    lambdaIndex: null,
    lambdaSignatureIndex: null,
    lambdaSignature: null,
    specialization: specializationOf(nameNode, scope, template),
  });
  return defs.length - 1;
}

function templateArgsText(node: SyntaxNode): string | null {
  const args = node.childForFieldName('arguments');
  return args ? args.text.replace(/\s+/g, '') : null;
}

/** Specialisation arguments of a definition's name: `Box<int>::touch` → owner `<int>`; `f<int>` → name. */
function specializationOf(
  nameNode: SyntaxNode,
  scope: Scope,
  template: SyntaxNode | null,
): { owner: string | null; name: string | null } {
  const explicit = template !== null && (template.childForFieldName('parameters')?.namedChildCount ?? 1) === 0;
  let owner = scope.classArgs;
  let name: string | null = null;
  let cur: SyntaxNode | null = nameNode;
  for (let guard = 0; cur && guard < 64; guard++) {
    if (cur.type === 'qualified_identifier') {
      const sc = cur.childForFieldName('scope');
      const next = cur.childForFieldName('name');
      if (sc && sc.type === 'template_type' && next && next.type !== 'qualified_identifier' && explicit) {
        owner = templateArgsText(sc);
      }
      cur = next;
      continue;
    }
    if (cur.type === 'template_function' && explicit) name = templateArgsText(cur);
    break;
  }
  return { owner, name };
}

function lastName(q: SyntaxNode): SyntaxNode {
  let cur = q;
  for (let guard = 0; guard < 64; guard++) {
    const n = cur.childForFieldName('name');
    if (!n) return cur;
    if (n.type !== 'qualified_identifier') return n;
    cur = n;
  }
  return cur;
}
