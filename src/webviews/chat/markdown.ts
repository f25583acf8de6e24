// Markdown → sanitized DOM. Raw HTML from the model is shown as text, images become placeholders, code gets a toolbar.
import { Marked, type Links, type Token, type Tokens, type TokensList } from 'marked';
import { button, h } from '../common/dom';
import { highlightCode, type SegmentedHighlight } from './highlight';
import { checkLink } from '../../common/links';
import { sanitizeToFragment } from './sanitize';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What a code block's buttons act on: the block's exact source text and its language. */
export interface CodeSource {
  code: string;
  language: string;
}

const LANGUAGE_ALIASES: Record<string, string> = {
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript', ts: 'typescript', tsx: 'typescript',
  py: 'python', sh: 'bash', zsh: 'bash', console: 'shell', html: 'xml', svg: 'xml', yml: 'yaml', md: 'markdown',
  'c++': 'cpp', cs: 'csharp', rs: 'rust', golang: 'go', patch: 'diff', jsonc: 'json',
};

/** A fence's info string → the label shown (and used for New File) and the highlight.js language. */
export function codeLanguage(info: string | undefined): { label: string; language: string } {
  const label = (info ?? '').trim().split(/\s+/)[0]?.toLowerCase().slice(0, 40) ?? '';
  return { label, language: LANGUAGE_ALIASES[label] ?? label };
}

export class MarkdownRenderer {
  private readonly marked: Marked;
  /** Code sources of the render in progress, in document order (the same order as the `pre` elements). */
  private codes: CodeSource[] = [];
  /** Highlighting a streamed code block already did, offered to the render that commits it. */
  private resume: SegmentedHighlight | undefined;
  readonly codeSources = new WeakMap<Element, CodeSource>();

  constructor() {
    const codes = () => this.codes;
    const resume = () => this.resume;
    this.marked = new Marked({
      gfm: true,
      breaks: false,
      renderer: {
        // Raw HTML in the answer is shown as the text the model wrote; it never becomes markup.
        html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
        image: ({ href, text }: Tokens.Image) => `<span class="image-placeholder" data-url="${escapeHtml(href)}">${escapeHtml(text)}</span>`,
        checkbox: ({ checked }: Tokens.Checkbox) => (checked ? '☑ ' : '☐ '),
        code: ({ text, lang }: Tokens.Code) => {
          const { label, language } = codeLanguage(lang);
          const index = codes().push({ code: text, language: label }) - 1;
          const body = highlightCode(text, language, resume()) ?? escapeHtml(text);
          return `<pre data-code="${index}" data-lang="${escapeHtml(label)}"><code class="hljs">${body}</code></pre>`;
        },
      },
    });
  }

  /**
   * Lexes `source`; `links` are reference definitions from earlier parts of the same answer (reference links are
   * resolved while lexing, so a later block needs them). The result's `links` holds those plus any new ones.
   */
  lex(source: string, links: Links = {}): TokensList {
    const lexer = new this.marked.Lexer(this.marked.defaults);
    Object.assign(lexer.tokens.links, links);
    return lexer.lex(source);
  }

  /** Calls `fn` for every token, nested ones included (blockquotes and list items can hold definitions). */
  walkTokens(tokens: Token[], fn: (token: Token) => void): void {
    this.marked.walkTokens(tokens, fn);
  }

  /**
   * Renders top-level tokens to a sanitized, decorated fragment ready to insert. `resume` is a streamed code block's
   * highlighting so far; it only saves work (the result is what rendering without it gives).
   */
  render(tokens: Token[], resume?: SegmentedHighlight): DocumentFragment {
    this.codes = [];
    this.resume = resume;
    let html: string;
    try {
      html = this.marked.parser(tokens);
    } finally {
      this.resume = undefined;
    }
    const codes = this.codes;
    this.codes = [];
    const fragment = sanitizeToFragment(html);
    this.decorateCode(fragment, codes);
    decorateImages(fragment);
    decorateLinks(fragment);
    return fragment;
  }

  /** Renders inline Markdown (part of a paragraph) to a sanitized, decorated fragment. */
  renderInline(text: string): DocumentFragment {
    const fragment = sanitizeToFragment(this.marked.parseInline(text) as string);
    decorateImages(fragment);
    decorateLinks(fragment);
    return fragment;
  }

  private decorateCode(fragment: DocumentFragment, codes: CodeSource[]): void {
    for (const pre of Array.from(fragment.querySelectorAll('pre[data-code]'))) {
      const source = codes[Number(pre.getAttribute('data-code'))];
      pre.removeAttribute('data-code');
      if (!source) continue;
      const label = source.language || 'text';
      const block = h('div', { class: 'code-block' },
        h('div', { class: 'code-header' },
          h('span', { class: 'code-lang' }, label),
          h('span', { class: 'code-actions' },
            button('Copy code', { 'data-action': 'copy' }, 'Copy'),
            // Long lines scroll sideways; Wrap folds them to the width of a narrow sidebar instead (the view's own).
            button('Wrap long lines', { 'data-action': 'wrap', 'aria-pressed': 'false' }, 'Wrap'),
            button('Insert code at cursor', { 'data-action': 'insert' }, 'Insert'),
            button('Replace selection with code', { 'data-action': 'replace' }, 'Replace'),
            button(`New ${label} file with code`, { 'data-action': 'newFile' }, 'New File'),
          ),
        ),
      );
      pre.replaceWith(block);
      block.append(pre);
      pre.setAttribute('tabindex', '0');
      this.codeSources.set(block, source);
    }
  }
}

/** Remote and data: images never load: show the full URL and, for web URLs, a button to open it outside the editor. */
function decorateImages(fragment: DocumentFragment): void {
  for (const span of Array.from(fragment.querySelectorAll('span.image-placeholder'))) {
    const url = span.getAttribute('data-url') ?? '';
    const alt = span.textContent ?? '';
    span.textContent = '';
    const link = checkLink(url);
    const web = link.ok && /^https?:/.test(link.url);
    span.append(
      h('span', { class: 'image-label' }, web ? 'Image not loaded' : 'Embedded image not shown'),
      alt ? h('span', { class: 'image-alt' }, alt) : '',
      web ? h('code', { class: 'image-url' }, link.url) : '',
      web ? button(`Open image in browser: ${url}`, { 'data-action': 'openImage' }, 'Open in browser') : '',
    );
  }
}

/**
 * Shows where a link goes; clicks are handled by the view (posted to the host, never navigated here). Only a link whose
 * parsed URL is http, https or mailto keeps an href (the normalised URL, so what is shown is what opens).
 */
function decorateLinks(fragment: DocumentFragment): void {
  for (const a of Array.from(fragment.querySelectorAll('a'))) {
    const href = a.getAttribute('href');
    const link = href ? checkLink(href) : undefined;
    if (link?.ok) {
      a.setAttribute('href', link.url);
      a.title = link.url;
    } else {
      a.removeAttribute('href');
      a.classList.add('inert-link');
    }
  }
}
