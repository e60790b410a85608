/**
 * Benchmark results: the shapes every benchmark returns, the terminal table and docs/BENCHMARKS.md.
 * A benchmark never throws at the runner: a failure becomes a section with `error`, and its targets are
 * listed as not measured at the top of the document.
 */
import { fmt, fmtWithUnit, type Stat } from './stats';
import type { MachineInfo } from './machine';

export interface Target {
  /** What is required, e.g. "≥ 20× the Perl script's throughput". */
  text: string;
  /** null: could not be checked in this run (the reason is in `limits`). */
  met: boolean | null;
  /** The measured gap when missed, e.g. "6.1× instead of ≥ 20×". */
  gap?: string;
  /** What limits the number (said whenever the target is missed or unchecked). */
  limits?: string;
}

export interface Baseline {
  name: string;
  value: Stat | null;
  /** Unit when it differs from the row's. */
  unit?: string;
  /** Why there is no value, e.g. "baseline not available". */
  missing?: string;
}

export interface Row {
  name: string;
  unit: string;
  value: Stat | null;
  /** Why value is null. */
  missing?: string;
  baseline?: Baseline;
  ratio?: { value: number; text: string };
  target?: Target;
  note?: string;
}

export interface Section {
  id: string;
  title: string;
  /** Markdown lines saying exactly what was measured and how. */
  method: string[];
  rows: Row[];
  notes: string[];
  /** Set when the benchmark could not run at all. */
  error?: string;
  /** Targets this benchmark checks (listed as "not measured" when it fails). */
  targets: string[];
  seconds: number;
  /** 1-minute load average before and after the benchmark (other work competing for the CPUs). */
  load?: { before: number; after: number; cores: number };
}

export interface RunInfo {
  machine: MachineInfo;
  startedAt: Date;
  totalSeconds: number;
  commandLine: string;
  quick: boolean;
  selected: string[];
}

function valueText(v: Stat | null, unit: string, missing?: string): string {
  if (v) return fmtWithUnit(v.median, unit);
  return missing ?? '—';
}

