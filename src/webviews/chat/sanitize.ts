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
 * One inert document (no browsing context: nothing in it runs or loads) that every piece is parsed in. DOMPurify would
 * otherwise parse each string into a new document of its own, which was most of the cost of a streamed frame.
 */
let inert: Document | undefined;

export function sanitizeToFragment(html: string): DocumentFragment {
  inert ??= document.implementation.createHTMLDocument('');
  const root = inert.createElement('div');
  root.innerHTML = html;
  DOMPurify.sanitize(root, inPlace);
  const fragment = document.createDocumentFragment();
  fragment.append(...root.childNodes);
  return fragment;
}
