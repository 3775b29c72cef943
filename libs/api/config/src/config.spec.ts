import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { ConfigError, configVariables, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('.data'));
    expect(config.logLevel).toBe('info');
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://cockpit:secret@db:5432/cockpit',
      DATA_DIR: '/var/lib/cockpit',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'https://cockpit.example.com/',
      INSTANCE_ID: 'api-1',
    });
    expect(config).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://cockpit:secret@db:5432/cockpit',
      dataDir: '/var/lib/cockpit',
      logLevel: 'debug',
      publicUrl: 'https://cockpit.example.com',
      instanceId: 'api-1',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be a whole number/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL must look like postgres:\/\//],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL must be an http\(s\) URL/],
    [{ INSTANCE_ID: 'has space' }, /INSTANCE_ID may use/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists the variables it reads', () => {
    expect(configVariables).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL', 'PUBLIC_URL']));
  });
});
