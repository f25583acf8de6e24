// Links from answers: one policy for the webview (which links keep an href, what a click posts) and the host (what
// `openLink` opens).

/** Schemes a link may have to be opened (on click only): the web and mail. */
const OPENABLE_LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/**
 * Whether a link from an answer may be opened, judged on the parsed URL (a prefix check would let
 * `https:javascript:alert(1)` through): text that does not parse as a URL is refused, and so is any scheme other
 * than http, https and mailto. `url` is the normalised URL, the one to show and to open.
 */
export function checkLink(href: string): { ok: true; url: string } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (!OPENABLE_LINK_SCHEMES.has(url.protocol)) return { ok: false, reason: `scheme ${url.protocol.slice(0, 20)}` };
  return { ok: true, url: url.href };
}
