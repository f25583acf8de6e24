// What the chat shows while the client waits to send a request again: the reason in the user's words comes from the
// status and error type of the failed attempt. Pure: no vscode, no I/O.
import type { RetryInfo } from '../../api';
import type { RetryNotice, RetryReason } from '../../common/chatTypes';

export function retryReason(status: number | undefined, errorType: string | undefined): RetryReason {
  if (status === 429 || errorType === 'rate_limit_error') return 'rate_limit';
  if (status === 529 || errorType === 'overloaded_error') return 'overloaded';
  // No status and no API error type: the connection failed before an answer.
  if (status === undefined && errorType === undefined) return 'connection';
  return 'server_error';
}

export function retryNotice(info: RetryInfo): RetryNotice {
  return {
    reason: retryReason(info.status, info.errorType),
    delayMs: Math.max(0, Math.round(info.delayMs)),
    retry: info.retry,
    maxRetries: info.maxRetries,
  };
}
