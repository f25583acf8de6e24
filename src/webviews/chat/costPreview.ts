// The composer's cost preview: "≈ 12.4k tokens · ≈ 0.041 credits" for the next request. The host sends the base
// (system prompt, tools, the conversation still sent, calibrated by earlier answers' real input tokens); the draft
// and the attached images are added here as the user types, at most once per frame, without asking the host.
// A large conversation is named, since every question resends it.
import { estimateImageTokens, formatTokenCount, MAX_IMAGE_TOKENS, previewWithDraft } from '../../common/tokenCount';
import type { ImageAttachment, RequestEstimate } from '../../common/chatTypes';
import { formatCredits } from '../../common/credits';
import { h } from '../common/dom';

/** From this share of the context window on, the meter shows the warning colour (as the spending limits do from 80 %). */
export const CONTEXT_WARNING_SHARE = 0.8;

/** From this many tokens of earlier conversation on, the chat says how much every question resends. */
export const LARGE_CONVERSATION_TOKENS = 20_000;

export class CostPreview {
  /** The preview line (under the input). */
  readonly element: HTMLElement;
  /** The note about a large conversation (above the input). */
  readonly sizeNote: HTMLElement;
  /** The context meter, "≈ 38% of 200k", next to the preview (issue 18). */
  readonly meter: HTMLElement;
  private estimate: RequestEstimate | undefined;
  private readonly imageTokens = new Map<string, number>();
  private frame: number | undefined;

  constructor(private readonly read: () => { draft: string; images: readonly ImageAttachment[] }) {
    this.element = h('div', { id: 'cost-preview', class: 'cost-preview', hidden: true });
    this.sizeNote = h('div', { id: 'conversation-size', class: 'conversation-size', hidden: true });
    this.meter = h('div', { id: 'context-meter', class: 'context-meter', hidden: true });
  }

  setEstimate(estimate: RequestEstimate | undefined): void {
    this.estimate = estimate;
    this.render();
  }

  /** The draft or the attachments changed: update on the next frame (typing fast costs one estimate per frame). */
  update(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  /** Measures an attached image's tokens by its pixel size (Anthropic's rule), then updates. */
  measure(image: ImageAttachment, blob: Blob): void {
    if (this.imageTokens.has(image.id)) return;
    createImageBitmap(blob)
      .then((bitmap) => {
        this.imageTokens.set(image.id, estimateImageTokens({ width: bitmap.width, height: bitmap.height }));
        bitmap.close();
        this.update();
      })
      .catch(() => undefined);
  }

  private render(): void {
    const estimate = this.estimate;
    if (!estimate) {
      this.element.hidden = true;
      this.sizeNote.hidden = true;
      this.meter.hidden = true;
      return;
    }
    const { draft, images } = this.read();
    // An image not measured yet counts as the most an image can cost.
    const imageTokens = images.reduce((sum, image) => sum + (this.imageTokens.get(image.id) ?? MAX_IMAGE_TOKENS), 0);
    const preview = previewWithDraft(estimate, draft, imageTokens);
    const credits = preview.credits !== undefined ? ` · ≈ ${formatCredits(preview.credits)} credits` : '';
    this.element.textContent = `≈ ${formatTokenCount(preview.tokens)} tokens${credits}`;
    this.element.title =
      `Estimated input of the next request (system prompt, ${formatTokenCount(estimate.conversationTokens)} tokens of conversation, your message and images), ` +
      `counted locally${estimate.calibration !== 1 ? ` and calibrated by this chat's earlier answers (× ${estimate.calibration.toFixed(2)})` : ''}` +
      `${preview.credits === undefined ? '' : estimate.cache ? `, priced at the model's list prices with prompt caching (${formatTokenCount(Math.min(estimate.cache.readTokens, preview.tokens))} tokens read from the cache, the rest written to it)` : ', priced at the model\'s input list price'}. The answer's output is extra.`;
    this.element.dataset.tokens = String(preview.tokens);
    this.element.hidden = false;
    this.renderMeter(estimate, preview.tokens);
    const large = estimate.conversationTokens >= LARGE_CONVERSATION_TOKENS;
    this.sizeNote.hidden = !large;
    if (large) {
      this.sizeNote.textContent =
        `This chat resends ≈ ${formatTokenCount(estimate.conversationTokens)} tokens of earlier questions, answers and attachments with every question. ` +
        'Remove attachments you no longer need from the conversation (“Remove from conversation” on them), or start a New Chat.';
    }
  }

  /** The base already is the meter's (the host anchors both on the same figure): the draft's share is what the preview added. */
  private renderMeter(estimate: RequestEstimate, tokens: number): void {
    const context = estimate.context;
    this.meter.hidden = context === undefined;
    if (!context) return;
    const share = tokens / context.contextLength;
    const percent = share < 0.01 && tokens > 0 ? '<1' : String(Math.floor(share * 100));
    const text = `≈ ${percent}% of ${formatTokenCount(context.contextLength)}`;
    if (this.meter.textContent !== text) this.meter.textContent = text;
    const level = share >= CONTEXT_WARNING_SHARE ? 'warning' : 'normal';
    if (this.meter.dataset.level !== level) this.meter.dataset.level = level;
    this.meter.dataset.tokens = String(tokens);
    const b = context.breakdown;
    const draft = Math.max(0, tokens - context.tokens);
    this.meter.title =
      `Context window: ≈ ${formatTokenCount(tokens)} of ${formatTokenCount(context.contextLength)} tokens with your next message\n` +
      `System prompt and rules: ${formatTokenCount(b.system)}\nTool definitions: ${formatTokenCount(b.tools)}\nConversation: ${formatTokenCount(b.conversation)}\n` +
      `Attachments: ${formatTokenCount(b.attachments)}\nTool results: ${formatTokenCount(b.toolResults)}\nYour message: ${formatTokenCount(draft)}\n` +
      (context.exact ? 'Counted by the endpoint for the last request, plus an estimate of what was added since.' : 'Estimated locally (exact after the first answer).');
  }
}
