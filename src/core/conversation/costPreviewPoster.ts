// The composer's cost preview: the base for the next question in the active conversation, posted after an answer or a
// change of model, system prompt or attachments, and again when a warm prompt cache would have gone cold.
import type { RequestEstimate } from '../../common/chatTypes';
import type { HostToWebview } from '../../common/protocol';
import { CACHE_TTL_MS, requestEstimate, type PreviewSettings } from '../cost/costPreview';
import type { Conversation, UserContentBuilder } from './conversation';
import { sentSummary } from './compactions';
import type { Scheduler } from './deltaBatcher';

export interface CostPreviewDeps {
  /** What the next request sends besides the conversation; undefined: no preview. */
  previewSettings?: () => PreviewSettings;
  userContent: UserContentBuilder;
  /** The active conversation (its exchanges and compactions). */
  conversation(): Pick<Conversation, 'exchanges' | 'compactions'>;
  post(message: HostToWebview): void;
  scheduler: Scheduler;
  now(): number;
  disposed(): boolean;
}

export class CostPreviewPoster {
  private cacheTimer: unknown;

  constructor(private readonly deps: CostPreviewDeps) {}

  /** The cost preview's base for the next question in the active conversation; undefined without preview settings. */
  estimate(): RequestEstimate | undefined {
    const settings = this.deps.previewSettings?.();
    if (!settings) return undefined;
    const { exchanges, compactions } = this.deps.conversation();
    // A compacted conversation sends its summary in place of the exchanges it covers.
    const summary = sentSummary(exchanges, compactions);
    return requestEstimate(exchanges, this.deps.userContent, { now: this.deps.now(), ...settings, ...(summary ? { summary } : {}) });
  }

  /** Sends the webview a fresh cost preview base (after an answer, or when the model or system prompt changed). */
  post(): void {
    const estimate = this.estimate();
    if (!estimate || this.deps.disposed()) return;
    this.deps.post({ type: 'estimate', estimate });
    // A warm prompt cache goes cold after its lifetime: the preview then prices everything as a cache write.
    this.clearTimer();
    if (estimate.cache && estimate.cache.readTokens > 0) {
      this.cacheTimer = this.deps.scheduler.setTimeout(() => {
        this.cacheTimer = undefined;
        this.post();
      }, CACHE_TTL_MS + 1000);
    }
  }

  dispose(): void {
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.cacheTimer !== undefined) this.deps.scheduler.clearTimeout(this.cacheTimer);
    this.cacheTimer = undefined;
  }
}
