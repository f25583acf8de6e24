// The words on an error's buttons, one table for the chat webview and the host (Explain Inline's comment, notifications).
// 402 offers "Add Credits": what the user goes to do, and what the error's sentence asks ("Add credits, then retry").
import type { ErrorAction } from './chatTypes';

export const ERROR_ACTION_LABELS: Readonly<Record<ErrorAction, string>> = {
  retry: 'Retry',
  setApiKey: 'Set API Key',
  openSettings: 'Open Settings',
  openBilling: 'Add Credits',
  showLog: 'Show Log',
  removeImages: 'Remove Images and Retry',
  sendAnyway: 'Send Anyway',
};
