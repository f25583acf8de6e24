// The one set of Chromium flags for every test that drives Debian Chromium (the webview harnesses and the UI tests in
// code-server): no sandbox (root in a container), no GPU, no QUIC, nothing that phones home, /tmp instead of /dev/shm.
export const CHROMIUM_ARGS: string[] = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
