// Keeps the log pinned to its bottom while the answer grows, until the user scrolls up.
//
// Only the user unpins it: a wheel, key, scrollbar or touch scroll up, or any scroll event that moved the view up
// from where it was. Layout never does: content that grows (a code block, highlighting, a table, an image,
// `content-visibility` laying out a block, a footer) is caught by a ResizeObserver, which runs after layout and
// before paint, so the frame that shows the new content already shows it at the bottom. Content that shrinks (thinking
// folding) only clamps the position to the new bottom. While pinned the browser's scroll anchoring is off (the bottom
// is the anchor); while unpinned it is on, so a change above keeps the reader's place.
//
// A floor under the content holds its last observed height: within a frame a layout pass can see the content shorter
// than it ends up (a block just given `content-visibility: auto` is first laid out at its placeholder size), which would
// clamp the scroll position up by that much with no size change left for the ResizeObserver to report. With the floor
// the content only really shrinks when the observer says so.

/** Keys that scroll a focused scroll container up. */
const UP_KEYS = new Set(['PageUp', 'Home', 'ArrowUp']);
/** A distance from the bottom within this (sub-pixel scrolling, zoom) counts as at the bottom. */
const AT_BOTTOM_PX = 2;

export class ScrollFollower {
  private following = true;
  /** The scroll position as last seen (set by us or reported by a scroll event). */
  private lastTop = 0;
  /** The pointer holds the scrollbar or a finger is on the log: the user is placing the view, do not pull it. */
  private holding = false;
  private readonly resizes: ResizeObserver;
  /** The floor's minimum height as last written (a write only when it changes). */
  private floorHeight = '';

  /**
   * `scroller` scrolls; `floor` is its child that holds `content` (the turns) and is given the content's height as its
   * minimum; `onChange` hears when following starts or stops.
   */
  constructor(
    private readonly scroller: HTMLElement,
    private readonly floor: HTMLElement,
    private readonly content: HTMLElement,
    private readonly onChange: (following: boolean) => void,
  ) {
    this.resizes = new ResizeObserver((entries) => this.onResize(entries));
    this.resizes.observe(content);
    this.resizes.observe(scroller);
    scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    scroller.addEventListener('wheel', (e) => { if (e.deltaY < 0 && !e.ctrlKey) this.userScrolledUp(); }, { passive: true });
    scroller.addEventListener('keydown', (e) => {
      if (UP_KEYS.has(e.key) || (e.key === ' ' && e.shiftKey && e.target === scroller)) this.userScrolledUp();
    });
    scroller.addEventListener('pointerdown', (e) => {
      // On the scrollbar (the part of the box outside the client area): the user drags or clicks the track.
      if (e.target === scroller && e.offsetX >= scroller.clientWidth) this.hold();
    });
    scroller.addEventListener('touchstart', () => this.hold(), { passive: true });
    for (const type of ['pointerup', 'pointercancel', 'touchend', 'touchcancel']) {
      window.addEventListener(type, () => this.release(), { passive: true });
    }
    this.apply();
  }

  get isFollowing(): boolean {
    return this.following;
  }

  /** Follows the answer from now on and goes to the bottom (a new question, Jump to latest). */
  follow(): void {
    this.setFollowing(true);
    this.stick();
  }

  /** Stops following without moving (a restored reading position). */
  unfollow(): void {
    this.setFollowing(false);
    this.lastTop = this.scroller.scrollTop;
  }

  /** The content is replaced (another conversation): its old height no longer holds. */
  reset(): void {
    this.floorHeight = '';
    this.floor.style.minHeight = '';
  }

  private onResize(entries: ResizeObserverEntry[]): void {
    // Reads (and the scroll) first, the floor's style last: a ResizeObserver runs after layout, so reading now costs
    // nothing, while a read after a style write would lay out the whole log again inside this callback (a forced
    // layout, which took 129 ms at the end of a 100,000-character answer in the workbench). The floor's new height
    // is laid out with the frame's rendering that follows anyway.
    if (this.following) {
      if (!this.holding) this.stick();
    } else if (this.scroller.scrollHeight <= this.scroller.clientHeight) {
      // Nothing left to scroll: there is no "latest" to jump to.
      this.setFollowing(true);
    }
    const content = entries.find((entry) => entry.target === this.content);
    if (content) {
      const floor = `${content.borderBoxSize[0]?.blockSize ?? this.content.offsetHeight}px`;
      if (floor !== this.floorHeight) {
        this.floorHeight = floor;
        this.floor.style.minHeight = floor;
      }
    }
  }

  private onScroll(): void {
    const top = this.scroller.scrollTop;
    if (this.atBottom()) this.setFollowing(true);
    // Layout can only push the bottom away (which the ResizeObserver answers) or clamp the view to it; a move up
    // that does not end at the bottom is the user's.
    else if (top < this.lastTop - 1) this.setFollowing(false);
    this.lastTop = top;
  }

  private userScrolledUp(): void {
    if (this.scroller.scrollTop > 0) this.setFollowing(false);
  }

  private hold(): void {
    this.holding = true;
  }

  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    if (this.following) this.stick();
  }

  private atBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= AT_BOTTOM_PX;
  }

  private stick(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.lastTop = this.scroller.scrollTop;
  }

  private setFollowing(following: boolean): void {
    if (following === this.following) return;
    this.following = following;
    this.apply();
    this.onChange(following);
  }

  private apply(): void {
    this.scroller.dataset.following = String(this.following);
  }
}