function targetMark(t: Target | undefined): string {
  if (!t) return '';
  if (t.met === true) return 'met';
  if (t.met === false) return 'MISSED';
  return 'not measured';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface Miss {
  section: string;
  row: string;
  target: Target;
  measured: string;
  /** Set when the machine was busier than its core count during the benchmark. */
  busy?: string;
}

function busyNote(s: Section): string | undefined {
  if (!s.load) return undefined;
  const peak = Math.max(s.load.before, s.load.after);
  if (peak <= s.load.cores) return undefined;
  return (
    `the machine was busy with other work during this benchmark (1-minute load average ${s.load.before.toFixed(1)} → ` +
    `${s.load.after.toFixed(1)} on ${s.load.cores} cores), which slows everything measured here`
  );
}

export function missedTargets(sections: Section[]): Miss[] {
  const out: Miss[] = [];
  for (const s of sections) {
    if (s.error) {
      const covered = new Set(s.rows.map((r) => r.target?.text));
      for (const t of s.targets.filter((t) => !covered.has(t))) {
        out.push({
          section: s.title,
          row: '',
          target: { text: t, met: null, limits: s.error },
          measured: 'not run',
        });
      }
    }
    for (const r of s.rows) {
      if (r.target && r.target.met !== true) {
        out.push({
          section: s.title,
          row: r.name,
          target: r.target,
          measured: valueText(r.value, r.unit, r.missing),
          busy: busyNote(s),
        });
      }
    }
  }
  return out;
}

/** A plain-text table for the terminal. */
export function terminalTable(sections: Section[]): string {
  const header = ['benchmark', 'Perf Lens (median)', 'baseline (median)', 'ratio', 'target', ''];
  const lines: string[][] = [header];
  for (const s of sections) {
    lines.push([`[${s.title}]${s.error ? ` not run: ${s.error}` : ''}`, '', '', '', '', '']);
    for (const r of s.rows) {
      lines.push([
        `  ${r.name}`,
        valueText(r.value, r.unit, r.missing),
        r.baseline ? `${valueText(r.baseline.value, r.baseline.unit ?? r.unit, r.baseline.missing)}` : '',
        r.ratio ? `${fmt(r.ratio.value)} ${r.ratio.text}` : '',
        r.target?.text ?? '',
        targetMark(r.target),
      ]);
    }
  }
  const widths = header.map((_, i) =>
    Math.min(60, Math.max(...lines.filter((l) => l[1] !== '' || i === 0).map((l) => l[i].length))),
  );
  return lines
    .map((l) =>
      l[1] === '' && l[0].startsWith('[')
        ? l[0]
        : l
            .map((c, i) => c.padEnd(widths[i]))
            .join('  ')
            .trimEnd(),
    )
    .join('\n');
}

function runsText(v: Stat | null, unit: string): string {
  if (!v) return '—';
  return v.runs.map((x) => fmt(x)).join(', ') + (unit ? ` ${unit}` : '');
}

export function markdown(sections: Section[], info: RunInfo): string {
  const m = info.machine;
  const out: string[] = [];
  out.push('# Perf Lens benchmarks', '');
  out.push(
    `Generated by \`npm run bench\` (\`${info.commandLine}\`) on ${info.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}, ` +
      `commit \`${m.commit}\`${m.dirty ? ' with uncommitted changes in the working tree' : ''}; the whole run took ` +
      `${(info.totalSeconds / 60).toFixed(1)} min.` +
      (info.quick ? ' **Quick mode**: fewer runs and smaller inputs, for development only.' : ''),
    '',
    'Every number is the median of several runs (all runs are listed per section), and every ratio is to a baseline ' +
      'measured in the same run on the same machine. Benchmarks are not tests: they never fail CI. Regenerate this file ' +
      '(`npm run bench`) when a change moves a number.',
    '',
  );
  out.push('## Machine', '');
  out.push('| | |', '|---|---|');
  for (const [k, v] of machineRows(m)) out.push(`| ${k} | ${cell(v)} |`);
  out.push('');

  const misses = missedTargets(sections);
  out.push('## Targets missed or not measured', '');
  if (misses.length === 0) out.push('None: every target was measured and met in this run.');
  for (const miss of misses) {
    const where = miss.row ? `${miss.section} — ${miss.row}` : miss.section;
    const status = miss.target.met === false ? 'missed' : 'not measured';
    const parts = [`**${where}**: target ${miss.target.text}, ${status}; measured ${miss.measured}`];
    if (miss.target.gap) parts.push(`gap: ${miss.target.gap}`);
    if (miss.target.limits) parts.push(`limited by: ${miss.target.limits}`);
    if (miss.busy) parts.push(`Also: ${miss.busy}`);
    out.push(`- ${parts.join('. ')}.`.replace(/\.\./g, '.'));
  }
  out.push('');

  out.push('## Summary', '');
  out.push('| Benchmark | Perf Lens (median) | Baseline (median, same run) | Ratio | Target | |');
  out.push('|---|---|---|---|---|---|');
  for (const s of sections) {
    if (s.error) out.push(`| **${cell(s.title)}** | not run: ${cell(s.error)} | | | | |`);
    for (const r of s.rows) {
      const base = r.baseline
        ? `${cell(r.baseline.name)}: ${cell(valueText(r.baseline.value, r.baseline.unit ?? r.unit, r.baseline.missing))}`
        : '';
      out.push(
        `| ${cell(s.title)}: ${cell(r.name)} | ${cell(valueText(r.value, r.unit, r.missing))} | ${base} | ` +
          `${r.ratio ? cell(`${fmt(r.ratio.value)} ${r.ratio.text}`) : ''} | ${cell(r.target?.text ?? '')} | ${targetMark(r.target)} |`,
      );
    }
  }
  out.push('');

  for (const s of sections) {
    out.push(`## ${s.title}`, '');
    out.push(`_\`npm run bench -- ${s.id}\` · ${s.seconds.toFixed(0)} s in this run_`, '');
    for (const paragraph of s.method) out.push(paragraph, '');
    if (s.error) out.push(`**Not run**: ${s.error}`, '');
    if (s.rows.length) {
      out.push('| Case | Perf Lens: runs | median | Baseline: runs | median | Ratio |', '|---|---|---|---|---|---|');
      for (const r of s.rows) {
        const bu = r.baseline?.unit ?? r.unit;
        out.push(
          `| ${cell(r.name)}${r.note ? ` (${cell(r.note)})` : ''} | ${cell(r.value ? runsText(r.value, r.unit) : (r.missing ?? '—'))} | ` +
            `${cell(valueText(r.value, r.unit, r.missing ? '—' : undefined))} | ` +
            `${r.baseline ? cell(`${r.baseline.name}: ${r.baseline.value ? runsText(r.baseline.value, bu) : (r.baseline.missing ?? '—')}`) : ''} | ` +
            `${r.baseline?.value ? cell(fmtWithUnit(r.baseline.value.median, bu)) : ''} | ` +
            `${r.ratio ? cell(`${fmt(r.ratio.value)} ${r.ratio.text}`) : ''} |`,
        );
      }
      out.push('');
    }
    if (s.notes.length) out.push(...s.notes.map((n) => `- ${n}`), '');
  }
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

export function machineRows(m: MachineInfo): Array<[string, string]> {
  return [
    ['CPU', m.cpuModel],
    ['Cores (online)', String(m.cores)],
    ['RAM', `${(m.ramBytes / 1024 ** 3).toFixed(1)} GiB`],
    ['OS', m.os],
    ['Kernel', m.kernel],
    ['Hardware PMU', m.pmu],
    ['Node', m.node],
    ['perf', m.perf],
    ['Perl', m.perl],
    ['Chromium', m.chromium],
    ['wrk', m.wrk],
    ['Load average at start', m.loadAverage],
  ];
}
