// Three bundles: the extension host (node/cjs, `vscode` external), the chat webview and the cost view (browser/iife).
// Type checking is separate (`npm run typecheck`); esbuild only strips types.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints build errors in the `file:line:col: error: text` form VS Code's problem matchers read. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'silent',
  legalComments: 'none',
  plugins: [problemMatcherPlugin],
};

const targets = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
    // No keepNames (it cost ~10 KB of the .vsix): the error classes whose names reach the log name themselves.
  },
  {
    ...common,
    entryPoints: ['src/webviews/chat/main.ts'],
    outfile: 'media/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'src/webviews/chat/tsconfig.json',
  },
  // Show Cost's editor panel: its own small bundle, so the chat's Markdown and highlighter never load there.
  {
    ...common,
    entryPoints: ['src/webviews/cost/main.ts'],
    outfile: 'media/costview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'src/webviews/cost/tsconfig.json',
  },
  // The webviews' style sheets: minified in production (chat.css 27 -> 21 KB, ~2 KB less in the .vsix), no source map.
  ...[['src/webviews/chat/chat.css', 'media/chat.css'], ['src/webviews/cost/costview.css', 'media/costview.css']].map(([entry, outfile]) => ({
    ...common,
    entryPoints: [entry],
    outfile,
    sourcemap: false,
  })),
];

async function main() {
  // A production build writes no source maps; remove stale ones from a dev build so they never reach the .vsix.
  if (production) {
    for (const target of targets) require('fs').rmSync(`${target.outfile}.map`, { force: true });
  }
  const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  try {
    const results = await Promise.all(contexts.map((ctx) => ctx.rebuild()));
    if (results.some((r) => r.errors.length > 0)) process.exitCode = 1;
  } catch {
    process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  }
}

module.exports = { targets };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
