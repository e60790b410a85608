/**
 * coalesce-eventfd-wakeups: write the eventfd only when the consumer had nothing pending.
 *
 * Shape recognised (the io_uring executor shape): a producer that enqueues a task and then calls a wake
 * function whose body writes an eventfd, with an atomic "pending tasks" counter incremented before the
 * enqueue and decremented by the consumer after running each task. The edit:
 *  1. producer: `const bool was_empty = <counter>.fetch_add(1) == 0;` — whether the queue (including the
 *     task being run) was empty before this enqueue — and the wake call guarded by `if (was_empty)`;
 *  2. consumer: before it blocks on the ring, `if (<counter>.load() > 0 && io_uring_cq_ready(ring) == 0)
 *     continue;` — it never sleeps while tasks are pending, so a skipped wake-up cannot be lost.
 * The counter's fetch_add result makes "was empty" exact: checking `size()` before the enqueue instead
 * races with the consumer draining the queue between the check and the enqueue (a lost wake-up).
 * Without such a counter the recipe declines (the snippet is inserted instead).
 */
import type { SyntaxNode } from '../../core/symbols/cpp-parser';
import { waitLoops, eventfdWrites, type WaitSite } from '../detect';
import {
  callArguments,
  calleeName,
  callsWhere,
  definitionName,
  enclosingDefinition,
  enclosingStatement,
} from '../syntax';
import type { SourceFile } from '../workspace';
import { BATCH, DEFER_FLAG, helperLines, OWED, PAY, planDeferral } from './deferred-wakes';
import { EditBuilder } from './edit-builder';
import { ensureInclude } from './includes';
import { freshName, insertLinesBefore, lineIndent, replaceNode, textOf, unit } from './text';
import { anchorOf, type Anchor, type BuiltEdit, type Recipe, type RecipeContext } from './types';

const QUEUE_METHODS = new Set(['enqueue', 'try_enqueue', 'push', 'try_push', 'push_back', 'emplace', 'emplace_back']);

interface Producer {
  src: SourceFile;
  /** The statement calling the wake function (or writing the eventfd directly). */
  wakeStatement: SyntaxNode;
  /** The statement that enqueues. */
  enqueueStatement: SyntaxNode;
  producerFn: SyntaxNode;
}

interface Counter {
  /** `ctx.accepted_tasks_.fetch_add(1);` */
  statement: SyntaxNode;
  /** The fetch_add call. */
  call: SyntaxNode;
  /** Last identifier of the counter (`accepted_tasks_`). */
  member: string;
}

function memberObject(call: SyntaxNode): SyntaxNode | null {
  const fn = call.childForFieldName('function');
  return fn && fn.type === 'field_expression' ? fn.childForFieldName('argument') : null;
}

function lastIdent(text: string): string {
  return /([A-Za-z_]\w*)\s*$/.exec(text)?.[1] ?? text;
}

/** Producers: a statement that wakes (calls a wake function or writes the eventfd) after an enqueue. */
async function findProducers(ctx: RecipeContext): Promise<Producer[]> {
  const wakeNames = new Set<string>();
  const writeStatements: Array<{ src: SourceFile; stmt: SyntaxNode }> = [];
  for (const path of await ctx.workspace.filesWith('eventfd-ish')) {
    const src = await ctx.workspace.source(path);
    if (!src) continue;
    for (const w of eventfdWrites(src)) {
      const def = enclosingDefinition(w);
      const name = def ? definitionName(def) : '';
      if (name) wakeNames.add(name);
      const stmt = enclosingStatement(w);
      if (stmt) writeStatements.push({ src, stmt });
    }
  }
  const out: Producer[] = [];
  const candidates = new Set([
    ...(await ctx.workspace.filesWith('enqueue')),
    ...(await ctx.workspace.filesWith('push')),
  ]);
  if (wakeNames.size === 0 && writeStatements.length === 0) return [];
  for (const path of [...candidates].sort()) {
    const src = await ctx.workspace.source(path);
    if (!src) continue;
    // Parse only files that mention a wake function (or write the eventfd themselves).
    if (![...wakeNames].some((n) => src.text.includes(n)) && !writeStatements.some((w) => w.src.path === path))
      continue;
    const root = src.tree().rootNode;
    const wakes = callsWhere(root, (n) => wakeNames.has(n))
      .map((c) => enclosingStatement(c))
      .filter((s): s is SyntaxNode => s !== null);
    for (const w of writeStatements) if (w.src.path === path) wakes.push(w.stmt);
    for (const wakeStatement of wakes) {
      const producerFn = enclosingDefinition(wakeStatement);
      if (!producerFn) continue;
      // The wake function itself writes the eventfd; it is not a producer.
      if (wakeNames.has(definitionName(producerFn)) && !callsWhere(producerFn, (n) => QUEUE_METHODS.has(n)).length)
        continue;
      let prev = wakeStatement.previousNamedSibling;
      for (let guard = 0; prev && guard < 16; guard++, prev = prev.previousNamedSibling) {
        const enq = callsWhere(prev, (n) => QUEUE_METHODS.has(n)).find((c) => memberObject(c) !== null);
        if (enq) {
          out.push({ src, wakeStatement, enqueueStatement: prev, producerFn });
          break;
        }
      }
    }
  }
  return out;
}

