import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueLeaf } from './pki.ts';

/**
 * A real `redis-server` (Debian's package) for the queue tests and the queue benchmark (issue 12): on 127.0.0.1 only,
 * on a free port, in a temporary directory of its own, never saving anywhere else. Optional: append-only persistence
 * (a restart keeps the queue), a password or an ACL user, TLS with a certificate made now (`rediss://`).
 */
export type LabRedisOptions = {
  /** `appendonly yes` with `appendfsync always`: a restart (even after SIGKILL) finds every acknowledged write. */
  readonly persistence?: boolean;
  /** `requirepass`: the default user's password. */
  readonly password?: string;
  /** An ACL user with this name and password, allowed every command and key; the default user is then disabled. */
  readonly aclUser?: { readonly name: string; readonly password: string };
  /** Serve TLS only (`tls-port`), with a lab CA whose certificate is `caPem`. */
  readonly tls?: boolean;
};

export type LabRedis = {
  /** `redis://` or `rediss://` with the credentials, database 0. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The lab CA's certificate when serving TLS (give it to the client as a trusted CA). */
  readonly caPem: string | null;
  /** Stops the server (SIGKILL when `hard`), keeping its directory for a restart. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port, directory and settings (with persistence, the data is back). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
};

/** Whether redis-server is installed (tests that need it are skipped otherwise; `.ci/run` installs it). */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startLabRedis(options: LabRedisOptions = {}): Promise<LabRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-redis-'));
  const port = await freePort();
  const lines = [
    'bind 127.0.0.1', 'protected-mode yes', `dir ${dir}`, 'save ""', 'daemonize no', 'loglevel warning', `logfile ${join(dir, 'redis.log')}`,
    options.persistence ? 'appendonly yes' : 'appendonly no', 'appendfsync always',
  ];
  let caPem: string | null = null;
  if (options.tls) {
    const ca = createCa({ name: 'Vouch lab Redis CA' });
    const leaf = issueLeaf(ca, { hosts: ['localhost', '127.0.0.1'] });
    await writeFile(join(dir, 'server.key'), leaf.keyPem);
    await writeFile(join(dir, 'server.crt'), leaf.chainPem);
    await writeFile(join(dir, 'ca.crt'), ca.certPem);
    caPem = ca.certPem;
    lines.push('port 0', `tls-port ${port}`, `tls-cert-file ${join(dir, 'server.crt')}`, `tls-key-file ${join(dir, 'server.key')}`,
      `tls-ca-cert-file ${join(dir, 'ca.crt')}`, 'tls-auth-clients no');
  } else {
    lines.push(`port ${port}`);
  }
  if (options.password) lines.push(`requirepass ${options.password}`);
  if (options.aclUser) lines.push(`user ${options.aclUser.name} on >${options.aclUser.password} ~* &* +@all`, 'user default off');
  await writeFile(join(dir, 'redis.conf'), `${lines.join('\n')}\n`);

  const credentials = options.aclUser ? `${encodeURIComponent(options.aclUser.name)}:${encodeURIComponent(options.aclUser.password)}@`
    : options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const url = `${options.tls ? 'rediss' : 'redis'}://${credentials}${options.tls ? 'localhost' : '127.0.0.1'}:${port}/0`;
  let child: ChildProcess | null = null;

  const start = async () => {
    const spawned = spawn('redis-server', [join(dir, 'redis.conf')], { stdio: 'ignore' });
    child = spawned;
    // Ready when it accepts a connection (a TLS listener accepts the TCP connection too).
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (spawned.exitCode !== null) throw new Error(`redis-server exited (code ${spawned.exitCode}); see ${join(dir, 'redis.log')}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = new Socket();
        socket.once('connect', () => { socket.destroy(); resolve(true); });
        socket.once('error', () => resolve(false));
        socket.connect(port, '127.0.0.1');
      });
      if (open) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on 127.0.0.1:${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (hard = false) => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await start();
  return {
    url, port, dir, caPem, stop, start,
    close: async () => {
      await stop(true);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
