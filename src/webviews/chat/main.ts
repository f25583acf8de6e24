// Webview entry: validates everything the host sends, then hands it to the chat view.
import '../common/zodConfig';
import { ChatSnapshotSchema, HostToWebviewSchema, type ChatSnapshot } from '../../common/protocol';
import { ChatApp } from './app';
import { HostChannel } from './vscodeApi';

function initialSnapshot(): ChatSnapshot | undefined {
  try {
    const parsed = ChatSnapshotSchema.safeParse(JSON.parse(document.body.dataset.state ?? 'null'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const app = new ChatApp(document.getElementById('app') ?? document.body, new HostChannel());
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (typeof (event.data as { type?: unknown } | null)?.type !== 'string') return;
  const parsed = HostToWebviewSchema.safeParse(event.data);
  // Anything that is not a valid host message (another frame, a stale build) is ignored.
  if (parsed.success) app.handle(parsed.data);
});
app.start(initialSnapshot());
document.body.dataset.ready = 'true';
