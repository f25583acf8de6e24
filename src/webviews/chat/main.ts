// Chat webview entry: hands each host message of the chat's kinds to the chat view (the host validated everything
// first: see ../common/boot.ts).
import type { HostToWebview } from '../../common/protocol';
import { boot } from '../common/boot';
import { ChatApp } from './app';
import { HostChannel } from './vscodeApi';

/** Every kind of host message (the compiler fails on a missing or unknown one). */
const HOST_MESSAGES: Record<HostToWebview['type'], true> = {
  snapshot: true,
  turnAdded: true,
  delta: true,
  block: true,
  turnEnded: true,
  retrying: true,
  turnRestarted: true,
  conversations: true,
  busy: true,
  model: true,
  attachImages: true,
  notice: true,
  focusInput: true,
  estimate: true,
  pendingContext: true,
  composerText: true,
  rules: true,
  compaction: true,
};

boot(new ChatApp(document.getElementById('app') ?? document.body, new HostChannel()), HOST_MESSAGES);
