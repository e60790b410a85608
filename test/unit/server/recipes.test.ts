/**
 * Edit recipes and detection rules on several shapes of code (the demo's shape is proven end to end in
 * test/integration/server/quick-fixes.test.ts: compiled, run under load, measured).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCppParser } from '../../../src/core/symbols/cpp-parser';
import {
  acceptSites,
  eventfdWrites,
  perOperationSubmits,
  ringSetups,
  setsNodelay,
  waitLoops,
} from '../../../src/server/detect';
import { applyEdits, snippetToText } from '../../../src/server/recipes/edit-builder';
import { buildFix } from '../../../src/server/recipes';
import type { Anchor } from '../../../src/server/recipes/types';
import { Workspace } from '../../../src/server/workspace';

let parser: Parser;
const dirs: string[] = [];

async function workspaceOf(files: Record<string, string>): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-recipes-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const ws = new Workspace(parser, [dir]);
  await ws.indexAll();
  return ws;
}

async function source(ws: Workspace, name: string) {
  const src = await ws.source(join(ws.roots[0], name));
  assert.ok(src);
  return src;
}

/** Applies a fix's edits and returns the new text of each changed file, by base name. */
async function applied(ws: Workspace, fixId: string, fallback: Anchor | null = null) {
  const fix = await buildFix({ workspace: ws, hot: null }, fixId, fallback);
  assert.ok(fix, `${fixId}: no fix`);
  const out = new Map<string, string>();
  for (const [path, text] of fix.edits.applyToText()) out.set(path.split('/').pop()!, text);
  return { fix, out };
}

before(async () => {
  parser = await createCppParser();
});
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A small executor that compiles on its own (liburing headers): a member-function producer. */
const COMPILABLE_POOL = `#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

class Pool {
public:
    struct Worker {
        io_uring ring_{};
        int efd_ = -1;
        std::mutex lock_;
        std::deque<std::function<void()>> queue_;
        std::atomic<std::size_t> pending_{0};

        std::optional<std::function<void()>> pop() {
            std::lock_guard<std::mutex> guard(lock_);
            if (queue_.empty()) return std::nullopt;
            auto task = std::move(queue_.front());
            queue_.pop_front();
            return task;
        }
        void loop() {
            for (;;) {
                while (auto task = pop()) {
                    (*task)();
                    pending_.fetch_sub(1);
                }
                io_uring_cqe* cqe = nullptr;
                const int rc = io_uring_wait_cqe(&ring_, &cqe);
                if (rc < 0) return;
                io_uring_cqe_seen(&ring_, cqe);
            }
        }
    };

    bool post(std::size_t id, std::function<void()> task);
    void wake(std::size_t id);

private:
    Worker workers_[2];
};

void Pool::wake(std::size_t id) {
    const std::uint64_t one = 1;
    if (::write(workers_[id].efd_, &one, sizeof one) < 0) return;
}

bool Pool::post(std::size_t id, std::function<void()> task) {
    Worker& w = workers_[id];
    w.pending_.fetch_add(1);
    {
        std::lock_guard<std::mutex> guard(w.lock_);
        w.queue_.push_back(std::move(task));
    }
    wake(id);
    return true;
}
`;

const EXECUTOR = `#include <atomic>
#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct Worker {
    io_uring ring_{};
    int efd_ = ::eventfd(0, 0);
    Queue queue_;
    std::atomic<std::size_t> pending_{0};

    void loop() {
        for (;;) {
            drain();
            io_uring_cqe* cqe = nullptr;
            int rc = io_uring_wait_cqe(&ring_, &cqe);
            (void)rc;
        }
    }
    void drain() {
        while (auto t = queue_.pop()) {
            (*t)();
            pending_.fetch_sub(1);
        }
    }
};

void notify(Worker& w) {
    std::uint64_t one = 1;
    ::write(w.efd_, &one, sizeof one);
}

void post(Worker& w, Task t) {
    w.pending_.fetch_add(1);
    w.queue_.push(std::move(t));
    notify(w);
}
`;

