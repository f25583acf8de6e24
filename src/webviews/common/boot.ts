// Every webview starts the same way: the first paint's state from the page's `data-state` attribute, then every host
// message validated with the protocol's zod schema before the app sees it; `data-ready` tells tests the app is running.

interface Schema<T> {
  safeParse(raw: unknown): { success: true; data: T } | { success: false };
}

export interface WebviewApp<State, ToPage> {
  start(initial: State | undefined): void;
  handle(message: ToPage): void;
}

export function boot<State, ToPage>(app: WebviewApp<State, ToPage>, schemas: { state: Schema<State>; message: Schema<ToPage> }): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof (event.data as { type?: unknown } | null)?.type !== 'string') return;
    const parsed = schemas.message.safeParse(event.data);
    // Anything that is not a valid host message (another frame, a stale build) is ignored.
    if (parsed.success) app.handle(parsed.data);
  });
  app.start(initialState(schemas.state));
  document.body.dataset.ready = 'true';
}

function initialState<State>(schema: Schema<State>): State | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(document.body.dataset.state ?? 'null'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
