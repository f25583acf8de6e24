// One way to follow a folder other windows write to (the conversations, the cost ledger): `fs.watch` on the folder
// (the file may not exist yet, and atomic writes replace it), only the names that matter, bursts coalesced into one
// call. On a file system without watching it does nothing: focus changes and the caller's own writes still refresh.
import * as fs from 'node:fs';
import type * as vscode from 'vscode';

export interface FolderWatch {
  /** Whether a change to this file name matters (the name may be missing: then it always does). */
  accept(file: string): boolean;
  /** Waits this long after the first change of a burst, then calls `onChange` once. */
  delayMs: number;
  onChange(): void;
}

export function watchFolder(dir: string, watch: FolderWatch): vscode.Disposable {
  let watcher: fs.FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = (): void => {
    watcher?.close();
    watcher = undefined;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  try {
    fs.mkdirSync(dir, { recursive: true });
    watcher = fs.watch(dir, (_event, file) => {
      if (file && !watch.accept(file)) return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        watch.onChange();
      }, watch.delayMs);
    });
    watcher.on('error', stop);
  } catch {
    stop();
  }
  return { dispose: stop };
}
