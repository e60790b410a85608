/**
 * Colours for what CSS cannot style (canvas, uPlot) come from the same `--vscode-*` variables as the rest
 * of the panel, read at draw time; views redraw when VS Code switches theme (it rewrites the variables
 * on <html> and the theme class on <body>) or, in the report, when the OS colour scheme changes.
 */
export type ThemeKind = 'light' | 'dark' | 'high-contrast';

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

/** Parse `rgb(…)`/`rgba(…)`/`#rgb[a]`/`#rrggbb[aa]` into [r, g, b] (0–255); null when unknown. */
export function parseColor(c: string): [number, number, number] | null {
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c.trim());
  if (hex) {
    let x = hex[1];
    if (x.length <= 4) x = x.slice(0, 3).replace(/./g, (d) => d + d);
    return [parseInt(x.slice(0, 2), 16), parseInt(x.slice(2, 4), 16), parseInt(x.slice(4, 6), 16)];
  }
  return null;
}

export function themeKind(): ThemeKind {
  const cls = document.body.classList;
  if (cls.contains('vscode-high-contrast') && !cls.contains('vscode-high-contrast-light')) return 'high-contrast';
  if (document.documentElement.dataset.theme === 'high-contrast') return 'high-contrast';
  if (cls.contains('vscode-dark')) return 'dark';
  if (cls.contains('vscode-light') || cls.contains('vscode-high-contrast-light')) return 'light';
  const rgb = parseColor(getComputedStyle(document.body).backgroundColor);
  if (!rgb) return 'light';
  const lum = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
  return lum < 0.5 ? 'dark' : 'light';
}

export function isHighContrast(): boolean {
  return (
    document.body.classList.contains('vscode-high-contrast') ||
    document.documentElement.dataset.theme === 'high-contrast' ||
    matchMedia('(forced-colors: active)').matches
  );
}

/** Calls `cb` (debounced to a frame) whenever the theme may have changed. Returns an unsubscribe. */
export function onThemeChange(cb: () => void): () => void {
  let pending = 0;
  const fire = () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      cb();
    });
  };
  const mo = new MutationObserver(fire);
  mo.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class', 'data-theme'] });
  const mq = matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', fire);
  return () => {
    mo.disconnect();
    mq.removeEventListener('change', fire);
  };
}
