// What `npm run test:desktop` passes to @vscode/test-electron's runTests, and whether it needs a virtual display.
// Pure (no download, no process): test/unit/desktop-runner.test.ts checks it here, where VS Code cannot be downloaded.
import * as path from 'node:path';
import type { TestOptions } from '@vscode/test-electron';

/** The desktop VS Code downloaded when VSCODE_EXECUTABLE_PATH is not given: the version of our code-server tests. */
export const DESKTOP_VSCODE_VERSION = '1.139.1';

export interface DesktopRunInput {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** Running as root (Electron then needs --no-sandbox on Linux). */
  isRoot: boolean;
  repoRoot: string;
  /** The bundled suites (test/e2e/suites.ts) and their index. */
  suiteIndex: string;
  simulatorUrl: string;
  /** Fresh folders for this run. */
  userDataDir: string;
  extensionsDir: string;
  workspaceDir: string;
  resultsFile: string;
}

/** The exact options for runTests: the given VS Code or the pinned version, our extension, one suite index, the simulator. */
export function desktopTestOptions(input: DesktopRunInput): TestOptions {
  const executable = input.env.VSCODE_EXECUTABLE_PATH?.trim();
  const version = input.env.VSCODE_TEST_VERSION?.trim() || DESKTOP_VSCODE_VERSION;
  const launchArgs = [
    input.workspaceDir,
    '--user-data-dir', input.userDataDir,
    '--extensions-dir', input.extensionsDir,
    // Only the extension under test: no other installed extension can interfere or activate ours.
    '--disable-extensions',
    '--disable-workspace-trust',
    '--skip-welcome',
    '--skip-release-notes',
    '--disable-telemetry',
    ...(input.platform === 'linux' && input.isRoot ? ['--no-sandbox'] : []),
  ];
  return {
    ...(executable ? { vscodeExecutablePath: executable } : { version, cachePath: path.join(input.repoRoot, '.vscode-test') }),
    extensionDevelopmentPath: input.repoRoot,
    extensionTestsPath: input.suiteIndex,
    extensionTestsEnv: {
      FASTROUTER_SIM_URL: input.simulatorUrl,
      FASTROUTER_E2E_RESULTS: input.resultsFile,
      FASTROUTER_E2E_WORKSPACE: input.workspaceDir,
      FASTROUTER_E2E_HOST: 'desktop',
      ...(input.env.FASTROUTER_E2E_GREP ? { FASTROUTER_E2E_GREP: input.env.FASTROUTER_E2E_GREP } : {}),
    },
    launchArgs,
  };
}

/** Linux without a display (no DISPLAY or WAYLAND_DISPLAY) runs VS Code under xvfb-run; not twice. */
export function needsXvfb(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): boolean {
  if (platform !== 'linux') return false;
  if (env.FASTROUTER_UNDER_XVFB === '1') return false;
  return !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

/** The command that runs this runner again inside a virtual X server. */
export function xvfbCommand(node: string, execArgv: readonly string[], script: string): { command: string; args: string[] } {
  return { command: 'xvfb-run', args: ['--auto-servernum', '--server-args=-screen 0 1400x900x24', node, ...execArgv, script] };
}
