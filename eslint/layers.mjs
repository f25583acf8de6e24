// The layer rule of STYLE.md as an ESLint rule: every import is resolved to the file it names and judged by the room
// that file is in, at any depth (a relative path cannot slip past a pattern that only knew one folder level).
import path from 'node:path';
import { builtinModules } from 'node:module';

const root = path.resolve(import.meta.dirname, '..');
const rel = (file) => path.relative(root, file).split(path.sep).join('/');
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Each room: the files it covers (a folder prefix or one file), the rooms it may import from (`may`, a whitelist) or
 * must not (`mayNot`), and whether it may import `vscode` or Node's modules (webview bundles and common/ run in a
 * browser too).
 */
/**
 * Modules that build zod schemas when they are imported: a webview may import their types only (`import type`, or
 * `import { type X }`), so zod never reaches a webview bundle (the host validates; see src/webviews/common/boot.ts).
 */
export const SCHEMA_MODULES = ['src/common/chatTypes.ts', 'src/common/protocol.ts', 'src/common/costViewProtocol.ts'];

export const ROOMS = [
  { room: 'src/common/', may: ['src/common/'], vscode: false, node: false, why: 'common/ imports nothing else in src: every side bundles it' },
  { room: 'src/api/', may: ['src/api/', 'src/common/'], vscode: false, node: true, why: 'api/ depends only on common/' },
  { room: 'src/core/', may: ['src/core/', 'src/api/', 'src/common/'], vscode: false, node: true, why: 'core/ is the product without VS Code: it imports only api/ and common/' },
  { room: 'src/webviews/common/', noZod: true, may: ['src/webviews/common/', 'src/common/'], vscode: false, node: false, why: 'a webview talks to the host only through common/ (the typed protocol)' },
  { room: 'src/webviews/chat/', noZod: true, may: ['src/webviews/chat/', 'src/webviews/common/', 'src/common/'], vscode: false, node: false, why: 'a webview talks to the host only through common/ (the typed protocol)' },
  { room: 'src/webviews/cost/', noZod: true, may: ['src/webviews/cost/', 'src/webviews/common/', 'src/common/'], vscode: false, node: false, why: 'a webview talks to the host only through common/ (the typed protocol)' },
  { room: 'src/host/', mayNot: ['src/webviews/', 'src/extension.ts'], vscode: true, node: true, why: 'host/ never imports a webview bundle or extension.ts' },
  { room: 'src/extension.ts', mayNot: ['src/webviews/'], vscode: true, node: true, why: 'extension.ts never imports a webview bundle' },
  { room: 'src/zodConfig.ts', may: [], vscode: false, node: false, why: 'zodConfig.ts stands alone' },
];

export function roomOf(file) {
  const r = rel(file);
  return ROOMS.find((room) => (room.room.endsWith('/') ? r.startsWith(room.room) : r === room.room));
}

/** Why `specifier`, imported from `file`, breaks the layer rule, or undefined when it may. `typeOnly`: types only. */
export function layerViolation(file, specifier, typeOnly = false) {
  const room = roomOf(file);
  if (!room) return undefined;
  if (specifier === 'vscode') return room.vscode ? undefined : `${room.room} must not import vscode: only src/host/** and src/extension.ts may (layer rule)`;
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
    if (!room.node && nodeBuiltins.has(specifier)) return `${room.room} must not import Node's '${specifier}': ${room.why} (layer rule)`;
    if (room.noZod && !typeOnly && (specifier === 'zod' || specifier.startsWith('zod/'))) return `${room.room} must not import zod: the host validates what a webview gets (src/webviews/common/boot.ts)`;
    return undefined;
  }
  // `../common/protocol.js` names protocol.ts too (TypeScript's and esbuild's resolution): judge it as that file.
  const target = rel(path.resolve(path.dirname(file), specifier)).replace(/\.(?:ts|js|mjs|cjs)$/, '');
  const inside = (prefix) => (prefix.endsWith('/') ? `${target}/`.startsWith(prefix) : target === prefix.replace(/\.ts$/, ''));
  if (!target.startsWith('src/') && target !== 'src') return `${room.room} must not import outside src (${target})`;
  if (room.may && !room.may.some(inside)) return `${room.room} must not import ${target}: ${room.why} (layer rule)`;
  if (room.mayNot && room.mayNot.some(inside)) return `${room.room} must not import ${target}: ${room.why} (layer rule)`;
  if (room.noZod && !typeOnly && SCHEMA_MODULES.some(inside)) return `${room.room} may import only types from ${target} (\`import type\`): its zod schemas must not reach a webview bundle`;
  return undefined;
}

/** Whether an import or re-export declaration brings in types only (`import type`, or every specifier `type`). */
function typesOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

const rule = {
  meta: { type: 'problem', schema: [], docs: { description: 'Imports follow the layer rule of STYLE.md at any depth.' } },
  create(context) {
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const problem = layerViolation(context.filename, source.value, node.type !== 'ImportExpression' && node.type !== 'CallExpression' && typesOnly(node));
      if (problem) context.report({ node: source, message: problem });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0]);
      },
    };
  },
};

export default { rules: { layers: rule } };
