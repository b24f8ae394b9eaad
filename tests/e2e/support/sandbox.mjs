// Starts a fresh flare-sandbox for one test and stops it afterwards: a ServiceNow instance and a
// Zendesk account on free ports, over https with a certificate made at start. The browser reaches
// them by real instance names (browser.mjs resolves *.service-now.com and *.zendesk.com to them
// and trusts exactly that certificate); Node's own calls here trust exactly it too.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The instance and the account the tests type, as a customer's users would. */
export const SERVICENOW_HOST = 'acme.service-now.com';
export const ZENDESK_HOST = 'acme.zendesk.com';

/** The debug build of the sandbox, where cargo puts it: `$CARGO_TARGET_DIR`, else `<repo>/target`. */
export function sandboxBinary() {
  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
  return path.join(targetDir, 'debug/flare-sandbox');
}

const ADMIN = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
// A Zendesk admin's API token sign-in (crates/sandbox/README.md, "Zendesk demo users").
const ZENDESK_ADMIN = `Basic ${Buffer.from('admin@example.com/token:sandbox-token').toString('base64')}`;

export async function startSandbox({ seedIncidents } = {}) {
  const workdir = await mkdtemp(path.join(os.tmpdir(), 'flare-sandbox-'));
  const certificateFile = path.join(workdir, 'sandbox.pem');
  const seeding = seedIncidents ? ['--seed-incidents', String(seedIncidents)] : [];
  const child = spawn(
    sandboxBinary(),
    ['--servicenow', '127.0.0.1:0', '--zendesk', '127.0.0.1:0', '--tls', '--tls-cert-out', certificateFile, ...seeding],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const banner = await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not print its banner in time:\n${output}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}:\n${output}`)));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      // The SPKI line comes after both servers' URL lines (crates/sandbox/README.md).
      const spki = /^TLS certificate SPKI sha256: (\S+)$/m.exec(output);
      if (spki) {
        clearTimeout(timer);
        resolve({
          servicenowPort: Number(/^ServiceNow instance: https:\/\/127\.0\.0\.1:(\d+)$/m.exec(output)[1]),
          zendeskPort: Number(/^Zendesk account: https:\/\/127\.0\.0\.1:(\d+)$/m.exec(output)[1]),
          spki: spki[1],
        });
      }
    });
  });
  child.stdout.resume();
  // The file is written before the banner is printed.
  const ca = await readFile(certificateFile);
  const servicenow = (method, requestPath, options) =>
    request({ ca, host: SERVICENOW_HOST, port: banner.servicenowPort, method, path: requestPath, ...options });
  const zendesk = (method, requestPath, options) =>
    request({ ca, host: ZENDESK_HOST, port: banner.zendeskPort, method, path: requestPath, ...options });

  return {
    /** The instance's address as a browser sees it, `https://acme.service-now.com`. */
    url: `https://${SERVICENOW_HOST}`,
    host: SERVICENOW_HOST,
    /** base64 of the SHA-256 of the certificate's public key, for `--ignore-certificate-errors-spki-list`. */
    spki: banner.spki,
    /** Where the servers listen on 127.0.0.1, for `--host-resolver-rules`. */
    ports: { servicenow: banner.servicenowPort, zendesk: banner.zendeskPort },
    /** Calls the sandbox's Table API directly, as an admin, to check what the popup did. */
    async table(table, params = {}) {
      const query = new URLSearchParams(params).toString();
      const response = await servicenow('GET', `/api/now/table/${table}?${query}`, {
        headers: { Accept: 'application/json', Authorization: ADMIN },
      });
      if (!response.ok) throw new Error(`sandbox ${table} query failed: ${response.status} ${response.text}`);
      return response.json().result;
    },
    /**
     * Calls the instance's REST API (`path` from `/api/now/`) as the demo user `user`, whose
     * password is their user name (admin unless named), and returns the answer's `result`.
     */
    async api(apiPath, { method = 'GET', json, user = 'admin' } = {}) {
      const authorization = `Basic ${Buffer.from(`${user}:${user}`).toString('base64')}`;
      const response = await servicenow(method, `/api/now/${apiPath}`, {
        headers: { Accept: 'application/json', Authorization: authorization },
        json,
      });
      if (!response.ok) throw new Error(`ServiceNow ${method} ${apiPath} failed: ${response.status} ${response.text}`);
      return response.text ? response.json().result : undefined;
    },
    /** The bytes of an attachment, through the Attachment API as admin. */
    async attachmentBytes(sysId) {
      const response = await servicenow('GET', `/api/now/attachment/${sysId}/file`, { headers: { Authorization: ADMIN } });
      if (!response.ok) throw new Error(`attachment ${sysId} download failed: ${response.status} ${response.text}`);
      return response.bytes;
    },
    /** Queues a fault through the sandbox's admin API (crates/sandbox/README.md). */
    async fault(spec) {
      const response = await servicenow('POST', '/sandbox/faults', { json: spec });
      if (!response.ok) throw new Error(`adding fault failed: ${response.status} ${response.text}`);
    },
    /** The faults still queued, those no request has used up yet (crates/sandbox/README.md). */
    async faults() {
      const response = await servicenow('GET', '/sandbox/faults');
      if (!response.ok) throw new Error(`listing faults failed: ${response.status} ${response.text}`);
      return response.json();
    },
    /** Clears every queued fault: the instance answers as usual again. */
    async clearFaults() {
      const response = await servicenow('DELETE', '/sandbox/faults');
      if (!response.ok) throw new Error(`clearing faults failed: ${response.status} ${response.text}`);
    },
    /** Ends OAuth sessions through the admin API: `expire-tokens` (a refresh still works) or
     * `revoke-tokens` (only signing in again does). */
    async oauth(action) {
      const response = await servicenow('POST', `/sandbox/oauth/${action}`);
      if (!response.ok) throw new Error(`${action} failed: ${response.status} ${response.text}`);
    },
    zendesk: {
      /** The account's address as a browser sees it, `https://acme.zendesk.com`. */
      url: `https://${ZENDESK_HOST}`,
      host: ZENDESK_HOST,
      /**
       * Calls the account's REST API as an admin and returns the JSON answer: `path` is below
       * `/api/v2/` (`'tickets.json'`), `options` may name a `method` and a `json` body. Paths of
       * the sandbox's admin API (`'/sandbox/faults'`) are taken as they are.
       */
      async api(apiPath, { method = 'GET', json } = {}) {
        const fullPath = apiPath.startsWith('/') ? apiPath : `/api/v2/${apiPath}`;
        const response = await zendesk(method, fullPath, {
          headers: { Accept: 'application/json', Authorization: ZENDESK_ADMIN },
          json,
        });
        if (!response.ok) throw new Error(`Zendesk ${method} ${fullPath} failed: ${response.status} ${response.text}`);
        return response.text ? response.json() : undefined;
      },
      /** The bytes at `fullPath` on the account (an attachment's download), as the admin. */
      async bytes(fullPath) {
        const response = await zendesk('GET', fullPath, { headers: { Authorization: ZENDESK_ADMIN } });
        if (!response.ok) throw new Error(`Zendesk GET ${fullPath} failed: ${response.status} ${response.text}`);
        return response.bytes;
      },
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      }
      await rm(workdir, { recursive: true, force: true });
    },
  };
}

/**
 * One https request to `host` at 127.0.0.1:`port`, as the browser sends it: the real name in SNI
 * and `Host`, checked against the certificate in `ca` and no other.
 */
function request({ ca, host, port, method, path: requestPath, headers = {}, json }) {
  const body = json === undefined ? undefined : JSON.stringify(json);
  const allHeaders = { ...headers, Host: host };
  if (body !== undefined) allHeaders['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const outgoing = https.request(
      { host: '127.0.0.1', port, servername: host, method, path: requestPath, headers: allHeaders, ca, agent: false },
      (incoming) => {
        const chunks = [];
        incoming.on('data', (chunk) => chunks.push(chunk));
        incoming.on('end', () => {
          const status = incoming.statusCode;
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({ status, ok: status >= 200 && status < 300, text, bytes, json: () => JSON.parse(text) });
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
