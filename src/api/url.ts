// Turns the configured base URL into the Messages endpoint URL. The rule, in order:
//   …/v1/messages  → used as given
//   …/v1           → + /messages           (covers …/api/v1 too)
//   …/api          → + /v1/messages
//   a FastRouter host with no path (https://api.fastrouter.ai) → + /api/v1/messages (FastRouter's documented path)
//   anything else  → + /v1/messages        (Anthropic's layout, as other compatible endpoints use)
// Trailing slashes never matter. Query strings and fragments are not allowed (they would hide where the key goes).
import { FastRouterError } from './errors';

export const DEFAULT_BASE_URL = 'https://api.fastrouter.ai';

export function messagesUrl(baseUrl: string = DEFAULT_BASE_URL): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new FastRouterError('The base URL is not a valid URL (expected e.g. https://api.fastrouter.ai).');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FastRouterError(`The base URL must start with https:// or http:// (got ${url.protocol}).`);
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in the URL would travel outside the key's safe path; the key belongs in SecretStorage.
    throw new FastRouterError('The base URL must not contain a user name or password.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new FastRouterError('The base URL must not contain a query string or fragment.');
  }
  const path = url.pathname.replace(/\/+$/, '');
  let suffix: string;
  if (/\/v1\/messages$/.test(path)) suffix = '';
  else if (/\/v1$/.test(path)) suffix = '/messages';
  else if (/\/api$/.test(path)) suffix = '/v1/messages';
  else if (path === '' && isFastRouterHost(url.hostname)) suffix = '/api/v1/messages';
  else suffix = '/v1/messages';
  return `${url.origin}${path}${suffix}`;
}

function isFastRouterHost(hostname: string): boolean {
  return hostname === 'fastrouter.ai' || hostname.endsWith('.fastrouter.ai');
}
