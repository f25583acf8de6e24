// Where a tool may look: paths the model gives are resolved inside the workspace folders only (`..` and symlinks
// resolved first), and files that look secret are marked so they are never read without asking.
import * as nodePath from 'node:path';

export interface WorkspaceRoot {
  /** The folder's name as VS Code shows it (multi-root paths may start with it). */
  name: string;
  fsPath: string;
}

export interface ResolvedPath {
  /** Absolute path as given (symlinks not resolved): what the editor opens. */
  fsPath: string;
  /** Workspace-relative, forward slashes ("" for the root); prefixed with the folder's name in a multi-root workspace. */
  display: string;
  root: WorkspaceRoot;
  /** Looks like a secret (keys, .env files, anything in .git/): always ask before reading it. */
  secret: boolean;
  /** The real file behind links (absolute), when it exists. */
  real?: string;
}

export type PathResult = { ok: true; path: ResolvedPath } | { ok: false; error: string };

/** Resolves symlinks; for a path that does not exist yet, `undefined` (its nearest existing parent is checked instead). */
export type RealPath = (fsPath: string) => Promise<string | undefined>;

const SECRET_NAMES = [
  /^\.env(?:$|\.)/i, /^\.envrc$/i, /^id_(?:rsa|dsa|ecdsa|ed25519)/i, /\.(?:pem|key|p12|pfx|jks|keystore|kdbx|gpg|asc)$/i,
  /^\.(?:npmrc|netrc|pypirc|pgpass|git-credentials)$/i, /^credentials(?:\.|$)/i, /^secrets?\.(?:json|ya?ml|toml)$/i,
];
const SECRET_FOLDERS = new Set(['.git', '.ssh', '.aws', '.gnupg']);

/** Whether a workspace-relative path looks like it holds secrets. */
export function looksSecret(relative: string): boolean {
  const parts = relative.split('/').filter(Boolean);
  if (parts.slice(0, -1).some((part) => SECRET_FOLDERS.has(part.toLowerCase()))) return true;
  const base = parts[parts.length - 1] ?? '';
  return SECRET_FOLDERS.has(base.toLowerCase()) || SECRET_NAMES.some((pattern) => pattern.test(base));
}

function inside(root: string, target: string): boolean {
  const rel = nodePath.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

function toDisplay(roots: readonly WorkspaceRoot[], root: WorkspaceRoot, fsPath: string): string {
  const rel = nodePath.relative(root.fsPath, fsPath).split(nodePath.sep).join('/');
  return roots.length > 1 ? (rel ? `${root.name}/${rel}` : root.name) : rel;
}

/** The display path of an absolute path inside one of the roots (for results of searches), or undefined. */
export function displayPath(roots: readonly WorkspaceRoot[], fsPath: string): string | undefined {
  const root = roots.find((r) => inside(r.fsPath, fsPath));
  return root ? toDisplay(roots, root, fsPath) : undefined;
}

/**
 * Resolves a path from the model. Refused: no workspace folder, a path outside every folder (also through `..`),
 * and a symlink (anywhere on the way) that leads outside the folder it is in.
 */
export async function resolveToolPath(input: string, roots: readonly WorkspaceRoot[], realpath: RealPath): Promise<PathResult> {
  if (roots.length === 0) return { ok: false, error: 'No workspace folder is open: the tools can only see files of an open folder.' };
  const given = input.trim().replace(/\\/g, '/');
  if (given.includes('\0')) return { ok: false, error: `The path "${input}" is not valid.` };
  let root: WorkspaceRoot | undefined;
  let fsPath: string;
  if (nodePath.isAbsolute(given)) {
    fsPath = nodePath.resolve(given);
    root = roots.find((r) => inside(r.fsPath, fsPath));
    // A folder opened through a symlink: the real path of its own files is inside it too.
    for (const r of root ? [] : roots) {
      const realRoot = await realpath(r.fsPath);
      if (realRoot !== undefined && realRoot !== r.fsPath && inside(realRoot, fsPath)) {
        root = r;
        fsPath = nodePath.join(r.fsPath, nodePath.relative(realRoot, fsPath));
        break;
      }
    }
  } else {
    const clean = given.replace(/^\.\/+/, '');
    const first = clean.split('/')[0];
    const named = roots.length > 1 ? roots.find((r) => r.name === first) : undefined;
    root = named ?? roots[0];
    fsPath = nodePath.resolve(root.fsPath, named ? clean.slice(first.length + 1) : clean);
    if (!inside(root.fsPath, fsPath)) root = undefined;
  }
  if (!root) return { ok: false, error: `The path "${input}" is outside the workspace folders; only files inside them can be used.` };

  // Symlinks: the real location must be inside the real folder too.
  const realRoot = (await realpath(root.fsPath)) ?? root.fsPath;
  let probe = fsPath;
  let rest = '';
  let real = await realpath(probe);
  while (real === undefined && inside(root.fsPath, nodePath.dirname(probe)) && probe !== root.fsPath) {
    rest = rest ? nodePath.join(nodePath.basename(probe), rest) : nodePath.basename(probe);
    probe = nodePath.dirname(probe);
    real = await realpath(probe);
  }
  const realTarget = real === undefined ? undefined : rest ? nodePath.join(real, rest) : real;
  if (realTarget !== undefined && !inside(realRoot, realTarget)) {
    return { ok: false, error: `The path "${input}" is a link to a place outside the workspace folders; it cannot be used.` };
  }
  const display = toDisplay(roots, root, fsPath);
  const realRelative = realTarget === undefined ? display : nodePath.relative(realRoot, realTarget).split(nodePath.sep).join('/');
  return { ok: true, path: { fsPath, display, root, secret: looksSecret(display) || looksSecret(realRelative), ...(realTarget !== undefined ? { real: realTarget } : {}) } };
}
