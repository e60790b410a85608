/**
 * Small queries over a tree-sitter-cpp tree shared by the diagnostics rules and the edit recipes.
 */
import type { Range } from 'vscode-languageserver';
import type { SyntaxNode } from '../core/symbols/cpp-parser';

export function nodeRange(node: SyntaxNode): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

/** The called function's name without scope or object: `::write` → `write`, `ctx->ring()` → `ring`. */
export function calleeName(call: SyntaxNode): string {
  const fn = call.childForFieldName('function');
  if (!fn) return '';
  let cur: SyntaxNode | null = fn;
  for (let guard = 0; cur && guard < 16; guard++) {
    if (cur.type === 'identifier' || cur.type === 'field_identifier') return cur.text;
    if (cur.type === 'qualified_identifier') cur = cur.childForFieldName('name');
    else if (cur.type === 'field_expression') cur = cur.childForFieldName('field');
    else if (cur.type === 'template_function') cur = cur.childForFieldName('name');
    else return cur.text;
  }
  return '';
}

/** The full callee text as written (`io::v1::accept`, `::write`, `ctx.queue_.enqueue`). */
export function calleeText(call: SyntaxNode): string {
  return call.childForFieldName('function')?.text ?? '';
}

export function callArguments(call: SyntaxNode): SyntaxNode[] {
  const args = call.childForFieldName('arguments');
  if (!args) return [];
  return args.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
}

/** Every call expression under `root` whose callee name satisfies `pred` (wasm-side search). */
export function callsWhere(root: SyntaxNode, pred: (name: string) => boolean): SyntaxNode[] {
  return root.descendantsOfType('call_expression').filter((c): c is SyntaxNode => c !== null && pred(calleeName(c)));
}

const FUNCTION_TYPES = new Set(['function_definition', 'lambda_expression']);

/** The innermost function definition or lambda containing `node`. */
export function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  let cur = node.parent;
  while (cur) {
    if (FUNCTION_TYPES.has(cur.type)) return cur;
    cur = cur.parent;
  }
  return null;
}

/** The innermost `function_definition` (not lambda) containing `node`. */
export function enclosingDefinition(node: SyntaxNode): SyntaxNode | null {
  let cur = node.parent;
  while (cur) {
    if (cur.type === 'function_definition') return cur;
    cur = cur.parent;
  }
  return null;
}

/** The statement that directly contains `node` inside a compound statement (or null). */
export function enclosingStatement(node: SyntaxNode): SyntaxNode | null {
  let cur: SyntaxNode | null = node;
  while (cur && cur.parent) {
    if (cur.parent.type === 'compound_statement') return cur;
    if (FUNCTION_TYPES.has(cur.parent.type)) return null;
    cur = cur.parent;
  }
  return null;
}

export function isInsideLoop(node: SyntaxNode, stopAt: SyntaxNode | null): boolean {
  let cur = node.parent;
  while (cur && cur !== stopAt) {
    if (
      cur.type === 'for_statement' ||
      cur.type === 'while_statement' ||
      cur.type === 'do_statement' ||
      cur.type === 'for_range_loop'
    ) {
      return true;
    }
    if (FUNCTION_TYPES.has(cur.type)) return false;
    cur = cur.parent;
  }
  return false;
}

/** Name of the function a definition node defines (last name component), or ''. */
export function definitionName(fn: SyntaxNode): string {
  let decl = fn.childForFieldName('declarator');
  for (let guard = 0; decl && guard < 16; guard++) {
    if (decl.type === 'function_declarator') {
      const name = decl.childForFieldName('declarator');
      if (!name) return '';
      let cur: SyntaxNode | null = name;
      for (let g = 0; cur && g < 16; g++) {
        if (cur.type !== 'qualified_identifier') return cur.text;
        cur = cur.childForFieldName('name');
      }
      return '';
    }
    decl = decl.childForFieldName('declarator');
  }
  return '';
}

/** Leading whitespace of the line `line` in `text`. */
export function indentationAt(lines: readonly string[], line: number): string {
  const l = lines[line] ?? '';
  return /^[ \t]*/.exec(l)?.[0] ?? '';
}

/** The unit of one indentation level used in the file (4 spaces when unsure). */
export function indentUnit(lines: readonly string[]): string {
  for (const l of lines) {
    if (l.startsWith('\t')) return '\t';
  }
  const counts = new Map<number, number>();
  for (const l of lines) {
    const n = /^ +/.exec(l)?.[0].length ?? 0;
    if (n > 0 && n <= 8) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  if ((counts.get(2) ?? 0) > (counts.get(4) ?? 0)) return '  ';
  return '    ';
}

/** The line break used in the file. */
export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