/** An atomic counter incremented (as a statement) before the enqueue and decremented elsewhere by the consumer. */
async function findCounter(
  ctx: RecipeContext,
  p: Producer,
): Promise<{ counter: Counter; decrement: { src: SourceFile; object: string } } | null> {
  let prev = p.enqueueStatement.previousNamedSibling;
  for (let guard = 0; prev && guard < 16; guard++, prev = prev.previousNamedSibling) {
    if (prev.type !== 'expression_statement') continue;
    const call = prev.namedChildren[0];
    if (!call || call.type !== 'call_expression' || calleeName(call) !== 'fetch_add') continue;
    const obj = memberObject(call);
    if (!obj) continue;
    const member = lastIdent(obj.text);
    // The consumer's decrement: a fetch_sub on the same member in a function other than the producer.
    for (const path of await ctx.workspace.filesWith('fetch_sub')) {
      const src = await ctx.workspace.source(path);
      if (!src) continue;
      for (const sub of callsWhere(src.tree().rootNode, (n) => n === 'fetch_sub')) {
        const subObj = memberObject(sub);
        if (!subObj || lastIdent(subObj.text) !== member) continue;
        const fn = enclosingDefinition(sub);
        if (!fn || (src.path === p.src.path && fn.id === p.producerFn.id)) continue;
        return { counter: { statement: prev, call, member }, decrement: { src, object: subObj.text } };
      }
    }
  }
  return null;
}

/** The consumer's event loop: a blocking wait in a file that also decrements the counter. */
async function findConsumerLoop(
  ctx: RecipeContext,
  decrementFile: SourceFile,
): Promise<{ src: SourceFile; site: WaitSite } | null> {
  const sites = waitLoops(decrementFile).filter((s) => s.wait.parent !== null);
  for (const site of sites) {
    // `continue` must reach the loop: the wait's statement is directly in the loop body.
    if (site.statement.parent?.parent?.id === site.loop.id) return { src: decrementFile, site };
  }
  return null;
}

async function locate(ctx: RecipeContext): Promise<Anchor | null> {
  const producers = await findProducers(ctx);
  if (producers.length > 0) return anchorOf(producers[0].src, producers[0].wakeStatement);
  return null;
}

async function build(ctx: RecipeContext): Promise<BuiltEdit | null> {
  const producers = await findProducers(ctx);
  for (const p of producers) {
    const found = await findCounter(ctx, p);
    if (!found) continue;
    const consumer = await findConsumerLoop(ctx, found.decrement.src);
    if (!consumer) continue;
    const edits = new EditBuilder();
    const src = p.src;
    const flag = freshName(p.producerFn.text, 'was_empty');
    const u = unit(src);
    const counterCall = textOf(src, found.counter.call);
    const producerName = definitionName(p.producerFn) || 'the producer';
    const deferral = await planDeferral(
      ctx.workspace,
      { src, fn: p.producerFn, name: producerName, wakeStatement: p.wakeStatement },
      { src: consumer.src, loop: consumer.site.loop },
    );
    replaceNode(
      edits,
      src,
      found.counter.statement,
      [
        '// Coalesced wake-up (Perf Lens: coalesce-eventfd-wakeups): only the task that finds nothing',
        '// pending on the worker writes its eventfd; the worker never sleeps while tasks are pending.',
        `const bool ${flag} = ${counterCall} == 0;`,
      ].join('\n' + lineIndent(src, found.counter.statement)),
    );
    const wakeText = textOf(src, p.wakeStatement);
    const indent = lineIndent(src, p.wakeStatement);
    if (deferral) {
      const i1 = indent + u;
      const i2 = i1 + u;
      replaceNode(
        edits,
        src,
        p.wakeStatement,
        [
          `if (${flag}) {`,
          `${i1}if (${DEFER_FLAG}) {`,
          `${i2}// An event-loop thread: one wake-up when its loop iteration ends covers every task it queued.`,
          `${i2}${OWED}.emplace_back([${deferral.captures}] { ${wakeText} });`,
          `${i1}} else {`,
          `${i2}${wakeText}`,
          `${i1}}`,
          `${indent}}`,
        ].join('\n'),
      );
    } else {
      replaceNode(edits, src, p.wakeStatement, `if (${flag}) {\n${indent}${u}${wakeText}\n${indent}}`);
    }

    const c = consumer.src;
    const ring = callArguments(consumer.site.wait)[0]?.text ?? '';
    const cu = unit(c);
    if (deferral) {
      ensureInclude(edits, src, 'functional');
      ensureInclude(edits, src, 'vector');
      insertLinesBefore(edits, src, deferral.helpersBefore, helperLines(u));
      insertLinesBefore(edits, c, consumer.site.loop, [
        `// While this loop runs, wake-ups this thread owes are paid once per iteration (Perf Lens).`,
        `const ${BATCH} perf_lens_wake_batch;`,
      ]);
    }
    insertLinesBefore(edits, c, consumer.site.statement, [
      ...(deferral ? [`// Pay the wake-ups this iteration owes before blocking.`, `${PAY}();`] : []),
      `// Wake-ups are coalesced (${producerName} writes the eventfd only when nothing was pending), so`,
      `// never block while tasks are pending: run them first.`,
      `if (${found.decrement.object}.load() > 0 && io_uring_cq_ready(${ring}) == 0) {`,
      `${cu}continue;`,
      `}`,
    ]);
    return {
      edits,
      note: deferral
        ? `wakes a worker only when it had no pending task (${found.counter.member} was 0), once per event-loop iteration of the thread that queued the work (a wake-up waits for the rest of that iteration), and keeps the worker from sleeping while tasks are pending`
        : `wakes the worker only when it had no pending task (${found.counter.member} was 0) and keeps the worker from sleeping while tasks are pending`,
    };
  }
  return null;
}

export const coalesceEventfdWakeups: Recipe = { id: 'coalesce-eventfd-wakeups', locate, build };
