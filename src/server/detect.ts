/**
 * Finds, on the syntax tree, the code shapes the findings talk about. Shared by the diagnostics (which
 * mark them) and the edit recipes (which change them).
 */
import type { SyntaxNode } from '../core/symbols/cpp-parser';
import {
  callArguments,
  calleeName,
  calleeText,
  callsWhere,
  enclosingFunction,
  enclosingStatement,
  isInsideLoop,
} from './syntax';
import type { SourceFile } from './workspace';

/** Names (last identifier) of variables/members assigned from `eventfd(…)` in this file. */
export function eventfdNames(root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const call of callsWhere(root, (n) => n === 'eventfd')) {
    const parent = call.parent;
    if (!parent) continue;
    let target: SyntaxNode | null = null;
    if (parent.type === 'assignment_expression') target = parent.childForFieldName('left');
    else if (parent.type === 'init_declarator') target = parent.childForFieldName('declarator');
    if (target) names.add(lastIdentifier(target.text));
  }
  return names;
}

function lastIdentifier(text: string): string {
  const m = /([A-Za-z_]\w*)\s*$/.exec(text);
  return m ? m[1] : text;
}

const EVENTFD_ISH = /(^|_)(event_?fd|efd|evfd|wake_?fd|notify_?fd|wakeup_?fd)(_|$)|eventfd/i;

/** `write(fd, …)` / `::write` / `eventfd_write` calls whose descriptor is an eventfd. */
export function eventfdWrites(src: SourceFile): SyntaxNode[] {
  const root = src.tree().rootNode;
  const known = eventfdNames(root);
  return callsWhere(root, (n) => n === 'write' || n === 'eventfd_write').filter((call) => {
    if (calleeName(call) === 'eventfd_write') return true;
    const fn = calleeText(call);
    // A member `x.write(…)` is some stream, not write(2).
    if (fn.includes('.') || fn.includes('->')) return false;
    const fd = callArguments(call)[0];
    if (!fd) return false;
    const id = lastIdentifier(fd.text);
    return known.has(id) || EVENTFD_ISH.test(id);
  });
}

/**
 * `io_uring_submit(…)` statements that submit one operation each: in the same block, after the
 * operation's `io_uring_prep_*`, outside any loop over several preps.
 */
export function perOperationSubmits(src: SourceFile): SyntaxNode[] {
  const root = src.tree().rootNode;
  const out: SyntaxNode[] = [];
  for (const call of callsWhere(root, (n) => n === 'io_uring_submit')) {
    const stmt = enclosingStatement(call);
    if (!stmt || stmt.type !== 'expression_statement') continue;
    let prev = stmt.previousNamedSibling;
    let prepped = false;
    for (let guard = 0; prev && guard < 32; guard++, prev = prev.previousNamedSibling) {
      if (callsWhere(prev, (n) => n.startsWith('io_uring_prep_')).length > 0 && !isLoop(prev)) {
        prepped = true;
        break;
      }
    }
    if (prepped) out.push(call);
  }
  return out;
}

function isLoop(n: SyntaxNode): boolean {
  return (
    n.type === 'for_statement' ||
    n.type === 'while_statement' ||
    n.type === 'do_statement' ||
    n.type === 'for_range_loop'
  );
}

export interface WaitSite {
  /** The `io_uring_wait_cqe*` / `io_uring_submit_and_wait*` call. */
  wait: SyntaxNode;
  /** Its statement in the loop body. */
  statement: SyntaxNode;
  loop: SyntaxNode;
  /** An `io_uring_submit` call inside the same loop body before the wait, if any. */
  submitBefore: SyntaxNode | null;
  /** The ring argument as written (`&ring_`). */
  ring: string;
}

