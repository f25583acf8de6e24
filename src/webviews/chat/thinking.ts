// Extended thinking: one folding section above the answer, open while the model thinks, folded once the answer starts.
import { h } from '../common/dom';

/** One thinking block of the answer; its text is plain (never Markdown) and is committed once per frame. */
export class ThinkingBlock {
  readonly element: HTMLElement;
  private pending = '';

  constructor(redacted: boolean) {
    this.element = h('div', { class: 'thinking-text' }, redacted ? 'Some thinking was redacted by the provider.' : '');
  }

  append(text: string): void {
    this.pending += text;
  }

  flush(): void {
    if (!this.pending) return;
    this.element.append(this.pending);
    this.pending = '';
  }
}

export class ThinkingSection {
  readonly element: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private folded = false;

  constructor() {
    this.summary = h('summary', {}, 'Thinking…');
    this.element = h('details', { class: 'thinking', open: true }, this.summary);
  }

  addBlock(redacted: boolean): ThinkingBlock {
    const block = new ThinkingBlock(redacted);
    this.element.append(block.element);
    return block;
  }

  /** Folds the section once, when the answer starts; if the user reopens it, later text does not fold it again. */
  foldOnce(): void {
    if (this.folded) return;
    this.folded = true;
    this.element.open = false;
    this.finish();
  }

  /** Thinking is over: the summary stops saying it is still going on. */
  finish(): void {
    this.summary.textContent = 'Thinking';
  }
}
