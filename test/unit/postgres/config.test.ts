import {
  describeConnection,
  fromDepot,
  fromEnv,
  poolOptions,
  redactUrl,
  sanitizeMessage,
  sslOptions,
} from '../../../core/connectors/postgres/config';
import { wrapError } from '../../../core/connectors/postgres/driver';
import { closeSharedDrivers, sharedDriver } from '../../../core/connectors/postgres/open';
import { InvalidInputError, TransientError } from '../../../core/errors';

describe('postgres connection config', () => {
  it('builds a server config from a depot and its secret', () => {
    const c = fromDepot(
      { host: 'db.example.com', port: 5433, database: 'sales', params: { sslmode: 'verify-full' } },
      { username: 'app', password: 's3cret!' },
    );
    expect(poolOptions(c as never)).toMatchObject({
      host: 'db.example.com',
      port: 5433,
      database: 'sales',
      user: 'app',
      password: 's3cret!',
      ssl: { rejectUnauthorized: true },
    });
  });

  it('uses PGlite for an embedded depot and for DATABASE_URL=embedded:', () => {
    expect(fromDepot({ host: '', port: 0, database: '', params: {}, embedded: { path: '/tmp/db' } }, {})).toEqual({
      embedded: { path: '/tmp/db' },
    });
    expect(fromEnv({ DATABASE_URL: 'embedded:' })).toEqual({ embedded: {} });
    expect(fromEnv({ DATABASE_URL: 'embedded:./data/pg' })).toEqual({ embedded: { path: './data/pg' } });
    expect(fromEnv({})).toBeUndefined();
  });

  it('reads DATABASE_URL connection strings; explicit fields win', () => {
    const c = fromEnv({ DATABASE_URL: 'postgresql://u:p%40ss@h:6543/d?sslmode=require&application_name=x' });
    expect(poolOptions(c as never)).toMatchObject({
      host: 'h',
      port: 6543,
      database: 'd',
      user: 'u',
      password: 'p@ss',
      ssl: { rejectUnauthorized: false },
      application_name: 'x',
    });
  });

  it.each([
    ['disable', false],
    ['prefer', false],
    ['require', { rejectUnauthorized: false }],
  ])('sslmode %s', (mode, ssl) => expect(sslOptions(mode)).toEqual(ssl));

  it('verify-ca checks the chain but not the host name', () => {
    const o = sslOptions('verify-ca') as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(o.rejectUnauthorized).toBe(true);
    expect(o.checkServerIdentity()).toBeUndefined();
  });

  it('rejects an unknown sslmode', () => expect(() => sslOptions('maybe')).toThrow(InvalidInputError));

  it('never shows passwords in descriptions and messages', () => {
    const c = { connectionString: 'postgres://admin:hunter22@db:5432/x', password: 'topsecret' };
    expect(describeConnection(c)).toBe('postgres admin@db:5432/x');
    expect(redactUrl('postgresql://admin:hunter22@db/x')).toBe('postgresql://admin:***@db/x');
    expect(redactUrl('host=db password=hunter22 user=x')).toBe('host=db password=*** user=x');
    expect(sanitizeMessage('auth failed for topsecret and hunter22', c)).toBe('auth failed for *** and ***');
    const err = wrapError(Object.assign(new Error('bad postgres://admin:hunter22@db/x'), { code: '28P01' }), c);
    expect(err.message).not.toMatch(/hunter22/);
  });

  it('shares one driver per config in the process', async () => {
    const a = sharedDriver({ host: '127.0.0.1', database: 'test', user: 'postgres' });
    const b = sharedDriver({ user: 'postgres', database: 'test', host: '127.0.0.1' });
    const c = sharedDriver({ host: '127.0.0.1', database: 'other', user: 'postgres' });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    const d = sharedDriver({ host: '127.0.0.1', database: 'test', user: 'postgres', params: { sslmode: 'require' } });
    expect(d).not.toBe(a);
    await closeSharedDrivers();
    expect(sharedDriver({ host: '127.0.0.1', database: 'test', user: 'postgres' })).not.toBe(a);
    await closeSharedDrivers();
  });

  it('marks connection and serialization failures as transient', () => {
    expect(wrapError(Object.assign(new Error('x'), { code: '40001' }))).toBeInstanceOf(TransientError);
    expect(wrapError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeInstanceOf(TransientError);
    expect(wrapError(Object.assign(new Error('x'), { code: '42P01' }))).not.toBeInstanceOf(TransientError);
    expect(wrapError(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(TransientError);
    expect(
      wrapError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
    ).toBeInstanceOf(TransientError);
  });
});
