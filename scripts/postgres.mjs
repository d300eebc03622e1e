// Starts a private PostgreSQL cluster for tests and benchmarks: data and socket under /tmp,
// listening on 127.0.0.1 only, on a free port. Installs the server with apt when it is missing and
// we are root; otherwise says the exact command to run. Prints nothing on success but returns the URL.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const isRoot = process.getuid?.() === 0;

function findPgBin() {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : null;
}

export function ensurePostgresInstalled() {
  let bin = findPgBin();
  if (bin) return bin;
  if (!isRoot) {
    throw new Error(
      'PostgreSQL is needed for the tests and is not installed. Run:\n  sudo apt-get install -y postgresql',
    );
  }
  process.stderr.write('Installing PostgreSQL with apt (needed by the tests)...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=300', 'postgresql'], {
    stdio: 'inherit',
    env,
  });
  bin = findPgBin();
  if (r.status !== 0 || !bin) throw new Error('apt-get install postgresql failed; see the output above.');
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root). */
function runPg(bin, args, opts = {}) {
  const cmd = path.join(bin, args[0]);
  const argv = isRoot ? ['-u', 'postgres', '--', cmd, ...args.slice(1)] : args.slice(1);
  return execFileSync(isRoot ? 'runuser' : cmd, argv, { stdio: 'pipe', ...opts });
}

/**
 * Starts a fresh cluster; returns { url, stop }. `settings`: more server settings (`name=value`),
 * such as a library to preload.
 */
export async function startPostgres({ name = 'roster-test', settings = [] } = {}) {
  const bin = ensurePostgresInstalled();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join('/tmp', `${name}-`));
  if (isRoot) execFileSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  const data = path.join(dir, 'data');
  try {
    runPg(bin, ['initdb', '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    runPg(bin, [
      'pg_ctl',
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200${settings.map((s) => ` -c ${s}`).join('')}`,
      'start',
    ]);
  } catch (e) {
    const log = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8') : '';
    throw new Error(`PostgreSQL could not be started: ${e.stderr?.toString() ?? e.message}\n${log}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = () => {
    try {
      runPg(bin, ['pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop, dir };
}
