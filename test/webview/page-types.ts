/**
 * Types for the browser globals used inside page.evaluate()/waitForFunction() callbacks. Those callbacks
 * run in Chromium, but they are compiled with the Node test code, whose lib has no DOM: each test file
 * declares `document`/`window` with these types (module-scoped, so nothing leaks into other code).
 */
export interface PageElement {
  textContent: string | null;
  tagName: string;
  className: string;
  hidden: boolean;
  width: number;
  height: number;
  clientWidth: number;
  classList: { contains(name: string): boolean };
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

export interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
  activeElement: PageElement | null;
  body: PageElement;
  documentElement: PageElement;
}

export interface PageApp {
  handle(message: unknown): void;
  selectTab(id: string): void;
  renderFlameNow(): boolean;
  flameStats: { buildMs: number; drawMs: number; frames: number; drawn: number };
}

export interface PageWindow {
  postMessage(message: unknown, targetOrigin: string): void;
  perfLens: PageApp;
  __posted: Array<{ type: string }>;
  alert1?: boolean;
}

export interface PageStyle {
  backgroundColor: string;
  color: string;
  getPropertyValue(name: string): string;
}
