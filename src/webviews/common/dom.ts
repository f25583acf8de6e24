// Tiny DOM helpers: elements are built with properties (never HTML strings), so nothing here can inject markup.

type Attrs = Record<string, string | boolean | undefined>;

/** Creates an element; `attrs` become attributes (true → empty attribute, false/undefined → absent). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    el.append(child);
  }
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
