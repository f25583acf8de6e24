// Every webview starts the same way: the first paint's state from the page's `data-state` attribute, then each host
// message that is one of the page's kinds handed to the app; `data-ready` tells tests the app is running.
//
// Validation sits where data crosses a trust boundary, and that is the host: it validates every message a webview sends
// (zod, protocol.ts), because a webview renders model output, and checks what it reads from disk before it shows it
// (chats with zod, the cost ledger and its summary field by field). The page and every
// message it receives come from the host of the same build, typed by the same protocol at compile time, so a webview
// checks only that a message is an object of one of its kinds (anything else, say from another frame, is ignored).
// zod stays out of the webview bundles (18 KB of the .vsix; see eslint/layers.mjs, which keeps it out).

export interface WebviewApp<State, ToPage> {
  start(initial: State | undefined): void;
  handle(message: ToPage): void;
}

/** `kinds` lists every `type` of the page's message union: a `Record` over the union's types, so none is missed. */
export function boot<State, ToPage extends { type: string }>(app: WebviewApp<State, ToPage>, kinds: Readonly<Record<ToPage['type'], true>>): void {
  const known = new Set<string>(Object.keys(kinds));
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
    const type = (data as { type?: unknown }).type;
    if (typeof type === 'string' && known.has(type)) app.handle(data as ToPage);
  });
  app.start(initialState<State>());
  document.body.dataset.ready = 'true';
}

function initialState<State>(): State | undefined {
  try {
    const state: unknown = JSON.parse(document.body.dataset.state ?? 'null');
    return typeof state === 'object' && state !== null ? (state as State) : undefined;
  } catch {
    return undefined;
  }
}
