// Which links from an answer may be opened: model output is untrusted, so only web and mail links, judged on the
// parsed URL, and only after the user clicked them (the webview sends `openLink` on click). The policy lives in
// protocol.ts so the webview applies the very same check before it keeps an href.
export { checkLink } from '../../common/protocol';
