// Tiny DOM helpers for every webview: elements are built with properties and attributes (never HTML strings), so
// nothing shown through them can inject markup.

type Attrs = Record<string, string | number | boolean | undefined>;

/** `attrs` become attributes (true → empty attribute, false/undefined → absent). */
function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
}

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const child of children) if (child !== null && child !== undefined) el.append(child);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element (charts, icons). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Node | string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  el.append(...children);
  return el;
}

/** A button with a visible label or, for icon buttons, an aria-label and a tooltip. */
export function button(label: string, attrs: Attrs = {}, text?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs });
  if (text === undefined) {
    b.textContent = label;
  } else {
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.title = label;
  }
  return b;
}
