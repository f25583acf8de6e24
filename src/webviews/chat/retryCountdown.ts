// "Rate limited — retrying in 27 s": the line an answer shows while its request waits to be sent again, counting down
// once a second until the stream starts (the host then clears it). Text only; the reader hears it once, not every second.
import type { RetryNotice, RetryReason } from '../../common/chatTypes';
import { h } from '../common/dom';

const REASON_TEXT: Record<RetryReason, string> = {
  rate_limit: 'Rate limited',
  overloaded: 'Overloaded',
  server_error: 'Server error',
  connection: 'Connection failed',
};

/** The line's text with `remainingMs` left. */
export function retryText(reason: RetryReason, remainingMs: number): string {
  const seconds = Math.ceil(remainingMs / 1000);
  return seconds > 0 ? `${REASON_TEXT[reason]} — retrying in ${seconds} s` : `${REASON_TEXT[reason]} — retrying now…`;
}

/** What a screen reader is told once when the wait starts. */
export function retryAnnouncement(notice: RetryNotice): string {
  return `${REASON_TEXT[notice.reason]}. Retrying in ${Math.ceil(notice.delayMs / 1000)} seconds; Stop cancels.`;
}

export class RetryCountdown {
  readonly element: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly notice: RetryNotice, private readonly deadline = performance.now() + notice.delayMs) {
    this.element = h('div', {
      class: 'turn-retry',
      'aria-live': 'off',
      title: `Retry ${notice.retry} of ${notice.maxRetries}`,
    });
    this.tick();
  }

  /** Updates the text, then wakes again when the shown second changes. */
  private tick(): void {
    const remaining = this.deadline - performance.now();
    this.element.textContent = retryText(this.notice.reason, remaining);
    if (remaining <= 0) return;
    const untilNextSecond = remaining % 1000 || 1000;
    this.timer = setTimeout(() => this.tick(), untilNextSecond + 5);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.element.remove();
  }
}
