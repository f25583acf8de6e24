// The chat controller unit tests' shared lifecycle: one local simulator per test file (or describe block), fresh
// temp folders removed at the end, every controller stopped, drained and disposed after each test, the simulator's
// queue and records cleared. A controller test file starts with `const { sim, folder, newController } =
// controllerFixture('prefix-')` and builds controllers with the real store, the real prompt builder and the simulator.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import type { MessagesClientOptions } from '../../src/api';
import { ConversationController, type ConversationControllerDeps } from '../../src/core/conversation/conversationController';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { buildUserContent } from '../../src/core/request/prompt';
import type { AssistantTurn } from '../../src/common/chatTypes';
import type { HostToWebview } from '../../src/common/protocol';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator';
import { simulatorRunner } from './simulatorRunner';

export interface ControllerFixture {
  /** The file's simulator (usable inside tests and hooks, once `before` has started it). */
  readonly sim: Simulator;
  /** A fresh temp folder, removed after the file's tests. */
  folder(): Promise<string>;
  /**
   * A controller over `dir` (a fresh folder when absent) with the real store and prompt builder, answering from the
   * simulator; `deps` replace any default. Stopped and disposed after the test. Resolves once it has read the folder.
   */
  newController(options?: { dir?: string; client?: Partial<MessagesClientOptions> } & Partial<ConversationControllerDeps>): Promise<{ controller: ConversationController; posted: HostToWebview[]; dir: string }>;
  /** Stops and disposes `controller` after the test (for one built by hand). */
  track(controller: ConversationController): ConversationController;
}

export function controllerFixture(prefix: string, simulator: SimulatorOptions = { defaultDelayMs: 1 }): ControllerFixture {
  let started: Simulator | undefined;
  const dirs: string[] = [];
  const controllers: ConversationController[] = [];

  before(async () => {
    started = await startSimulator(simulator);
  });
  after(async () => {
    await started?.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  afterEach(async () => {
    for (const c of controllers.splice(0)) {
      c.stop();
      await c.idle();
      c.dispose();
    }
    started?.reset();
  });

  const sim = new Proxy({} as Simulator, {
    get(_target, key) {
      assert.ok(started, 'the simulator is used after the fixture started it (inside a test or hook)');
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });

  const folder = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  const track = (controller: ConversationController): ConversationController => {
    controllers.push(controller);
    return controller;
  };

  return {
    sim,
    folder,
    track,
    async newController(options = {}) {
      const { dir: given, client, ...deps } = options;
      const dir = given ?? (await folder());
      const posted: HostToWebview[] = [];
      const controller = track(
        new ConversationController({
          runner: simulatorRunner(sim.url, client),
          store: new ConversationStore(dir),
          userContent: buildUserContent,
          post: (message) => posted.push(message),
          model: () => 'sim-model',
          prefillAllowed: () => true,
          log: () => {},
          saveDelayMs: 20,
          ...deps,
        }),
      );
      await controller.ready;
      return { controller, posted, dir };
    },
  };
}

/** The controller's last turn, asserted to be an answer. */
export function lastAnswer(controller: ConversationController): AssistantTurn {
  const turn = controller.turns().at(-1);
  assert.ok(turn && turn.role === 'assistant', 'the last turn is an answer');
  return turn;
}

/** Polls `condition` until it holds, or fails naming `what` after `ms` (a deadline, never a wait for time). */
export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
