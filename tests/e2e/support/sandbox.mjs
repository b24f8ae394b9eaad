// Starts a fresh flare-sandbox on a free port for one test and stops it afterwards.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export async function startSandbox() {
  const binary = path.join(root, 'target/debug/flare-sandbox');
  const child = spawn(binary, ['--servicenow', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not print its URL in time:\n${output}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}:\n${output}`)));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /ServiceNow instance: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  child.stdout.resume();
  return {
    url,
    /** Calls the sandbox's Table API directly, as an admin, to check what the popup did. */
    async table(table, params = {}) {
      const query = new URLSearchParams(params).toString();
      const response = await fetch(`${url}/api/now/table/${table}?${query}`, {
        headers: { Accept: 'application/json', Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      });
      if (!response.ok) throw new Error(`sandbox ${table} query failed: ${response.status} ${await response.text()}`);
      return (await response.json()).result;
    },
    /** Queues a fault through the sandbox's admin API (crates/sandbox/README.md). */
    async fault(spec) {
      const response = await fetch(`${url}/sandbox/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(spec),
      });
      if (!response.ok) throw new Error(`adding fault failed: ${response.status} ${await response.text()}`);
    },
    /** Ends OAuth sessions through the admin API: `expire-tokens` (a refresh still works) or
     * `revoke-tokens` (only signing in again does). */
    async oauth(action) {
      const response = await fetch(`${url}/sandbox/oauth/${action}`, { method: 'POST' });
      if (!response.ok) throw new Error(`${action} failed: ${response.status} ${await response.text()}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}
