import { afterAll, describe, expect, it } from 'vitest';
import { redisServerAvailable, startLabRedis, type LabRedis } from '../../src/lab/redis-server.ts';
import { checkQueueReachable, parseQueueUrl, type QueueEndpoint } from '../../src/queue/redis-connection.ts';

const endpoint = (text: string, env: NodeJS.ProcessEnv = {}): QueueEndpoint => {
  const parsed = parseQueueUrl(text, env);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('parseQueueUrl', () => {
  it.each([
    ['redis://127.0.0.1:6390/2', { host: '127.0.0.1', port: 6390, db: 2 }, 'redis://127.0.0.1:6390/2'],
    ['redis://h', { host: 'h', port: 6379, db: 0 }, 'redis://h/0'],
    ['redis://:pw@h:1/0', { host: 'h', port: 1, db: 0, password: 'pw' }, 'redis://h:1/0'],
    ['redis://vouch:p%40ss@h:1/0', { username: 'vouch', password: 'p@ss' }, 'redis://vouch@h:1/0'],
    ['redis://[::1]:7000/0', { host: '::1', port: 7000 }, 'redis://[::1]:7000/0'],
  ])('%s', (text, fields, label) => {
    const parsed = endpoint(text);
    expect(parsed.options).toMatchObject(fields);
    expect(parsed.label).toBe(label);
    expect(parsed.label).not.toContain('pw');
  });

  it('takes the password from the environment over the URL', () => {
    expect(endpoint('redis://:url@h/0', { VOUCH_QUEUE_PASSWORD: 'env' }).options.password).toBe('env');
  });

  it('rediss:// is TLS with the host as server name', () => {
    expect(endpoint('rediss://cache.example:6380/1').options.tls).toEqual({ servername: 'cache.example' });
  });

  it.each([
    ['not a url', /is not a URL/],
    ['http://h/0', /not a Redis URL scheme/],
    ['redis://h/16', /not a database number/],
    ['redis://h/x', /not a database number/],
    ['redis://h/0?x=1', /query or fragment/],
  ])('refuses %s', (text, problem) => {
    expect(parseQueueUrl(text, {})).toMatch(problem);
  });
});

describe.skipIf(!redisServerAvailable())('checkQueueReachable against a real redis-server', () => {
  const servers: LabRedis[] = [];
  afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });
  const start = async (options: Parameters<typeof startLabRedis>[0]) => {
    const server = await startLabRedis(options);
    servers.push(server);
    return server;
  };

  it('answers with no password, a password, an ACL user and over TLS', async () => {
    const plain = await start({});
    await checkQueueReachable(endpoint(plain.url));
    const password = await start({ password: 'pw' });
    await checkQueueReachable(endpoint(password.url));
    const acl = await start({ aclUser: { name: 'vouch', password: 's3cret' } });
    await checkQueueReachable(endpoint(acl.url));
    const tls = await start({ tls: true });
    const tlsEndpoint = endpoint(tls.url);
    await checkQueueReachable({ ...tlsEndpoint, options: { ...tlsEndpoint.options, tls: { servername: 'localhost', ca: tls.caPem! } } });
  }, 30_000);

  it('a wrong password is named as an authentication failure', async () => {
    const acl = await start({ aclUser: { name: 'vouch', password: 's3cret' } });
    await expect(checkQueueReachable(endpoint(acl.url.replace('s3cret', 'wrong')))).rejects.toThrow(/authentication failed/);
  }, 30_000);

  it('an untrusted TLS certificate is refused', async () => {
    const tls = await start({ tls: true });
    await expect(checkQueueReachable(endpoint(tls.url))).rejects.toThrow(/does not answer: .*(certificate|self.signed|issuer)/i);
  }, 30_000);

  it('nothing listening: a clear error at once, not a hang', async () => {
    const gone = await start({});
    await gone.stop(true);
    const started = Date.now();
    await expect(checkQueueReachable(endpoint(gone.url))).rejects.toThrow(new RegExp(`Redis at redis://127.0.0.1:${gone.port}/0 does not answer: .*ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