/** Event loops: a blocking completion wait inside a loop. */
export function waitLoops(src: SourceFile): WaitSite[] {
  const root = src.tree().rootNode;
  const out: WaitSite[] = [];
  for (const wait of callsWhere(root, (n) => /^io_uring_(wait_cqe|wait_cqes|wait_cqe_nr|submit_and_wait)/.test(n))) {
    const fn = enclosingFunction(wait);
    if (!isInsideLoop(wait, fn)) continue;
    let loop: SyntaxNode | null = wait.parent;
    while (loop && !isLoop(loop)) loop = loop.parent;
    const statement = enclosingStatement(wait);
    if (!loop || !statement) continue;
    const submitBefore =
      callsWhere(loop, (n) => n === 'io_uring_submit' || n.startsWith('io_uring_submit_and_wait')).find(
        (s) => s.startIndex < wait.startIndex,
      ) ?? (calleeName(wait).startsWith('io_uring_submit_and_wait') ? wait : null);
    out.push({ wait, statement, loop, submitBefore, ring: callArguments(wait)[0]?.text ?? '' });
  }
  return out;
}

export interface AcceptSite {
  /** The call that returns the connection's descriptor (`accept`, `accept4`, or an awaited accept). */
  call: SyntaxNode;
  /** The declaration or expression statement holding it. */
  statement: SyntaxNode;
  /** The variable the descriptor lands in. */
  fd: string;
}

/** Places where an accepted connection's descriptor becomes a variable. */
export function acceptSites(src: SourceFile): AcceptSite[] {
  const root = src.tree().rootNode;
  const out: AcceptSite[] = [];
  for (const call of callsWhere(root, (n) => n === 'accept' || n === 'accept4')) {
    let value: SyntaxNode = call;
    if (value.parent?.type === 'co_await_expression') value = value.parent;
    const holder = value.parent;
    if (!holder) continue;
    let fd: string | null = null;
    if (holder.type === 'init_declarator' && holder.childForFieldName('value')?.id === value.id) {
      fd = lastIdentifier(holder.childForFieldName('declarator')?.text ?? '');
    } else if (holder.type === 'assignment_expression' && holder.childForFieldName('right')?.id === value.id) {
      fd = lastIdentifier(holder.childForFieldName('left')?.text ?? '');
    }
    const statement = enclosingStatement(call);
    if (fd && statement) out.push({ call, statement, fd });
  }
  return out;
}

/** `io_uring_prep_accept*` calls (the fallback anchor when no accept result lands in a variable). */
export function acceptPreps(src: SourceFile): SyntaxNode[] {
  return callsWhere(
    src.tree().rootNode,
    (n) => n.startsWith('io_uring_prep_accept') || n === 'io_uring_prep_multishot_accept',
  );
}

export interface RingSetup {
  call: SyntaxNode;
  kind: 'queue_init' | 'queue_init_params' | 'setup';
  /** The flags argument of io_uring_queue_init, or the params argument. */
  argument: SyntaxNode | null;
  hasSqpoll: boolean;
}

/** Ring set-up calls, and whether they already ask for SQPOLL. */
export function ringSetups(src: SourceFile): RingSetup[] {
  const root = src.tree().rootNode;
  const out: RingSetup[] = [];
  for (const call of callsWhere(
    root,
    (n) => n === 'io_uring_queue_init' || n === 'io_uring_queue_init_params' || n === 'io_uring_setup',
  )) {
    const name = calleeName(call);
    const args = callArguments(call);
    const fn = enclosingFunction(call);
    const scopeText = fn ? fn.text : call.text;
    if (name === 'io_uring_queue_init') {
      const flags = args[2] ?? null;
      out.push({ call, kind: 'queue_init', argument: flags, hasSqpoll: (flags?.text ?? '').includes('SQPOLL') });
    } else {
      const params = name === 'io_uring_setup' ? (args[1] ?? null) : (args[2] ?? null);
      out.push({
        call,
        kind: name === 'io_uring_setup' ? 'setup' : 'queue_init_params',
        argument: params,
        hasSqpoll: scopeText.includes('IORING_SETUP_SQPOLL'),
      });
    }
  }
  return out;
}

/** True when the file sets TCP_NODELAY in code (a setsockopt call), not merely mentions it. */
export function setsNodelay(src: SourceFile): boolean {
  return callsWhere(src.tree().rootNode, (n) => n === 'setsockopt').some((c) => c.text.includes('TCP_NODELAY'));
}

/** `io_uring_prep_send` calls (copying sends that a zero-copy send could replace). */
export function sendPreps(src: SourceFile): SyntaxNode[] {
  return callsWhere(src.tree().rootNode, (n) => n === 'io_uring_prep_send' || n === 'io_uring_prep_sendmsg');
}
