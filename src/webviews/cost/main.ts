// Cost view entry: reads the first data from the page, validates everything the host sends, hands it to the app.
import './zodConfig';
import { CostViewDataSchema, HostToCostViewSchema, type CostViewData, type CostViewToHost } from '../../common/costViewProtocol';
import { CostApp } from './app';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

function initialData(): CostViewData | undefined {
  try {
    const parsed = CostViewDataSchema.safeParse(JSON.parse(document.body.dataset.state ?? 'null'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const api = acquireVsCodeApi();
const app = new CostApp(document.getElementById('app') ?? document.body, { post: (message: CostViewToHost) => api.postMessage(message) });
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = HostToCostViewSchema.safeParse(event.data);
  if (parsed.success) app.handle(parsed.data);
});
app.start(initialData());
document.body.dataset.ready = 'true';
