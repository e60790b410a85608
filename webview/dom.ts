/**
 * The only way this bundle creates DOM: `h()` builds elements from static tag names and attributes, and
 * every piece of text (symbols, process names, paths, messages from a profile) becomes a Text node.
 * There is no innerHTML anywhere in the webview, so a symbol named `<img src=x onerror=alert(1)>` is shown
 * as those characters.
 */
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs | null, ...children: Array<Child | Child[]>): HTMLElement;
export function h(tag: string, attrs?: Attrs | null, ...children: Array<Child | Child[]>): HTMLElement {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    // Event handler attributes would be script; they are never set from here.
    if (/^on/i.test(name)) throw new Error(`h(): refusing attribute ${name}`);
    if (value === null || value === undefined || value === false) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(el: Node, children: Array<Child | Child[]>): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replace all children of `el`. */
export function replaceChildren(el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren();
  append(el, children);
}

/** A codicon (decorative: hidden from screen readers, the text next to it says the same). */
export function icon(name: string, extraClass = ''): HTMLElement {
  return h('span', { class: `codicon codicon-${name} ${extraClass}`.trim(), 'aria-hidden': 'true' });
}
