// Standalone local simulator: `npm run simulator -- --port 8787 [--delay 15]`. Accepts any key; Ctrl+C stops it.
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      delay: { type: 'string', default: '15' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: npm run simulator -- [--port 8787] [--delay 15]\n  --port   port on 127.0.0.1 (0 = random)\n  --delay  milliseconds between streamed deltas');
    return;
  }
  const port = Number(values.port);
  const delay = Number(values.delay);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0..65535, got ${values.port}`);
  if (!Number.isFinite(delay) || delay < 0) throw new Error(`--delay must be a non-negative number, got ${values.delay}`);

  const sim = await startSimulator({ port, acceptAnyKey: true, defaultDelayMs: delay });
  console.log(`FastRouter Chat local simulator listening on ${sim.url}`);
  console.log(`  Messages endpoint: POST ${sim.url}/v1/messages (also /api/v1/messages); any non-empty API key is accepted.`);
  console.log(`  In VS Code settings: "fastrouter.baseUrl": "${sim.url}"`);
  console.log(`  Control: POST ${sim.url}/__sim/enqueue · GET ${sim.url}/__sim/requests · POST ${sim.url}/__sim/reset`);
  console.log('  Press Ctrl+C to stop.');

  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping the simulator.`);
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
