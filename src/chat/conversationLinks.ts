// Which links from an answer may be opened: model output is untrusted, so only web and mail links,
// and only after the user clicked them (the webview sends `openLink` on click).
const OPENABLE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** The normalised URL to open, or a reason it is refused. */
export function checkLink(href: string): { ok: true; url: string } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (!OPENABLE_SCHEMES.has(url.protocol)) return { ok: false, reason: `scheme ${url.protocol.slice(0, 20)}` };
  return { ok: true, url: url.href };
}