describe('coalesce-eventfd-wakeups', () => {
  test('a pending counter and an event loop: was_empty from fetch_add, guarded wake, loop never sleeps with work', async () => {
    const ws = await workspaceOf({ 'worker.cpp': EXECUTOR });
    const { fix, out } = await applied(ws, 'coalesce-eventfd-wakeups');
    assert.equal(fix.safe, true);
    const text = out.get('worker.cpp')!;
    assert.match(
      text,
      /const bool was_empty = w\.pending_\.fetch_add\(1\) == 0;\n {4}w\.queue_\.push\(std::move\(t\)\);\n {4}if \(was_empty\) \{\n {8}if \(perf_lens_defer_wakes\) \{\n.*\n {12}perf_lens_owed_wakes\.emplace_back\(\[&w\] \{ notify\(w\); \}\);\n {8}\} else \{\n {12}notify\(w\);\n {8}\}\n {4}\}/,
    );
    // The loop pays what its iteration owes, then never blocks with work pending.
    assert.match(
      text,
      /perfLensPayOwedWakes\(\);\n.*\n.*\n {12}if \(pending_\.load\(\) > 0 && io_uring_cq_ready\(&ring_\) == 0\) \{\n {16}continue;\n {12}\}\n {12}int rc = io_uring_wait_cqe/,
    );
    // Deferral lasts while the loop runs; helpers above the first of loop and producer; includes added.
    assert.match(text, /const PerfLensWakeBatch perf_lens_wake_batch;\n {8}for \(;;\) \{/);
    assert.ok(text.indexOf('struct PerfLensWakeBatch {') < text.indexOf('struct Worker {'));
    assert.match(text, /#include <functional>/);
    assert.match(text, /#include <vector>/);
    assert.equal(
      fix.anchor.line,
      EXECUTOR.split('\n').findIndex((l) => l.includes('    notify(w);')),
    );
  });

  test('producer and loop in different files: the wake is guarded but not deferred', async () => {
    const [loop, producer] = EXECUTOR.split('void notify(Worker& w) {');
    const ws = await workspaceOf({
      'worker.hpp': loop,
      'post.cpp': '#include "worker.hpp"\nvoid notify(Worker& w) {' + producer,
    });
    const { fix, out } = await applied(ws, 'coalesce-eventfd-wakeups');
    assert.equal(fix.safe, true);
    assert.match(out.get('post.cpp')!, /if \(was_empty\) \{\n {8}notify\(w\);\n {4}\}/);
    assert.doesNotMatch(out.get('post.cpp')!, /perf_lens/);
    assert.doesNotMatch(out.get('worker.hpp')!, /perf_lens|PerfLens/);
    assert.match(out.get('worker.hpp')!, /if \(pending_\.load\(\) > 0/);
  });

  test('in a header the wake is guarded but not deferred (file-local helpers would differ per translation unit)', async () => {
    const ws = await workspaceOf({ 'worker.hpp': EXECUTOR });
    const { out } = await applied(ws, 'coalesce-eventfd-wakeups');
    assert.match(out.get('worker.hpp')!, /if \(was_empty\) \{\n {8}notify\(w\);\n {4}\}/);
    assert.doesNotMatch(out.get('worker.hpp')!, /perf_lens|PerfLens/);
  });

  test('a producer whose wake uses an rvalue reference is not deferred (the object may not outlive the call)', async () => {
    const ws = await workspaceOf({
      'worker.cpp': EXECUTOR.replace('void post(Worker& w, Task t) {', 'void post(Worker&& w, Task t) {'),
    });
    const { out } = await applied(ws, 'coalesce-eventfd-wakeups');
    assert.match(out.get('worker.cpp')!, /if \(was_empty\) \{\n {8}notify\(w\);\n {4}\}/);
    assert.doesNotMatch(out.get('worker.cpp')!, /perf_lens_owed_wakes\.emplace_back/);
  });

  test('a member-function producer captures this and its by-value index; the result compiles (g++)', async () => {
    const ws = await workspaceOf({ 'pool.cpp': COMPILABLE_POOL });
    const { fix, out } = await applied(ws, 'coalesce-eventfd-wakeups');
    assert.equal(fix.safe, true);
    const text = out.get('pool.cpp')!;
    assert.match(text, /perf_lens_owed_wakes\.emplace_back\(\[this, id\] \{ wake\(id\); \}\);/);
    const dir = mkdtempSync(join(tmpdir(), 'pl-recipes-cc-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'pool.cpp'), text);
    const cc = spawnSync('g++', ['-std=c++20', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', join(dir, 'pool.cpp')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(cc.status, 0, `g++ refused the fixed file:\n${cc.stderr}\n${text}`);
  });

  test('an existing was_empty name is not reused', async () => {
    const ws = await workspaceOf({
      'worker.cpp': EXECUTOR.replace(
        'void post(Worker& w, Task t) {',
        'void post(Worker& w, Task t) {\n    bool was_empty = false;',
      ),
    });
    const { out } = await applied(ws, 'coalesce-eventfd-wakeups');
    assert.match(out.get('worker.cpp')!, /const bool was_empty2 = /);
  });

  test('without a pending counter it declines: the catalog snippet goes in as comments with a TODO', async () => {
    const noCounter = EXECUTOR.replace('    w.pending_.fetch_add(1);\n', '').replace(
      '            pending_.fetch_sub(1);\n',
      '',
    );
    const ws = await workspaceOf({ 'worker.cpp': noCounter });
    const { fix, out } = await applied(ws, 'coalesce-eventfd-wakeups');
    assert.equal(fix.safe, false);
    assert.match(fix.note, /not have the shape/);
    const text = out.get('worker.cpp')!;
    const inserted = text.split('\n').filter((l, i, all) => !noCounter.split('\n').includes(l) || all.indexOf(l) !== i);
    assert.ok(inserted.length > 3);
    assert.match(
      text,
      /\/\/ TODO\(perf-lens\): coalesce-eventfd-wakeups \(coalesce-eventfd-wakeups\) — not applied automatically/,
    );
    // Only comment lines were added: the file compiles as before.
    const added = text.split('\n').filter((l) => !noCounter.includes(l));
    assert.ok(
      added.every((l) => l.trim() === '' || l.trim().startsWith('//')),
      added.join('\n'),
    );
  });

  test('eventfd writes are recognised by the descriptor, not by the call alone', async () => {
    const ws = await workspaceOf({
      'w.cpp': `#include <sys/eventfd.h>
int make() { int notify_fd = eventfd(0, 0); return notify_fd; }
void a(int wake_fd) { ::write(wake_fd, "x", 1); }
void b(int efd) { eventfd_write(efd, 1); }
struct S { int evfd_; int sock_; void c() { write(evfd_, "x", 8); write(sock_, "x", 1); } };
void d(std::ostream& out) { out.write("x", 1); }
void e(int fd) { write(fd, "x", 1); }
`,
    });
    const writes = eventfdWrites(await source(ws, 'w.cpp')).map((n) => n.text);
    assert.deepEqual(writes, ['::write(wake_fd, "x", 1)', 'eventfd_write(efd, 1)', 'write(evfd_, "x", 8)']);
  });
});

describe('batch-submissions', () => {
  const IO = `#include <liburing.h>
void sendOne(io_uring* ring, int fd, const void* p, unsigned n) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    io_uring_prep_send(sqe, fd, p, n, 0);
    io_uring_submit(ring);
}
void cancelAll(io_uring* ring, int n) {
    for (int i = 0; i < n; i++) {
        io_uring_prep_cancel64(io_uring_get_sqe(ring), i, 0);
    }
    io_uring_submit(ring);
}
`;
  const LOOP = `#include <liburing.h>
void loop(io_uring* ring) {
    while (true) {
        io_uring_cqe* cqe;
        io_uring_wait_cqe(ring, &cqe);
        io_uring_cqe_seen(ring, cqe);
    }
}
`;

  test('per-operation submits are found; a submit after a loop of preps is already batched', async () => {
    const ws = await workspaceOf({ 'io.cpp': IO });
    const src = await source(ws, 'io.cpp');
    assert.deepEqual(
      perOperationSubmits(src).map((n) => n.startPosition.row),
      [4],
    );
  });

  test('the submit moves into the event loop, before the wait', async () => {
    const ws = await workspaceOf({ 'io.cpp': IO, 'loop.cpp': LOOP });
    const { fix, out } = await applied(ws, 'batch-submissions');
    assert.equal(fix.safe, true);
    assert.doesNotMatch(out.get('io.cpp')!.split('void cancelAll')[0], /^\s*io_uring_submit\(/m);
    assert.match(out.get('io.cpp')!, /cancel64[\s\S]*\n {4}io_uring_submit\(ring\);/, 'the batched submit stays');
    assert.match(out.get('loop.cpp')!, /\n {8}io_uring_submit\(ring\);\n {8}io_uring_wait_cqe\(ring, &cqe\);/);
    assert.deepEqual(
      waitLoops(await source(ws, 'loop.cpp')).map((w) => w.ring),
      ['ring'],
    );
  });

  test('no event loop to move the submit to: declines with the snippet', async () => {
    const ws = await workspaceOf({ 'io.cpp': IO });
    const { fix } = await applied(ws, 'batch-submissions');
    assert.equal(fix.safe, false);
  });
});

describe('sqpoll', () => {
  test('flags of io_uring_queue_init gain IORING_SETUP_SQPOLL; params get their flags set', async () => {
    const ws = await workspaceOf({
      'a.cpp': `#include <liburing.h>
void a(io_uring* r) { io_uring_queue_init(256, r, 0); }
void b(io_uring* r) { io_uring_queue_init(256, r, IORING_SETUP_CLAMP); }
void c(io_uring* r) {
    io_uring_params params{};
    io_uring_queue_init_params(256, r, &params);
}
void d(io_uring* r) { io_uring_queue_init(256, r, IORING_SETUP_SQPOLL); }
`,
    });
    const src = await source(ws, 'a.cpp');
    assert.deepEqual(
      ringSetups(src).map((s) => [s.kind, s.hasSqpoll]),
      [
        ['queue_init', false],
        ['queue_init', false],
        ['queue_init_params', false],
        ['queue_init', true],
      ],
    );
    const { fix, out } = await applied(ws, 'sqpoll');
    assert.equal(fix.safe, true);
    const text = out.get('a.cpp')!;
    assert.match(text, /io_uring_queue_init\(256, r, IORING_SETUP_SQPOLL\)/);
    assert.match(text, /io_uring_queue_init\(256, r, IORING_SETUP_CLAMP \| IORING_SETUP_SQPOLL\)/);
    assert.match(
      text,
      /\n {4}params\.flags \|= IORING_SETUP_SQPOLL;\n {4}params\.sq_thread_idle = 2000;\n {4}io_uring_queue_init_params/,
    );
  });
});

describe('tcp-nodelay', () => {
  test('after the accept and its error check, with <netinet/tcp.h> added in order', async () => {
    const ws = await workspaceOf({
      's.cpp': `#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

void serve(int listen_fd) {
    for (;;) {
        int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        handle(fd);
    }
}
`,
    });
    const src = await source(ws, 's.cpp');
    assert.deepEqual(
      acceptSites(src).map((s) => s.fd),
      ['fd'],
    );
    const { fix, out } = await applied(ws, 'tcp-nodelay');
    assert.equal(fix.safe, true);
    const text = out.get('s.cpp')!;
    assert.match(text, /#include <netinet\/in\.h>\n#include <netinet\/tcp\.h>\n#include <sys\/socket\.h>/);
    assert.match(
      text,
      /\n {8}\}\n {8}\/\/ Perf Lens \(tcp-nodelay\)[^\n]*\n {8}const int tcp_nodelay = 1;\n {8}::setsockopt\(fd, IPPROTO_TCP, TCP_NODELAY, &tcp_nodelay, sizeof tcp_nodelay\);\n {8}handle\(fd\);/,
    );
  });

  test('without an error check the call is guarded; a file that already sets it is left alone', async () => {
    const ws = await workspaceOf({
      'a.cpp': `void f(int l) {\n  int c = accept(l, nullptr, nullptr);\n  use(c);\n}\n`,
      'b.cpp': `#include <netinet/tcp.h>\nvoid g(int l) {\n  int c = accept(l, nullptr, nullptr);\n  int one = 1;\n  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);\n}\n`,
    });
    assert.ok(setsNodelay(await source(ws, 'b.cpp')));
    const { out } = await applied(ws, 'tcp-nodelay');
    assert.ok(!out.has('b.cpp'));
    assert.match(
      out.get('a.cpp')!,
      /\n {2}if \(c >= 0\) \{\n {4}const int tcp_nodelay = 1;\n {4}::setsockopt\(c, IPPROTO_TCP, TCP_NODELAY/,
    );
    assert.match(
      out.get('a.cpp')!,
      /^#include <netinet\/in\.h>\n#include <netinet\/tcp\.h>\n#include <sys\/socket\.h>\n/,
    );
  });
});

describe('send-zc', () => {
  test('never rewritten blindly: the snippet to adapt, anchored at the copying send', async () => {
    const ws = await workspaceOf({
      'io.cpp': `void s(io_uring_sqe* sqe, int fd, const char* p, unsigned n) {\n    io_uring_prep_send(sqe, fd, p, n, 0);\n}\n`,
    });
    const { fix, out } = await applied(ws, 'send-zc');
    assert.equal(fix.safe, false);
    assert.equal(fix.anchor.line, 1);
    const text = out.get('io.cpp')!;
    assert.match(text, /^ {4}\/\/ TODO\(perf-lens\): /m);
    assert.match(text, /io_uring_prep_send\(sqe, fd, p, n, 0\);/, 'the send itself is unchanged');
  });
});

describe('edit helpers', () => {
  test('snippet placeholders resolve to their defaults; escapes survive', () => {
    assert.equal(snippetToText('a ${1:b} $2 ${3:c\\}d} \\$x $0'), 'a b  c}d $x ');
  });
  test('edits apply from the end, so earlier offsets stay valid', () => {
    const text = 'one\ntwo\nthree\n';
    const out = applyEdits(text, [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, newText: 'ONE' },
      { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: '// x\n' },
    ]);
    assert.equal(out, 'ONE\ntwo\n// x\nthree\n');
  });
});
