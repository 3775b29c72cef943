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

  describe('in production', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const production = { NODE_ENV: 'production', COCKPIT_SECRET_KEY: key, PUBLIC_URL: 'https://cockpit.example.com' };

    it('starts with an https PUBLIC_URL and an explicit COCKPIT_SECRET_KEY', () => {
      expect(loadConfig(production)).toMatchObject({ nodeEnv: 'production', allowInsecureHttp: false });
    });

    it.each([
      [{ PUBLIC_URL: 'http://cockpit.example.com' }],
      [{ PUBLIC_URL: undefined }], // the default is http://localhost:<PORT>
      [{ PUBLIC_URL: 'http://cockpit.example.com', ALLOW_INSECURE_HTTP: 'false' }],
    ])('refuses a plain-http PUBLIC_URL (%j) unless ALLOW_INSECURE_HTTP=true', (override) => {
      const env = { ...production, ...override };
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/PUBLIC_URL .*plain http.*ALLOW_INSECURE_HTTP=true/);
    });

    it('starts on plain http when ALLOW_INSECURE_HTTP=true says so', () => {
      const config = loadConfig({ ...production, PUBLIC_URL: 'http://cockpit.example.com', ALLOW_INSECURE_HTTP: 'true' });
      expect(config).toMatchObject({ publicUrl: 'http://cockpit.example.com', allowInsecureHttp: true });
    });

    it('refuses to start without COCKPIT_SECRET_KEY (no key file fallback in production)', () => {
      const env = { ...production, COCKPIT_SECRET_KEY: undefined };
      expect(() => loadConfig(env)).toThrow(/COCKPIT_SECRET_KEY must be set in production/);
      expect(() => loadConfig({ ...env, COCKPIT_SECRET_KEY: '' })).toThrow(/COCKPIT_SECRET_KEY must be set in production/);
    });

    it('names both problems at once', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL.*; COCKPIT_SECRET_KEY must be set/);
    });

    it('outside production, keeps plain http and the key file for development', () => {
      expect(loadConfig({ PUBLIC_URL: 'http://cockpit.example.com' }).secretKey).toBeUndefined();
      expect(() => loadConfig({ NODE_ENV: 'test', ALLOW_INSECURE_HTTP: 'maybe' })).toThrow(
        /ALLOW_INSECURE_HTTP must be true or false/,
      );
    });
  });
});

describe('HOST_ENROLL_DENY_NETWORKS', () => {
  it('denies link-local by default, and loopback too in production', () => {
    expect(loadConfig({}).enrollDenyNetworks).toEqual(['169.254.0.0/16', 'fe80::/10']);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://c.example',
        COCKPIT_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
      }).enrollDenyNetworks,
    ).toEqual(['169.254.0.0/16', 'fe80::/10', '127.0.0.0/8', '::1/128']);
  });

  it('takes a list of networks, or none', () => {
    expect(loadConfig({ HOST_ENROLL_DENY_NETWORKS: '10.0.0.0/8, fd00::/8,192.0.2.1' }).enrollDenyNetworks).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
    ]);
    expect(loadConfig({ HOST_ENROLL_DENY_NETWORKS: 'none' }).enrollDenyNetworks).toEqual([]);
  });

  it('refuses what is not a network, naming the variable', () => {
    expect(() => loadConfig({ HOST_ENROLL_DENY_NETWORKS: '10.0.0.0/8,example.com' })).toThrow(
      /HOST_ENROLL_DENY_NETWORKS: "example.com" is not a network/,
    );
    expect(() => loadConfig({ HOST_ENROLL_DENY_NETWORKS: '10.0.0.0/99' })).toThrow(/HOST_ENROLL_DENY_NETWORKS/);
  });
});
