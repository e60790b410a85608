/**
 * The page's link to its host. In VS Code: acquireVsCodeApi() (postMessage to the extension, getState/
 * setState kept across reloads). In the HTML report there is no extension: nothing is posted and the
 * view state lives only as long as the page.
 */
import type { FromWebview } from '../src/core/protocol/webview';
import type { SortState } from './views/table';

export type TabId = 'cpu' | 'findings' | 'hotspots' | 'flame' | 'syscalls' | 'network' | 'compare';
export const TAB_IDS: readonly TabId[] = ['cpu', 'findings', 'hotspots', 'flame', 'syscalls', 'network', 'compare'];

export interface ViewState {
  v: 1;
  tab: TabId;
  flameZoom: string[];
  flameSearch: string;
  sort: Record<string, SortState>;
}

export const DEFAULT_STATE: ViewState = { v: 1, tab: 'cpu', flameZoom: [], flameSearch: '', sort: {} };

export interface Host {
  mode: 'vscode' | 'report';
  post(message: FromWebview): void;
  getState(): ViewState;
  setState(state: ViewState): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

/** Accept only a well-formed saved state (it could be from an older version of this bundle). */
export function readState(raw: unknown): ViewState {
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_STATE };
  const r = raw as Record<string, unknown>;
  const sort: Record<string, SortState> = {};
  if (typeof r.sort === 'object' && r.sort !== null) {
    for (const [k, v] of Object.entries(r.sort as Record<string, unknown>)) {
      const s = v as Record<string, unknown> | null;
      if (s && typeof s.key === 'string' && (s.dir === 'asc' || s.dir === 'desc')) sort[k] = { key: s.key, dir: s.dir };
    }
  }
  return {
    v: 1,
    tab: TAB_IDS.includes(r.tab as TabId) ? (r.tab as TabId) : 'cpu',
    flameZoom: Array.isArray(r.flameZoom) ? r.flameZoom.filter((x): x is string => typeof x === 'string') : [],
    flameSearch: typeof r.flameSearch === 'string' ? r.flameSearch : '',
    sort,
  };
}

export function createHost(mode: 'vscode' | 'report'): Host {
  if (mode === 'vscode' && typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      mode,
      post: (m) => api.postMessage(m),
      getState: () => readState(api.getState()),
      setState: (s) => api.setState(s),
    };
  }
  let state: ViewState = { ...DEFAULT_STATE };
  return {
    mode: 'report',
    post: () => {},
    getState: () => state,
    setState: (s) => (state = s),
  };
}
