// The last gate before model output reaches the DOM: an allowlist of tags, attributes and link schemes.
import DOMPurify from 'dompurify';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'span', 'div', 'sup', 'sub', 'kbd',
];
const ALLOWED_ATTR = ['href', 'title', 'class', 'align', 'start', 'data-url', 'data-lang', 'data-code'];
/**
 * The first gate, on the text: links may point only at the web or mail; anything else (javascript:, data:, vbscript:,
 * file:, relative) loses its href here. markdown.ts then checks the parsed URL (`checkLink`), which a prefix cannot do.
 */
export const SAFE_LINK = /^(?:https?|mailto):/i;

const config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOWED_URI_REGEXP: SAFE_LINK,
  // These hold plain values (alignment, list start, an image URL that is shown, never loaded), not navigable URIs.
  ADD_URI_SAFE_ATTR: ['align', 'start', 'data-url', 'data-lang', 'data-code'],
  RETURN_DOM_FRAGMENT: true as const,
};

const inPlace = { ...config, RETURN_DOM_FRAGMENT: false as const, IN_PLACE: true as const };

/**
 * Pieces are parsed in an inert document (no browsing context: nothing in it runs or loads), shared by this many
 * pieces, then a new one. DOMPurify would otherwise parse each string into a new document of its own, which was most of
 * the cost of a streamed frame. But one document for all of them gets slower with every piece: each sanitize leaves a
 * NodeIterator registered with the document until the next GC, and Chromium goes through all of them for every node
 * moved out of it, so a streamed answer's frames cost more and more (in a micro-bench, 3 ms a piece at first, 19 ms
 * after 3,000 pieces; the profile of the workbench bench had that move as the chat's largest cost).
 */
export const PIECES_PER_DOCUMENT = 32;
let inert: Document | undefined;
let pieces = 0;

export function sanitizeToFragment(html: string): DocumentFragment {
  if (!inert || pieces >= PIECES_PER_DOCUMENT) {
    inert = document.implementation.createHTMLDocument('');
    pieces = 0;
  }
  pieces++;
  const root = inert.createElement('div');
  root.innerHTML = html;
  DOMPurify.sanitize(root, inPlace);
  const fragment = document.createDocumentFragment();
  fragment.append(...root.childNodes);
  return fragment;
}
