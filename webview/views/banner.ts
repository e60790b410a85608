/**
 * The verdict banner: the sentence and its evidence, the process (name, PID, host), "cores used of N",
 * data-quality warnings and the partial marker. During a live session it shows the progress instead.
 */
import type { Profile, Severity } from '../../src/core/profile';
import { h, icon, replaceChildren } from '../dom';
import { count, dateTime, isNum, num, pct, rate, seconds } from '../format';

const VERDICT_LABEL: Record<Profile['verdict']['kind'], string> = {
  'user-bound': 'User-bound',
  'kernel-bound': 'Kernel-bound',
  'io-bound': 'I/O-bound',
  'syscall-bound': 'Syscall-bound',
  idle: 'Idle',
  unknown: 'Unknown',
};

export const SEVERITY_ICON: Record<Severity, string> = { critical: 'error', warning: 'warning', info: 'info' };

export function severityTag(sev: Severity): HTMLElement {
  return h('span', { class: `sev sev-${sev}` }, icon(SEVERITY_ICON[sev]), ` ${sev}`);
}

export function targetLine(p: Profile): HTMLElement {
  const t = p.target;
  const parts: Array<HTMLElement | string> = [];
  parts.push(h('strong', { class: 'proc-name' }, t.command ?? 'unknown process'));
  if (isNum(t.pid)) parts.push(h('span', null, `PID ${t.pid}`));
  parts.push(
    h(
      'span',
      null,
      `${t.transport === 'ssh' ? 'ssh ' : t.transport === 'file' ? 'from files, ' : ''}${t.host || 'unknown host'}`,
    ),
  );
  if (t.listeningPorts.length > 0) parts.push(h('span', null, `port ${t.listeningPorts.slice(0, 4).join(', ')}`));
  if (t.kernel) parts.push(h('span', null, `Linux ${t.kernel}`));
  return h(
    'div',
    { class: 'target-line' },
    ...parts.flatMap((x, i) => (i === 0 ? [x] : [h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), x])),
  );
}

export class Banner {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly error: HTMLElement;

  constructor(private readonly onCancel: (() => void) | null) {
    this.body = h('div', { class: 'banner-body' }, h('p', { class: 'pl-muted' }, 'Waiting for data…'));
    this.statusText = h('span', { class: 'status-text' });
    this.progress = h('vscode-progress-bar', { class: 'status-progress', 'aria-label': 'Session progress' });
    const cancel = onCancel
      ? h('vscode-button', { secondary: true, class: 'status-cancel' }, icon('debug-stop'), ' Stop')
      : null;
    cancel?.addEventListener('click', () => onCancel?.());
    this.status = h(
      'div',
      { class: 'status', role: 'status', hidden: true },
      this.progress,
      h('div', { class: 'status-row' }, this.statusText, cancel),
    );
    this.error = h('div', { class: 'banner-error', role: 'alert', hidden: true });
    this.element = h('header', { class: 'banner', 'aria-label': 'Verdict' }, this.status, this.error, this.body);
  }

  setStatus(phase: string, fraction: number, message: string): void {
    const done = phase === 'done' || fraction >= 1;
    this.status.hidden = done;
    const f = Math.max(0, Math.min(1, fraction));
    this.progress.setAttribute('value', String(f));
    this.progress.setAttribute('max', '1');
    if (f <= 0) this.progress.setAttribute('indeterminate', '');
    else this.progress.removeAttribute('indeterminate');
    this.statusText.textContent = `${phase}${message ? ': ' + message : ''}${f > 0 ? ` (${Math.round(f * 100)}%)` : ''}`;
  }

  setError(message: string): void {
    this.error.hidden = false;
    replaceChildren(this.error, icon('error'), ' ', message);
    this.status.hidden = true;
  }

  /** Live phase: no verdict yet, only what the live breakdown says. */
  setLive(processCpu: number | null, threads: number, cores: number | null): void {
    replaceChildren(
      this.body,
      h(
        'div',
        { class: 'verdict-head' },
        h('span', { class: 'verdict-kind kind-live' }, icon('pulse'), ' Live'),
        h(
          'h1',
          { class: 'verdict-summary' },
          `Process at ${pct(processCpu)} CPU across ${threads} thread${threads === 1 ? '' : 's'}${isNum(cores) ? ` on ${cores} cores` : ''}; the verdict follows the recording.`,
        ),
      ),
    );
  }

  setProfile(p: Profile): void {
    this.status.hidden = true;
    const v = p.verdict;
    const coresOf = v.coresAvailable ?? p.target.cores;
    const facts: HTMLElement[] = [
      h(
        'span',
        { class: 'fact' },
        h('strong', null, isNum(v.coresUsed) ? num(v.coresUsed) : '—'),
        ` cores used of ${isNum(coresOf) ? coresOf : '—'}`,
      ),
    ];
    if (p.cpu.process)
      facts.push(
        h(
          'span',
          { class: 'fact' },
          h('strong', null, pct(p.cpu.process.cpu)),
          ' CPU',
          h('span', { class: 'pl-muted' }, ` (${pct(p.cpu.process.usr)} user, ${pct(p.cpu.process.sys)} system)`),
        ),
      );
    if (p.throughput)
      facts.push(
        h('span', { class: 'fact' }, h('strong', null, rate(p.throughput.requestsPerSecond, '')), ' requests/s'),
      );
    if (isNum(p.durationSeconds))
      facts.push(h('span', { class: 'fact' }, h('strong', null, seconds(p.durationSeconds)), ' recorded'));
    if (isNum(p.sampleCount))
      facts.push(h('span', { class: 'fact' }, h('strong', null, count(p.sampleCount)), ' samples'));

    const notes = p.dataQuality.map((d) =>
      h(
        'li',
        { class: `dq dq-${d.severity}` },
        icon(SEVERITY_ICON[d.severity]),
        ' ',
        d.message,
        d.fix ? h('code', { class: 'dq-fix' }, d.fix) : null,
      ),
    );
    replaceChildren(
      this.body,
      p.partial
        ? h(
            'div',
            { class: 'partial', role: 'note' },
            icon('warning'),
            h('strong', null, ' Partial profile'),
            p.partialReason ? `: ${p.partialReason}` : '',
          )
        : null,
      h(
        'div',
        { class: 'verdict-head' },
        h('span', { class: `verdict-kind kind-${v.kind}` }, VERDICT_LABEL[v.kind]),
        h('h1', { class: 'verdict-summary' }, v.summary || 'No verdict.'),
      ),
      targetLine(p),
      h('div', { class: 'facts' }, ...facts),
      h(
        'div',
        { class: 'banner-details' },
        v.evidence.length > 0
          ? h('ul', { class: 'evidence', 'aria-label': 'Evidence' }, ...v.evidence.map((e) => h('li', null, e)))
          : null,
        notes.length > 0 ? h('ul', { class: 'data-quality', 'aria-label': 'Data quality' }, ...notes) : null,
      ),
      h(
        'p',
        { class: 'created pl-muted' },
        `${p.origin === 'analyze' ? 'Analyzed' : 'Profiled'} ${dateTime(p.createdAt)} · perf-lens ${p.producer.version}`,
      ),
    );
  }
}
